// Issue 18 fifth review: the agent's credential history is shared by its processes through `<path>.lock`, and a lock
// naming this process's own pid is taken for a crashed earlier process's ("always pid 1 in a container"). Two
// containers of one agent sharing its home (a mounted volume) both run as pid 1: each takes the other's live lock
// over at once, and both check-and-record on their own copy at the same time, which is the two-process race the
// lock was made against (one gives the agent id to a provider the other is showing the pseudonym). The same holds for
// any holder in another pid namespace or on another host sharing the file: its pid is not alive here.
// Simulated here by a fresh lock, written whole as another process writes it, naming this pid with another nonce,
// as an older version wrote it (no place) and as a process in another container writes it (another place).
// Fixed: a pid is checked only in the place (host, boot, pid namespace) that wrote it; any other lock is held until
// its lease ends (FILE_LOCK_LEASE_MS untouched), which a live holder renews.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { withFileLock } from '../../src/identity/file-lock.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-lock-ns-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

describe("a lock held by another container's process with this pid is not taken over", () => {
  it.each([
    ['an older version', ''],
    ['another container', ` ${'0f'.repeat(16)}`],
  ])('waits for a fresh lock naming this pid with a nonce this process never made (%s)', async (_, place) => {
    const lock = join(home, `credential-history-${place.length}.json.lock`);
    // The other container's pid 1, holding the lock now (its step under way).
    await writeFile(lock, `${process.pid} ${randomBytes(16).toString('hex')}${place}`);
    let ran = false;
    const result = await withFileLock(
      lock,
      async () => {
        ran = true;
      },
      200,
    ).catch((error: unknown) => error);
    // The attack's measure: this process runs its step while the other holds the lock.
    expect(ran).toBe(false);
    expect(result).toMatchObject({ code: ErrorCode.Io });
  });
});
