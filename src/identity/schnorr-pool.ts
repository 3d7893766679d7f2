import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isPrivate } from 'tiny-secp256k1';
import { AgoraError, ErrorCode } from '../core/index.js';
import { nativeSecp256k1Path, type RecoveryJob, recoverPublicKey } from './ecdsa-recover.js';
import { isKnownSignature, rememberSignature, rememberSignedBy } from './known-signatures.js';
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
// A signing request packs n messages (32 n bytes), secret keys (32 n) and auxiliary randomness (32 n); the answer is
// the n signatures (64 n bytes).
// A recovery request (ECDSA, a BOLT 11 invoice's payee) packs n hashes (32 n bytes), compact signatures (64 n) and
// recovery ids (n); the answer is n compressed keys (33 n bytes), all zeros where none is recovered. Recoveries use
// the native libsecp256k1 binding when the main thread found one (see ecdsa-recover.ts), the same library compiled.
// A close request ends the thread after the requests before it: a thread stopped from outside while inside that
// native binding aborts the whole process.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let native;
try {
  if (workerData.native) native = require(workerData.native);
} catch {}
import(workerData.secp256k1).then((secp) => {
  parentPort.on('message', ({ id, count, signatures, messages, keys, sign, aux, recover, recoveryIds, close }) => {
    if (close) process.exit(0);
    if (recover) {
      const found = new Uint8Array(count * 33);
      for (let i = 0; i < count; i++) {
        try {
          const hash = messages.subarray(i * 32, i * 32 + 32);
          const signature = signatures.subarray(i * 64, i * 64 + 64);
          const key = native
            ? native.ecdsaRecover(signature, recoveryIds[i], hash, true)
            : secp.recover(hash, signature, recoveryIds[i], true);
          if (key) found.set(key, i * 33);
        } catch {}
      }
      parentPort.postMessage({ id, keys: found }, [found.buffer]);
      return;
    }
    if (sign) {
      const made = new Uint8Array(count * 64);
      for (let i = 0; i < count; i++) {
        const at = i * 32;
        made.set(secp.signSchnorr(messages.subarray(at, at + 32), keys.subarray(at, at + 32), aux.subarray(at, at + 32)), i * 64);
      }
      parentPort.postMessage({ id, signatures: made }, [made.buffer]);
      return;
    }
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

/** One message to sign: 32-byte message, 32-byte secret key, 32 bytes of auxiliary randomness (BIP-340). */
export interface SigningJob {
  readonly message: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly auxRand: Uint8Array;
}

export type { RecoveryJob } from './ecdsa-recover.js';

/** How long a closing worker may take to finish its requests before it is stopped from outside. */
const CLOSE_GRACE_MS = 10_000;

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
  private exited = false;

  constructor(secp256k1: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { secp256k1, native: nativeSecp256k1Path },
    });
    // An idle worker never keeps the process alive; one with work does (its answer is awaited).
    this.worker.unref();
    this.worker.on(
      'message',
      (message: { id?: number; verdicts?: Uint8Array; signatures?: Uint8Array; keys?: Uint8Array }) => {
        if (message.id === undefined) return;
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (this.pending.size === 0) this.worker.unref();
        pending?.resolve((message.verdicts ?? message.signatures ?? message.keys) as Uint8Array);
      },
    );
    const fail = (error: Error) => {
      this.failed = error;
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      this.worker.unref();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      this.exited = true;
      fail(new Error(`signature worker exited with code ${code}`));
    });
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
    return this.request({ count, signatures, messages, keys }, [
      signatures.buffer,
      messages.buffer,
      keys.buffer,
    ]);
  }

  /** BIP-340 signatures of `jobs`, in order, packed 64 bytes each. */
  sign(jobs: readonly SigningJob[]): Promise<Uint8Array> {
    const count = jobs.length;
    const messages = new Uint8Array(count * 32);
    const keys = new Uint8Array(count * 32);
    const aux = new Uint8Array(count * 32);
    jobs.forEach((job, i) => {
      messages.set(job.message, i * 32);
      keys.set(job.secretKey, i * 32);
      aux.set(job.auxRand, i * 32);
    });
    return this.request({ sign: true, count, messages, keys, aux }, [
      messages.buffer,
      keys.buffer,
      aux.buffer,
    ]);
  }

  /** The compressed key each job recovers, packed 33 bytes each (zeros: none). */
  recover(jobs: readonly RecoveryJob[]): Promise<Uint8Array> {
    const count = jobs.length;
    const messages = new Uint8Array(count * 32);
    const signatures = new Uint8Array(count * 64);
    const recoveryIds = new Uint8Array(count);
    jobs.forEach((job, i) => {
      messages.set(job.hash, i * 32);
      signatures.set(job.signature, i * 64);
      recoveryIds[i] = job.recoveryId;
    });
    return this.request({ recover: true, count, messages, signatures, recoveryIds }, [
      messages.buffer,
      signatures.buffer,
      recoveryIds.buffer,
    ]);
  }

  private request(message: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<Uint8Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.failed !== undefined) return reject(this.failed);
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /**
   * Ends the thread once it has answered what it was sent, from inside: `Worker.terminate` stops a thread wherever it
   * is, and one stopped inside the native libsecp256k1 binding aborts the process. Stopped from outside only if it
   * has not ended after {@link CLOSE_GRACE_MS}.
   */
  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => void this.worker.terminate(), CLOSE_GRACE_MS);
      timer.unref();
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      // Whoever awaits the close keeps the process alive until the thread has ended.
      this.worker.ref();
      this.worker.postMessage({ close: true });
    });
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
    // Malformed sizes are refused here, as `wasmSchnorr` refuses them, and never sent; signatures this process
    // already verified or made are valid without the arithmetic (see known-signatures.ts).
    const indices: number[] = [];
    checks.forEach((check, i) => {
      if (!wellSized(check)) return;
      if (isKnownSignature(check.signature, check.message, check.publicKey)) verdicts[i] = true;
      else indices.push(i);
    });
    await this.spread(
      indices,
      (worker, part) => worker.verify(part.map((i) => checks[i] as SignatureCheck)),
      (part) => {
        for (const i of part) {
          const { signature, message, publicKey } = checks[i] as SignatureCheck;
          verdicts[i] = wasmSchnorr.verify(signature, message, publicKey);
        }
      },
      (answer, part) => {
        for (const [k, i] of part.entries()) verdicts[i] = answer[k] === 1;
      },
    );
    for (const i of indices) {
      const { signature, message, publicKey } = checks[i] as SignatureCheck;
      if (verdicts[i]) rememberSignature(signature, message, publicKey);
    }
    return verdicts;
  }

  /**
   * BIP-340 signatures of each job, in order, made on the worker threads so that the calling thread stays free for
   * other work while they are made (on the calling thread when the pool has no worker, or when its worker fails).
   * Each signature is remembered as valid under the key its secret gives (see known-signatures.ts); `INVALID_KEY`
   * for a secret out of range, as signing on the calling thread would.
   */
  async signMany(jobs: readonly SigningJob[]): Promise<Uint8Array[]> {
    for (const { message, secretKey, auxRand } of jobs)
      if (message.length !== 32 || secretKey.length !== 32 || auxRand.length !== 32 || !isPrivate(secretKey))
        throw new AgoraError(ErrorCode.InvalidKey, 'signing needs a 32-byte message, secret key and aux');
    const signHere = (part: readonly SigningJob[]) =>
      part.map((job) => wasmSchnorr.sign(job.message, job.secretKey, job.auxRand));
    let signatures: Uint8Array[];
    if (this.size === 0 || jobs.length === 0) signatures = signHere(jobs);
    else {
      const workers = this.started();
      const share = Math.ceil(jobs.length / workers.length);
      const answers = await Promise.allSettled(
        workers.map((worker, w) => {
          const part = jobs.slice(w * share, (w + 1) * share);
          return part.length === 0 ? Promise.resolve(new Uint8Array(0)) : worker.sign(part);
        }),
      );
      signatures = answers.flatMap((answer, w) => {
        const part = jobs.slice(w * share, (w + 1) * share);
        if (answer.status === 'rejected') return signHere(part);
        return part.map((_, k) => answer.value.slice(k * 64, k * 64 + 64));
      });
    }
    jobs.forEach((job, i) => {
      rememberSignedBy(signatures[i] as Uint8Array, job.message, job.secretKey);
    });
    return signatures;
  }

  /**
   * ECDSA public-key recoveries (a BOLT 11 invoice's payee, its decoding's cost), spread as `verifyMany` spreads
   * checks: each job's compressed key in order, or null where libsecp256k1 recovers none, as on the calling thread
   * (where a failed worker's share is done). Malformed sizes recover nothing and are never sent.
   */
  async recoverMany(jobs: readonly RecoveryJob[]): Promise<(Uint8Array | null)[]> {
    const found = new Array<Uint8Array | null>(jobs.length).fill(null);
    const indices: number[] = [];
    jobs.forEach(({ hash, signature, recoveryId }, i) => {
      if (hash.length === 32 && signature.length === 64 && recoveryId >= 0 && recoveryId <= 3)
        indices.push(i);
    });
    await this.spread(
      indices,
      (worker, part) => worker.recover(part.map((i) => jobs[i] as RecoveryJob)),
      (part) => {
        for (const i of part) found[i] = recoverPublicKey(jobs[i] as RecoveryJob);
      },
      (answer, part) => {
        for (const [k, i] of part.entries()) {
          const key = answer.slice(k * 33, k * 33 + 33);
          found[i] = key[0] === 0 ? null : key;
        }
      },
    );
    return found;
  }

  /**
   * Cuts `indices` into one slice per worker plus one for the calling thread (`local`, done while the workers do
   * theirs; too few to be worth messaging: all of them), and takes each worker's answer (`take`); a failed worker's
   * slice is done by `local` instead, so no result depends on the pool.
   */
  private async spread(
    indices: readonly number[],
    send: (worker: VerifyWorker, part: readonly number[]) => Promise<Uint8Array>,
    local: (part: readonly number[]) => void,
    take: (answer: Uint8Array, part: readonly number[]) => void,
  ): Promise<void> {
    const workers = this.size > 0 && indices.length >= MIN_PARALLEL ? this.started() : [];
    const share = Math.ceil(indices.length / (workers.length + 1));
    const slices = workers.map((_, w) => indices.slice((w + 1) * share, (w + 2) * share));
    const sent = workers.map((worker, w) => {
      const part = slices[w] as number[];
      return part.length === 0 ? Promise.resolve(new Uint8Array(0)) : send(worker, part);
    });
    local(indices.slice(0, share));
    const answers = await Promise.allSettled(sent);
    answers.forEach((answer, w) => {
      const part = slices[w] as number[];
      if (answer.status === 'rejected') local(part);
      else take(answer.value, part);
    });
  }

  /** Stops the workers (they are started again if the pool is used later). */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((worker) => worker.close()));
  }

  private started(): VerifyWorker[] {
    if (this.workers === undefined || this.workers.some((worker) => !worker.usable)) {
      const old = this.workers ?? [];
      this.workers = Array.from({ length: this.size }, () => new VerifyWorker(this.secp256k1));
      for (const worker of old) void worker.close();
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
