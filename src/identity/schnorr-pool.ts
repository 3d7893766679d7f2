import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { wasmSchnorr } from './schnorr.js';

/** One signature to check: 64-byte BIP-340 signature, 32-byte message, 32-byte x-only public key. */
export interface SignatureCheck {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

// The worker is plain JavaScript given as text, so that it runs the same from the TypeScript sources (tests, tsx)
// and from the compiled package; it loads libsecp256k1 (tiny-secp256k1) from the path the main thread resolved.
// A request packs n checks as signatures (64 n bytes), messages (32 n) and keys (32 n); the answer is n bytes, 1 for
// a valid signature. Sizes are checked by the main thread before anything is sent.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.secp256k1).then((secp) => {
  parentPort.on('message', ({ id, count, signatures, messages, keys }) => {
    const verdicts = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      try {
        verdicts[i] = secp.verifySchnorr(
          messages.subarray(i * 32, i * 32 + 32),
          keys.subarray(i * 32, i * 32 + 32),
          signatures.subarray(i * 64, i * 64 + 64),
        ) ? 1 : 0;
      } catch {
        verdicts[i] = 0;
      }
    }
    parentPort.postMessage({ id, verdicts }, [verdicts.buffer]);
  });
  parentPort.postMessage({ ready: true });
});
`;

/** Below this many checks a batch is verified on the calling thread: messaging would cost more than it saves. */
const MIN_PARALLEL = 64;

interface Pending {
  resolve(verdicts: Uint8Array): void;
  reject(error: Error): void;
}

/** One worker thread and its outstanding requests. */
class VerifyWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | undefined;

  constructor(secp256k1: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { secp256k1 } });
    // An idle worker never keeps the process alive; one with work does (its answer is awaited).
    this.worker.unref();
    this.worker.on('message', (message: { id?: number; verdicts?: Uint8Array }) => {
      if (message.id === undefined) return;
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      pending?.resolve(message.verdicts as Uint8Array);
    });
    const fail = (error: Error) => {
      this.failed = error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      this.worker.unref();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`signature worker exited with code ${code}`)));
  }

  get usable(): boolean {
    return this.failed === undefined;
  }

  verify(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    const count = checks.length;
    const signatures = new Uint8Array(count * 64);
    const messages = new Uint8Array(count * 32);
    const keys = new Uint8Array(count * 32);
    checks.forEach((check, i) => {
      signatures.set(check.signature, i * 64);
      messages.set(check.message, i * 32);
      keys.set(check.publicKey, i * 32);
    });
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.failed !== undefined) return reject(this.failed);
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, count, signatures, messages, keys }, [
        signatures.buffer,
        messages.buffer,
        keys.buffer,
      ]);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

function wellSized({ signature, message, publicKey }: SignatureCheck): boolean {
  return signature.length === 64 && message.length === 32 && publicKey.length === 32;
}

/**
 * BIP-340 verification spread over worker threads (libsecp256k1 in each), for bulk checks such as a ledger batch:
 * a batch is cut into one slice per worker plus one for the calling thread, which verifies its own slice while the
 * workers do theirs. Verdicts come back in input order and are those of {@link wasmSchnorr} on every input; a
 * worker that fails has its slice verified on the calling thread instead, so a verdict never depends on the pool.
 */
export class SchnorrPool {
  private workers: VerifyWorker[] | undefined;
  private readonly secp256k1: string;

  /** @param size Worker threads (default: one per core beyond the first; 0 verifies on the calling thread). */
  constructor(readonly size: number = Math.max(0, availableParallelism() - 1)) {
    this.secp256k1 = pathToFileURL(createRequire(import.meta.url).resolve('tiny-secp256k1')).href;
  }

  /** The verdict of each check, in order. */
  async verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    const verdicts = new Array<boolean>(checks.length).fill(false);
    // Malformed sizes are refused here, as `wasmSchnorr` refuses them, and never sent.
    const indices: number[] = [];
    checks.forEach((check, i) => {
      if (wellSized(check)) indices.push(i);
    });
    const workers = this.size > 0 && indices.length >= MIN_PARALLEL ? this.started() : [];
    const share = Math.ceil(indices.length / (workers.length + 1));
    const slices = workers.map((worker, w) => ({
      worker,
      part: indices.slice((w + 1) * share, (w + 2) * share),
    }));
    const sent = slices.map(({ worker, part }) =>
      part.length === 0
        ? Promise.resolve(new Uint8Array(0))
        : worker.verify(part.map((i) => checks[i] as SignatureCheck)),
    );
    const local = (part: readonly number[]) => {
      for (const i of part) {
        const { signature, message, publicKey } = checks[i] as SignatureCheck;
        verdicts[i] = wasmSchnorr.verify(signature, message, publicKey);
      }
    };
    local(indices.slice(0, share));
    const answers = await Promise.allSettled(sent);
    answers.forEach((answer, w) => {
      const { part } = slices[w] as (typeof slices)[number];
      if (answer.status === 'rejected') local(part);
      else for (const [k, i] of part.entries()) verdicts[i] = answer.value[k] === 1;
    });
    return verdicts;
  }

  /** Stops the workers (they are started again if the pool is used later). */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private started(): VerifyWorker[] {
    if (this.workers === undefined || this.workers.some((worker) => !worker.usable)) {
      const old = this.workers ?? [];
      this.workers = Array.from({ length: this.size }, () => new VerifyWorker(this.secp256k1));
      for (const worker of old) void worker.terminate();
    }
    return this.workers;
  }
}

let shared: SchnorrPool | undefined;

/** The process-wide pool, started on first use; its idle workers never keep the process alive. */
export function sharedSchnorrPool(): SchnorrPool {
  shared ??= new SchnorrPool();
  return shared;
}
