import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  FILE_LOCK_LEASE_MS,
  fileLockPlace,
  fileLockProcessStart,
  withFileLock,
} from '../../src/identity/file-lock.js';

/** Writes `text` at `path` dated past the lock lease: a holder elsewhere that stopped renewing it. */
async function writeExpired(path: string, text: string): Promise<void> {
  await writeFile(path, text);
  const past = new Date(Date.now() - 2 * FILE_LOCK_LEASE_MS);
  await utimes(path, past, past);
}

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-lock-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** A step under `lock` waiting at most 100 ms is refused as `expected` says, and never runs. */
async function expectRefused(lock: string, expected: Record<string, unknown>): Promise<void> {
  let ran = false;
  await expect(
    withFileLock(
      lock,
      async () => {
        ran = true;
      },
      100,
    ),
  ).rejects.toMatchObject(expected);
  expect(ran).toBe(false);
}

describe('withFileLock', () => {
  it('refuses with IO while a live process holds the lock, and leaves its lock alone', async () => {
    const lock = join(home, 'held.lock');
    // The parent process is alive for the whole test: another process of the agent holding the file.
    await writeFile(lock, String(process.ppid));
    await expectRefused(lock, { code: ErrorCode.Io });
    expect(await readdir(home)).toContain('held.lock');
    await rm(lock);
  });

  it("takes over a crashed process's lock written here, its pid reused by this one or gone, and removes it after", async () => {
    // An earlier process with this pid started at another time (where the start is known), or a pid gone.
    const start = fileLockProcessStart();
    const planted = [
      [`${process.pid}`, start === undefined ? undefined : ` ${BigInt(start) + 1n}`],
      [`${2 ** 30}`, ''],
    ] as const;
    for (const [pid, after] of planted) {
      if (after === undefined) continue;
      const lock = join(home, `stale-${pid}.lock`);
      await writeFile(lock, `${pid} ${'ab'.repeat(16)} ${fileLockPlace()}${after}`);
      await expect(withFileLock(lock, async () => 'ran', 100)).resolves.toBe('ran');
      expect(await readdir(home)).not.toContain(`stale-${pid}.lock`);
    }
  });

  it("holds a lock naming this process with a nonce this thread is not holding (another thread's) until its lease ends", async () => {
    // Another thread of this process (or a copy of the library keeping no shared registry), and a lock of this pid
    // naming no start (an older version): either may be a live holding of this process, which renews its lease.
    const start = fileLockProcessStart();
    for (const [name, after] of [
      ['thread', start === undefined ? '' : ` ${start}`],
      ['no-start', ''],
    ] as const) {
      const lock = join(home, `same-pid-${name}.lock`);
      await writeFile(lock, `${process.pid} ${'ab'.repeat(16)} ${fileLockPlace()}${after}`);
      await expectRefused(lock, { code: ErrorCode.Io });
      // Its holder crashed with the process's thread: untouched past the lease, it is taken over.
      const past = new Date(Date.now() - 2 * FILE_LOCK_LEASE_MS);
      await utimes(lock, past, past);
      await expect(withFileLock(lock, async () => 'ran', 100)).resolves.toBe('ran');
      expect(await readdir(home)).not.toContain(`same-pid-${name}.lock`);
    }
  });

  it('takes over a lock of a live pid started at another time than the lock says (the pid reused)', async () => {
    const start = fileLockProcessStart();
    if (start === undefined) return;
    const lock = join(home, 'reused.lock');
    // The parent process is alive, but it is not the process that wrote this lock: that one started at tick 1.
    await writeFile(lock, `${process.ppid} ${'ab'.repeat(16)} ${fileLockPlace()} 1`);
    await expect(withFileLock(lock, async () => 'ran', 100)).resolves.toBe('ran');
  });

  it('holds a lock written elsewhere (or by an older version) until its lease ends, whatever its pid', async () => {
    for (const [name, text] of [
      ['elsewhere', `${2 ** 30} ${'ab'.repeat(16)} ${'0f'.repeat(16)}`],
      ['older', String(2 ** 30)],
    ] as const) {
      const lock = join(home, `leased-${name}.lock`);
      await writeFile(lock, text);
      await expectRefused(lock, { code: ErrorCode.Io });
      const past = new Date(Date.now() - 2 * FILE_LOCK_LEASE_MS);
      await utimes(lock, past, past);
      await expect(withFileLock(lock, async () => 'ran', 100)).resolves.toBe('ran');
      expect(await readdir(home)).not.toContain(`leased-${name}.lock`);
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

  it('runs steps on one lock one at a time whatever the spelling of its path, queued rather than refused', async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(`${name} in`);
      // Longer than the wait allowed: a step refused for the other's live lock would fail with IO.
      await new Promise((resolve) => setTimeout(resolve, 150));
      order.push(`${name} out`);
    };
    await Promise.all([
      withFileLock(join(home, 'spelled.lock'), step('a'), 100),
      withFileLock(`${home}/./spelled.lock`, step('b'), 100),
    ]);
    expect(order).toEqual(['a in', 'a out', 'b in', 'b out']);
  });
});

describe('withFileLock takeover claims', () => {
  it('takes over a stale lock whose takeover claim a crashed taker left, and removes both', async () => {
    const lock = join(home, 'claimed.lock');
    const dead = String(2 ** 30);
    await writeExpired(lock, dead);
    // A taker that crashed after claiming the stale holding (an older version's lock: pid alone, named with its inode).
    const generation = `${dead}@${(await stat(lock)).ino}`;
    const claim = `${lock}.${createHash('sha256').update(generation).digest('hex').slice(0, 32)}.takeover`;
    await writeFile(claim, `${dead} ${'ab'.repeat(16)} ${fileLockPlace()}`);
    await expect(withFileLock(lock, async () => 'ran', 100)).resolves.toBe('ran');
    expect((await readdir(home)).filter((name) => name.startsWith('claimed.lock'))).toEqual([]);
  });

  it('waits for a live taker whose claim is in place, then refuses with IO', async () => {
    const lock = join(home, 'claimed-live.lock');
    const dead = String(2 ** 30);
    await writeExpired(lock, dead);
    const generation = `${dead}@${(await stat(lock)).ino}`;
    const claim = `${lock}.${createHash('sha256').update(generation).digest('hex').slice(0, 32)}.takeover`;
    // The parent process, alive, is taking the stale lock over: nobody else may replace it meanwhile.
    await writeFile(claim, `${process.ppid} ${'cd'.repeat(16)} ${fileLockPlace()}`);
    await expectRefused(lock, { code: ErrorCode.Io, message: expect.stringMatching(/being taken over/) });
    expect(await readdir(home)).toContain('claimed-live.lock');
  });
});
