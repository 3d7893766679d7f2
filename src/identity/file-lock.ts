import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { link, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { AgoraError, ErrorCode } from '../core/index.js';

/** How long a step waits for a lock another live process holds before giving up with `IO`. */
export const FILE_LOCK_WAIT_MS = 2_000;
/**
 * A lock file still empty (or unreadable as `<pid> <nonce>`) this long after it was made: a crash of an older
 * version between creating it and writing the pid, or a file cut short by a power loss.
 */
const EMPTY_LOCK_STALE_MS = 10_000;

/**
 * A lease: a lock whose holder's liveness cannot be checked from here (written on another host, after another boot,
 * in another pid namespace such as another container, or by an older version naming no host) is taken for a dead
 * holder's only once its file has not been touched for this long. A live holder touches it every quarter of this
 * while its step runs, so a step outlasting the lease keeps its lock.
 */
export const FILE_LOCK_LEASE_MS = 30_000;

const readOr = (read: () => string): string => {
  try {
    return read().trim();
  } catch {
    return '';
  }
};

/**
 * Where a pid means this process table: the host name, the boot (Linux's boot id) and the pid namespace (a
 * container's own), hashed to 32 hex digits. Only a lock naming this same place is checked by its pid: anywhere else
 * the same pid is another process, whose liveness `kill(pid, 0)` here says nothing about.
 */
const PLACE = createHash('sha256')
  .update(
    [
      hostname(),
      readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
      readOr(() => readlinkSync('/proc/self/ns/pid')),
    ].join('\n'),
  )
  .digest('hex')
  .slice(0, 32);

/** The place {@link withFileLock} writes in its locks after the pid and nonce: for tests that plant a lock. */
export const fileLockPlace = (): string => PLACE;

/**
 * When process `pid` started, in clock ticks after boot (Linux's `/proc/<pid>/stat`, field 22); undefined where it
 * cannot be read. With the pid it names one process for good: a pid reused after a crash has another start.
 */
function startOf(pid: number | 'self'): string | undefined {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  // The command name (field 2, in parentheses) may hold spaces and parentheses: the fields after it are counted.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^[0-9]+$/.test(start) ? start : undefined;
}

/** This process's start, written in its locks after the place (where known): every thread of it writes the same. */
const START = startOf('self');

/** The start {@link withFileLock} writes in its locks after the place (undefined where not known): for tests. */
export const fileLockProcessStart = (): string | undefined => START;

/**
 * This thread's holdings, shared by every copy of this module loaded in it (a second copy of the library, another
 * version) through one `globalThis` entry: the steps holding or waiting for each lock file, chained, keyed by the
 * file's directory (device and inode) and name, so two spellings of one path (a symlink, `./`) are one chain; and the
 * nonces of the locks its steps hold or are taking, which are never a dead process's.
 */
interface ThreadLocks {
  readonly chains: Map<string, Promise<unknown>>;
  readonly held: Set<string>;
}

const THREAD_LOCKS = Symbol.for('agora402/file-lock/v1');

const threadLocks = (): ThreadLocks => {
  const shared = globalThis as { [THREAD_LOCKS]?: ThreadLocks };
  shared[THREAD_LOCKS] ??= { chains: new Map(), held: new Set() };
  return shared[THREAD_LOCKS];
};

/** The lock file `lock` whatever the spelling of its path: its directory's device and inode, and its name. */
function lockKey(lock: string): string {
  try {
    const directory = statSync(dirname(lock));
    return `${directory.dev}:${directory.ino}/${basename(lock)}`;
  } catch {
    // No directory: the lock cannot be made, and the step fails with IO whatever its chain.
    return resolve(lock);
  }
}

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

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

const ioError = (path: string, cause: unknown) =>
  new AgoraError(ErrorCode.Io, `cannot lock ${path}: ${(cause as Error).message}`, { cause });

/** What a lock (or takeover claim) file holds when seen: its text and which file it was. */
interface Seen {
  readonly text: string;
  /**
   * Names this holding and no other: the text (`<pid> <nonce> <place> <start>`, the nonce fresh per holding) or,
   * for a file of an older version (the pid alone, or empty), the text and the inode.
   */
  readonly generation: string;
  readonly stale: boolean;
}

/** The lock or claim file at `path` as it is now, or undefined when there is none. */
async function look(path: string): Promise<Seen | undefined> {
  let text: string;
  let made: Awaited<ReturnType<typeof stat>>;
  try {
    [text, made] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch (cause) {
    if (code(cause) === 'ENOENT') return undefined;
    throw ioError(path, cause);
  }
  const [pidText, nonce, place, start] = text.split(' ');
  const pid = Number(pidText);
  const generation = nonce !== undefined && /^[0-9a-f]{32}$/.test(nonce) ? text : `${text}@${made.ino}`;
  const age = Date.now() - made.mtimeMs;
  if (pidText === '' || !Number.isSafeInteger(pid) || pid <= 0)
    return { text, generation, stale: age > EMPTY_LOCK_STALE_MS };
  // A pid is checked only where it was written: another host, boot or pid namespace (two containers of one agent
  // sharing its home both run as pid 1), or an older version's lock naming no place, is held until its lease ends.
  if (place !== PLACE) return { text, generation, stale: age > FILE_LOCK_LEASE_MS };
  const leased = age > FILE_LOCK_LEASE_MS;
  if (pid === process.pid) {
    // This pid: a holding of this thread (any copy of this module) is live. Another start is a crashed earlier
    // process's, whose pid this one reuses. Otherwise it may be a live holding of another thread of this process (a
    // worker, with its own modules) or of a copy of this module that keeps no shared registry: it renews its lease
    // while it holds, so it is taken for a dead holder's only once its lease ended.
    if (nonce !== undefined && threadLocks().held.has(nonce)) return { text, generation, stale: false };
    if (start !== undefined && START !== undefined && start !== START)
      return { text, generation, stale: true };
    return { text, generation, stale: leased };
  }
  // Another pid here: dead, or alive under another start (its pid reused since by another process).
  const now = start === undefined ? undefined : startOf(pid);
  return { text, generation, stale: !isAlive(pid) || (now !== undefined && now !== start) };
}

/**
 * Creates `path` holding `text`, whole, if no file is there: written beside it, then hard-linked into place (`link`
 * fails when the name exists, atomically), so a lock is never seen empty. False when `path` exists.
 */
async function create(path: string, text: string): Promise<boolean> {
  const temporary = `${path}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, text, { flag: 'wx', mode: 0o600 });
    await link(temporary, path);
    return true;
  } catch (cause) {
    if (code(cause) === 'EEXIST') return false;
    throw ioError(path, cause);
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** The claim file that gives one process the right to replace the holding `generation` names. */
const claimOf = (lock: string, generation: string): string =>
  `${lock}.${createHash('sha256').update(generation).digest('hex').slice(0, 32)}.takeover`;

/**
 * Replaces the stale lock `seen` by one holding `mine`; false when another process is taking it over or took it.
 *
 * Removing a stale lock and creating a new one are two steps: two takers that both saw it stale could each remove
 * it, the second removing the first's new lock, and both would hold it. So a taker first creates, exclusively, the
 * claim file named by the stale holding's generation: one taker per holding. It then checks the lock is still that
 * holding (a lock that holding names can only be replaced by the claim's owner: plain acquirers only create, and
 * creating fails while the file exists) and renames its own lock over it, atomically. A claim whose owner died is
 * itself taken over the same way, by the claim named by its generation.
 */
async function takeOver(lock: string, seen: Seen, mine: string): Promise<boolean> {
  // Claims of dead takers passed through on the way: removed only once the lock is replaced. Removed before, one
  // would let a third taker claim the holding again while the live owner of the next claim is still at work.
  const passed: string[] = [];
  let generation = seen.generation;
  let claim = claimOf(lock, generation);
  while (!(await create(claim, mine))) {
    const holder = await look(claim);
    // Gone: its owner finished, so the lock is another holding now (or free). Alive: its owner is at work.
    if (holder === undefined || !holder.stale) return false;
    passed.push(claim);
    generation = holder.generation;
    claim = claimOf(lock, generation);
  }
  let replaced = false;
  try {
    if ((await look(lock))?.generation !== seen.generation) return false;
    const temporary = `${lock}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, mine, { flag: 'wx', mode: 0o600 });
      await rename(temporary, lock);
    } catch (cause) {
      await unlink(temporary).catch(() => {});
      throw ioError(lock, cause);
    }
    replaced = true;
    return true;
  } finally {
    // The holding these claims name has left the lock for good (its nonce is never made again): a taker creating
    // one of them anew finds the lock is another holding and backs off.
    for (const done of replaced ? [claim, ...passed] : [claim]) await unlink(done).catch(() => {});
  }
}

