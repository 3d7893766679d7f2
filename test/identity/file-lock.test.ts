import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { withFileLock } from '../../src/identity/file-lock.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-lock-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe('withFileLock', () => {
  it('refuses with IO while a live process holds the lock, and leaves its lock alone', async () => {
    const lock = join(home, 'held.lock');
    // The parent process is alive for the whole test: another process of the agent holding the file.
    await writeFile(lock, String(process.ppid));
    let ran = false;
    await expect(
      withFileLock(
        lock,
        async () => {
          ran = true;
        },
        100,
      ),
    ).rejects.toMatchObject({ code: ErrorCode.Io });
    expect(ran).toBe(false);
    expect(await readdir(home)).toContain('held.lock');
    await rm(lock);
  });

  it("takes over a crashed process's lock, its pid reused by this one or gone, and removes it after", async () => {
    for (const pid of [process.pid, 2 ** 30]) {
      const lock = join(home, `stale-${pid}.lock`);
      await writeFile(lock, String(pid));
      await expect(withFileLock(lock, async () => 'ran', 100)).resolves.toBe('ran');
      expect(await readdir(home)).not.toContain(`stale-${pid}.lock`);
    }
  });

  it('runs steps of one process on one lock one at a time', async () => {
    const lock = join(home, 'serial.lock');
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(`${name} in`);
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push(`${name} out`);
    };
    await Promise.all([withFileLock(lock, step('a')), withFileLock(lock, step('b'))]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
  });
});
