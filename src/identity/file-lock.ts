import { constants } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { AgoraError, ErrorCode } from '../core/index.js';

/** How long a step waits for a lock another live process holds before giving up with `IO`. */
export const FILE_LOCK_WAIT_MS = 2_000;
/** A lock file still empty this long after it was made is a crash's between creating it and writing the pid. */
const EMPTY_LOCK_STALE_MS = 10_000;

/** Steps holding or waiting for each lock path in this process, chained: the pid in a lock file is per process. */
const chains = new Map<string, Promise<unknown>>();

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the lock file at `lock` may be taken over: its holder is gone. */
async function isStale(lock: string): Promise<boolean> {
  const text = await readFile(lock, 'utf8').catch(() => undefined);
  if (text === undefined) return false; // gone meanwhile: the next attempt creates it
  const pid = Number(text);
  if (text === '' || !Number.isSafeInteger(pid) || pid <= 0) {
    const made = await stat(lock).catch(() => undefined);
    return made !== undefined && Date.now() - made.mtimeMs > EMPTY_LOCK_STALE_MS;
  }
  // Steps of this process are chained before they reach the file: a lock naming this pid is a crashed earlier
  // process's whose pid was reused (always pid 1 in a container).
  return pid === process.pid || !isAlive(pid);
}

async function acquire(lock: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      return;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new AgoraError(ErrorCode.Io, `cannot lock ${lock}: ${(cause as Error).message}`, { cause });
    }
    if (await isStale(lock)) {
      await unlink(lock).catch(() => {});
      continue;
    }
    if (Date.now() >= deadline) {
      const holder = await readFile(lock, 'utf8').catch(() => '');
      throw new AgoraError(
        ErrorCode.Io,
        `${lock} is held by process ${holder || 'unknown'}: another process of this agent is using the file`,
      );
    }
    await sleep(20);
  }
}

/**
 * Runs `step` holding the lock file `lock` (created exclusively, holding this process's id): other processes wait
 * for it (up to `waitMs`, then `IO`), and so do other steps of this process on the same path. A lock whose process
 * is gone is taken over. Two processes taking over one stale lock at the same moment can both hold it: a crash and
 * a race at once.
 */
export async function withFileLock<T>(
  lock: string,
  step: () => Promise<T>,
  waitMs = FILE_LOCK_WAIT_MS,
): Promise<T> {
  const before = chains.get(lock) ?? Promise.resolve();
  const run = before.then(async () => {
    await acquire(lock, waitMs);
    try {
      return await step();
    } finally {
      await unlink(lock).catch(() => {});
    }
  });
  const settled = run.catch(() => undefined);
  chains.set(lock, settled);
  void settled.then(() => {
    if (chains.get(lock) === settled) chains.delete(lock);
  });
  return run;
}