async function acquire(lock: string, mine: string, waitMs: number): Promise<string> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (await create(lock, mine)) return mine;
    const seen = await look(lock);
    if (seen === undefined) continue; // released meanwhile: create it
    if (seen.stale && (await takeOver(lock, seen, mine))) return mine;
    // A live holder, or a live process taking a dead one's lock over: both are using the file.
    if (Date.now() >= deadline)
      throw new AgoraError(
        ErrorCode.Io,
        seen.stale
          ? `${lock} is being taken over by another process of this agent`
          : `${lock} is held by process ${seen.text.split(' ')[0] || 'unknown'}: another process of this agent is using the file`,
      );
    await sleep(20);
  }
}

/** Removes the lock if it still holds `mine`: a lock taken over meanwhile (its holder thought dead) is not ours. */
async function release(lock: string, mine: string): Promise<void> {
  const text = await readFile(lock, 'utf8').catch(() => undefined);
  if (text === mine) await unlink(lock).catch(() => {});
}

/**
 * Runs `step` holding the lock file `lock` (made whole as `<pid> <nonce> <place> <start>`: this process's id, a fresh
 * nonce, where that pid means this process, see {@link fileLockPlace}, and when this process started, where known):
 * other processes and threads wait for it (up to `waitMs`, then `IO`), and other steps of this thread on the same file
 * (by any spelling of its path, through any copy of this module) queue behind it. A lock is taken for a dead holder's
 * when it names this place and a pid not alive here or started at another time than the lock says (this pid too:
 * an earlier process's), or, written anywhere else, by an older version, or by this process with a nonce this thread
 * is not holding (another thread's), when untouched for {@link FILE_LOCK_LEASE_MS}, which a live holder renews; it is
 * then taken over by exactly one of the processes finding it so, through a claim file made exclusively
 * (`<lock>.<generation>.takeover`), then renamed over.
 */
export async function withFileLock<T>(
  lock: string,
  step: () => Promise<T>,
  waitMs = FILE_LOCK_WAIT_MS,
): Promise<T> {
  const { chains, held } = threadLocks();
  const key = lockKey(lock);
  const before = chains.get(key) ?? Promise.resolve();
  const run = before.then(async () => {
    const nonce = randomBytes(16).toString('hex');
    held.add(nonce);
    let mine: string;
    try {
      mine = await acquire(
        lock,
        `${process.pid} ${nonce} ${PLACE}${START === undefined ? '' : ` ${START}`}`,
        waitMs,
      );
    } catch (error) {
      held.delete(nonce);
      throw error;
    }
    // Touched while held: a process elsewhere (another container) judges this lock by its age alone.
    const lease = setInterval(() => {
      void readFile(lock, 'utf8')
        .then((text) => (text === mine ? utimes(lock, new Date(), new Date()) : undefined))
        .catch(() => {});
    }, FILE_LOCK_LEASE_MS / 4);
    lease.unref();
    try {
      return await step();
    } finally {
      clearInterval(lease);
      await release(lock, mine);
      held.delete(nonce);
    }
  });
  const settled = run.catch(() => undefined);
  chains.set(key, settled);
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key);
  });
  return run;
}
