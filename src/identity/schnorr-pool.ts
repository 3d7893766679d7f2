import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isPrivate } from 'tiny-secp256k1';
import { AgoraError, ErrorCode } from '../core/index.js';
import { nativeSecp256k1Path, type RecoveryJob, recoverPublicKey } from './ecdsa-recover.js';
import { isKnownSignature, rememberSignature, rememberSignedBy } from './known-signatures.js';
import { fastSchnorr, nativeSchnorrPath, wasmSchnorr } from './schnorr.js';

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
// native binding aborts the whole process. Checks use libsecp256k1 compiled natively (bcrypto's BIP-340 module) when
// the main thread found it (see schnorr.ts), else the WebAssembly build: the same library, the same verdicts.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let native;
let bip340;
try {
  if (workerData.native) native = require(workerData.native);
} catch {}
try {
  if (workerData.schnorr) bip340 = require(workerData.schnorr);
} catch {}
const view = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
        const message = messages.subarray(i * 32, i * 32 + 32);
        const key = keys.subarray(i * 32, i * 32 + 32);
        const signature = signatures.subarray(i * 64, i * 64 + 64);
        verdicts[i] = (bip340
          ? bip340.verify(view(message), view(signature), view(key))
          : secp.verifySchnorr(message, key, signature)) ? 1 : 0;
      } catch {
        verdicts[i] = 0;
      }
    }
    parentPort.postMessage({ id, verdicts }, [verdicts.buffer]);
  });
  parentPort.postMessage({ ready: true });
});
`;

/** Checks started by {@link SchnorrPool.checkInBackground}. */
export interface BackgroundChecks {
  /** The verdict of each check, in order; the calling thread helps with what is left from the call on. */
  verdicts(): Promise<boolean[]>;
}

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

/**
 * Checks or recoveries per piece of work: small enough that recoveries asked for after a large verification wait for
 * at most one piece in a worker (a few ms), large enough that messaging costs little beside it.
 */
const PIECE = 64;

/**
 * Pieces out with one worker at a time: the next is already there when it finishes one, so it never waits for the
 * calling thread (busy with its own work) to hand it more.
 */
const IN_FLIGHT = 2;

/** A piece of a `verifyMany` or `recoverMany` call not started yet: sent to a free worker or done here. */
interface Piece {
  readonly part: readonly number[];
  /** Left to the workers while one is usable: the caller has work of its own meanwhile. */
  background: boolean;
  send(worker: VerifyWorker): Promise<Uint8Array>;
  /** Does the piece on the calling thread. */
  local(): void;
  take(answer: Uint8Array): void;
  /** Settles the piece's share of its call. */
  done(): void;
}

interface Pending {
  resolve(verdicts: Uint8Array): void;
  reject(error: Error): void;
}

/** One worker thread and its outstanding requests. */
class VerifyWorker {
  /** Pieces the pool has out with this worker. */
  out = 0;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed: Error | undefined;
  private exited = false;

  constructor(secp256k1: string) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { secp256k1, native: nativeSecp256k1Path, schnorr: nativeSchnorrPath },
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
 * a batch is cut into pieces that the workers take as they finish others, and the calling thread too whenever its
 * event loop is idle ({@link SchnorrPool.checkInBackground} leaves them to the workers until the verdicts are asked
 * for). Verdicts come back in input order and are those of {@link fastSchnorr} on every input; a worker that fails
 * has its piece done on the calling thread instead, so a verdict never depends on the pool.
 */
export class SchnorrPool {
  private workers: VerifyWorker[] | undefined;
  private readonly secp256k1: string;
  /** Pieces not started: recoveries, then checks, each in the order asked. */
  private readonly urgent: Piece[] = [];
  private readonly queued: Piece[] = [];
  /** True while the calling thread has a piece to take scheduled. */
  private stealing = false;

  /** @param size Worker threads (default: one per core beyond the first; 0 verifies on the calling thread). */
  constructor(readonly size: number = Math.max(0, availableParallelism() - 1)) {
    this.secp256k1 = pathToFileURL(createRequire(import.meta.url).resolve('tiny-secp256k1')).href;
  }

  /** The verdict of each check, in order. */
  verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    return this.check(checks, 'queued');
  }

  /**
   * Starts the checks on the workers for a caller with work of its own to do before it needs the verdicts (a ledger
   * reading its batch on): they are left to the workers while one is usable, rather than taken by the calling thread
   * whenever its event loop is idle. `verdicts()` gives them in order, as `verifyMany` would; from then on the calling
   * thread, which only waits, takes the pieces not started too.
   */
  checkInBackground(checks: readonly SignatureCheck[]): BackgroundChecks {
    let pieces: Piece[] = [];
    const verdicts = this.check(checks, 'background', (made) => {
      pieces = made;
    });
    return {
      verdicts: () => {
        for (const piece of pieces) piece.background = false;
        this.dispatch();
        return verdicts;
      },
    };
  }

  private async check(
    checks: readonly SignatureCheck[],
    order: 'queued' | 'background',
    made?: (pieces: Piece[]) => void,
  ): Promise<boolean[]> {
    const verdicts = new Array<boolean>(checks.length).fill(false);
    // Malformed sizes are refused here, as `fastSchnorr` refuses them, and never sent; signatures this process
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
          verdicts[i] = fastSchnorr.verify(signature, message, publicKey);
        }
      },
      (answer, part) => {
        for (const [k, i] of part.entries()) verdicts[i] = answer[k] === 1;
      },
      order,
      made,
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
   * (where a failed worker's share is done). Malformed sizes recover nothing and are never sent. Recoveries are
   * started before checks already queued: whoever asks for a key needs it to go on.
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
      'urgent',
    );
    return found;
  }

  /**
   * Cuts `indices` into pieces and queues them; free workers take them one at a time, and so does the calling thread
   * whenever its event loop is idle (it is awaiting this or other work), so neither waits while the other has work.
   * Recoveries (`urgent`) go before queued checks: a ledger batch needs its invoices' keys before it can read its
   * events on, its signature verdicts only before writing. A failed worker's piece is done here, so no result
   * depends on the pool. Too few for messaging: all done here, at once.
   */
  private async spread(
    indices: readonly number[],
    send: (worker: VerifyWorker, part: readonly number[]) => Promise<Uint8Array>,
    local: (part: readonly number[]) => void,
    take: (answer: Uint8Array, part: readonly number[]) => void,
    order: 'urgent' | 'queued' | 'background',
    made?: (pieces: Piece[]) => void,
  ): Promise<void> {
    if (this.size === 0 || indices.length < MIN_PARALLEL) return local(indices);
    this.started();
    const settled: Promise<void>[] = [];
    const pieces: Piece[] = [];
    for (let at = 0; at < indices.length; at += PIECE) {
      const part = indices.slice(at, at + PIECE);
      settled.push(
        new Promise<void>((done) =>
          pieces.push({
            part,
            background: order === 'background',
            send: (worker) => send(worker, part),
            local: () => local(part),
            take: (answer) => take(answer, part),
            done,
          }),
        ),
      );
    }
    (order === 'urgent' ? this.urgent : this.queued).push(...pieces);
    made?.(pieces);
    this.dispatch();
    await Promise.all(settled);
  }

  /**
   * The next piece to start, recoveries first; on the calling thread (`here`), none left to the workers while one of
   * them can take it.
   */
  private nextPiece(here = false): Piece | undefined {
    const urgent = this.urgent.shift();
    if (urgent !== undefined) return urgent;
    const workerLeft = here && (this.workers ?? []).some((worker) => worker.usable);
    const at = workerLeft ? this.queued.findIndex((piece) => !piece.background) : 0;
    return at < 0 ? undefined : this.queued.splice(at, 1)[0];
  }

  /** Gives every free worker a piece, and has the calling thread take one when its event loop is next idle. */
  private dispatch(): void {
    for (const worker of this.workers ?? []) {
      while (worker.out < IN_FLIGHT && worker.usable) {
        const piece = this.nextPiece();
        if (piece === undefined) break;
        worker.out += 1;
        piece
          .send(worker)
          .then(
            (answer) => piece.take(answer),
            () => piece.local(),
          )
          .finally(() => {
            worker.out -= 1;
            piece.done();
            this.dispatch();
          });
      }
    }
    if (!this.stealing && this.urgent.length + this.queued.length > 0) {
      this.stealing = true;
      setImmediate(() => {
        this.stealing = false;
        const piece = this.nextPiece(true);
        if (piece === undefined) return;
        piece.local();
        piece.done();
        this.dispatch();
      });
    }
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
