// A process of the lock takeover race (test/attacks/file-lock-takeover-race.test.ts). Once loaded it says `ready` and
// reads, on stdin, the moment the first round starts; at each round's moment it takes that round's lock (a crashed
// process's, left on disk) and, while holding it, marks that it is inside by creating `<lock>.inside` exclusively.
// Finding the mark there already means another process holds the lock at the same time.
import { open, unlink } from 'node:fs/promises';
import { withFileLock } from '../../src/identity/file-lock.js';

const [dir, rounds, spacingMs] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

process.stdout.write('ready\n');
const startAt = await new Promise<number>((resolve) => {
  process.stdin.once('data', (chunk) => resolve(Number(String(chunk).trim())));
});
process.stdin.pause();

let overlaps = 0;
for (let round = 0; round < Number(rounds); round++) {
  await sleep(startAt + round * Number(spacingMs) - Date.now());
  const lock = `${dir}/round-${round}.lock`;
  await withFileLock(
    lock,
    async () => {
      const inside = `${lock}.inside`;
      try {
        await (await open(inside, 'wx')).close();
      } catch {
        overlaps++;
        return;
      }
      await sleep(20);
      await unlink(inside);
    },
    10_000,
  );
}
process.stdout.write(`${JSON.stringify({ overlaps })}\n`);
