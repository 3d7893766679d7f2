// Issue 18 sixth review (medium): the credential history's file lock judges a lock naming this place and this
// pid as a dead process's ("its pid reused by this one"), assuming every step of this process on the file is chained
// before it reaches the lock. The chain is a module-level map keyed by the lock's path string, so that holds only for
// one module instance and one spelling of the path. A worker thread (same pid, its own modules: an agent running its
// fetches in a worker pool), a second copy of the library in one process, or the same home reached by another path
// (a symlink, `home/./x`) sees a lock held right now by a live step of this process as stale, takes it over at once
// and runs its step beside it. Two check-and-records then read the same document: here one gives a provider's node
// the agent id (`claimNamed` true) while the other shows that node a pseudonym (`claimAnonymous` resolves), the link
// the history exists to prevent, and the first write drops the other's mark from the file.
// Fixed: a lock naming this pid is never taken over by its pid alone. The lock names the process's start too (Linux's
// `/proc/self/stat`): another start is an earlier process's whose pid this one reuses, taken over at once. Otherwise
// a holding this thread knows of (a registry on `globalThis`, shared by every copy of the module loaded in it) is
// live, and any other (a worker's, a copy keeping no registry) is held until its lease ends, which a live holder
// renews. Steps of one thread queue per file, by its directory's device and inode and its name, whatever the
// spelling of its path. Here the worker waits its 2 s and fails with IO; the second spelling queues behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentStateStore, fileAgentState } from '../../src/identity/index.js';
import { CredentialHistory } from '../../src/l402/index.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-history-same-pid-'));
});
afterAll(() => rm(home, { recursive: true, force: true }));

const node = `node:02${'cd'.repeat(32)}`;
const provider = ['origin:https://provider.test', node];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The history store at `path`, whose reads once `armed` wait for `hold` after reading (inside the lock): a step that
 * takes a moment (a slow disk, a large history), during which another step on the file must wait.
 */
function slowStore(
  path: string,
  inside: () => void,
  hold: Promise<unknown>,
): { store: AgentStateStore; arm: () => void } {
  const base = fileAgentState(path);
  let armed = false;
  const store: AgentStateStore = {
    ...base,
    read: async () => {
      const text = await base.read();
      if (!armed) return text;
      inside();
      // At most 3 s: past the 2 s another step waits for a live holder before failing with IO.
      await Promise.race([hold, sleep(3_000)]);
      return text;
    },
  };
  return {
    store,
    arm: () => {
      armed = true;
    },
  };
}

/** A worker thread of this process (its own module instances of the built library) that claims `keys` anonymous. */
function anonymousInWorker(path: string, keys: string[]) {
  const dist = join(import.meta.dirname, '../../dist');
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
    (async () => {
      const { fileAgentState } = await import(workerData.identity);
      const { CredentialHistory } = await import(workerData.l402);
      const history = await CredentialHistory.open(fileAgentState(workerData.path));
      parentPort.postMessage({ ready: true });
      parentPort.once('message', async () => {
        try {
          await history.claimAnonymous(workerData.keys);
          parentPort.postMessage({ ok: true });
        } catch (error) {
          parentPort.postMessage({ ok: false, code: error.code });
        }
      });
    })();`,
    {
      eval: true,
      workerData: {
        path,
        keys,
        identity: pathToFileURL(join(dist, 'identity/index.js')).href,
        l402: pathToFileURL(join(dist, 'l402/index.js')).href,
      },
    },
  );
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const run = () =>
    new Promise<{ ok: boolean; code?: string }>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage('go');
    });
  return { ready, run, stop: () => worker.terminate() };
}

describe("a lock held by a live step of this process is not taken over by another of this process's threads or paths", () => {
  it('a worker thread does not show a pseudonym to a node the main thread is giving the agent id', async () => {
    const path = join(home, 'credential-history.json');
    const worker = anonymousInWorker(path, provider);
    try {
      await worker.ready;
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => {
        inside = resolve;
      });
      let workerDone!: (value: unknown) => void;
      const done = new Promise((resolve) => {
        workerDone = resolve;
      });
      // The main thread is deciding whether to send Agora-Payer to the node: it holds the lock, has read the file.
      const slow = slowStore(path, () => inside(), done);
      const main = await CredentialHistory.open(slow.store);
      slow.arm();
      const named = main.claimNamed(provider);
      await entered;
      // Meanwhile a worker of the same agent is about to prove a credential for that node.
      const anonymous = await worker.run();
      workerDone(anonymous);
      const idSent = await named;
      // Not both: the node never gets the agent id and a pseudonym.
      expect(idSent && anonymous.ok).toBe(false);
    } finally {
      await worker.stop();
    }
  });

  it('the same history reached by two spellings of its path keeps one step at a time', async () => {
    const path = join(home, 'aliased.json');
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let otherDone!: (value: unknown) => void;
    const done = new Promise((resolve) => {
      otherDone = resolve;
    });
    const slow = slowStore(path, () => inside(), done);
    const main = await CredentialHistory.open(slow.store);
    slow.arm();
    // The same file through `./` (as a symlinked home or a relative path would name it).
    const other = await CredentialHistory.open(fileAgentState(`${home}/./aliased.json`));
    const named = main.claimNamed(provider);
    await entered;
    const anonymous = await other.claimAnonymous(provider).then(
      () => true,
      () => false,
    );
    otherDone(anonymous);
    const idSent = await named;
    // Not both: the node never gets the agent id and a pseudonym.
    expect(idSent && anonymous).toBe(false);
  });
});
