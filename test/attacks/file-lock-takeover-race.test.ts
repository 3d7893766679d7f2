// Lock takeover race (fourth review): a process crashed holding the agent's history lock, and the next processes of
// the agent all find its lock stale at the same moment. Each read the dead pid, removed the file and created its own:
// a taker that removed the file after another had made its new one removed a live lock, and both held it, each
// re-reading and rewriting the history as if alone (a mark one recorded, the other's write dropped).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileLockPlace } from '../../src/identity/file-lock.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-lock-race-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A pid no process has: the crashed holder's. */
const DEAD_PID = 2 ** 30;
const TAKERS = 3;
const ROUNDS = 24;
const SPACING_MS = 80;

/** Starts one taker: `ready` once it has loaded, `done` with the overlaps it saw. */
function taker(): { child: ChildProcess; ready: Promise<void>; done: Promise<number> } {
  const script = join(import.meta.dirname, 'lock-taker.ts');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, dir, String(ROUNDS), String(SPACING_MS)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let loaded: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    loaded = resolve;
  });
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) loaded();
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0) resolve((JSON.parse(stdout.slice('ready\n'.length)) as { overlaps: number }).overlaps);
      else reject(new Error(`taker exited ${code}: ${stderr}`));
    });
  });
  return { child, ready, done };
}

describe("taking over a crashed process's lock", () => {
  it('gives it to exactly one of several processes taking it over at the same moment', async () => {
    for (let round = 0; round < ROUNDS; round++)
      await writeFile(join(dir, `round-${round}.lock`), `${DEAD_PID} ${'ab'.repeat(16)} ${fileLockPlace()}`);
    const takers = Array.from({ length: TAKERS }, taker);
    await Promise.all(takers.map((one) => one.ready));
    // Every taker starts each round at the same wall-clock moment.
    const startAt = Date.now() + 100;
    for (const one of takers) one.child.stdin?.end(`${startAt}\n`);
    const overlaps = await Promise.all(takers.map((one) => one.done));
    expect(overlaps.reduce((sum, count) => sum + count, 0)).toBe(0);
  });
});
