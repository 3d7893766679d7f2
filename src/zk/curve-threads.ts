import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmCurve } from 'ffjavascript';
import { AgoraError, ErrorCode } from '../core/index.js';
import { CURVE_WORKER_SOURCE } from './curve-worker.js';

/** One worker thread running {@link CURVE_WORKER_SOURCE}, with calls matched to answers. */
export class CurveThread {
  private next = 0;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const call = this.pending.get(message.id);
      if (call === undefined) return;
      this.pending.delete(message.id);
      // Idle, the thread must not keep the process alive; busy, it must (an awaited answer is pending).
      if (this.pending.size === 0) worker.unref();
      if (message.error !== undefined) call.reject(new Error(message.error));
      else call.resolve(message.result);
    });
    worker.on('error', (cause) =>
      this.fail(new AgoraError(ErrorCode.Internal, `a curve worker failed: ${cause.message}`, { cause })),
    );
    worker.on('exit', (code) =>
      this.fail(
        new AgoraError(ErrorCode.Internal, `a curve worker exited (code ${code}) during a verification`),
      ),
    );
    worker.unref();
  }

  /** Whether the thread has stopped (crashed, exited or terminated): every later call to it fails. */
  get stopped(): boolean {
    return this.failure !== undefined;
  }

  private fail(error: Error): void {
    // The first cause wins: a thread closed on purpose exits afterwards, and its calls fail as closed, not crashed.
    this.failure ??= error;
    for (const call of this.pending.values()) call.reject(this.failure);
    this.pending.clear();
  }

  call<T>(op: string, fields: Record<string, unknown>): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.next++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, op, ...fields });
    });
  }

  async terminate(): Promise<void> {
    this.failure ??= new AgoraError(ErrorCode.InvalidState, 'the verifier was closed during a verification');
    await this.worker.terminate();
  }
}

/**
 * Starts `count` worker threads (by default one per available core, at most 8) running ffjavascript's BN254
 * WebAssembly module, each in a memory of its own that it keeps across calls.
 */
export async function startCurveThreads(curve: WasmCurve, count?: number): Promise<CurveThread[]> {
  const size = Math.max(1, Math.min(count ?? availableParallelism(), 8));
  const threads = Array.from(
    { length: size },
    () => new CurveThread(new Worker(CURVE_WORKER_SOURCE, { eval: true })),
  );
  try {
    await Promise.all(
      threads.map((thread) =>
        thread.call('init', {
          code: curve.tm.code.slice(),
          prePSize: curve.prePSize,
          preQSize: curve.preQSize,
        }),
      ),
    );
  } catch (cause) {
    await Promise.all(threads.map((thread) => thread.terminate()));
    throw cause;
  }
  return threads;
}
