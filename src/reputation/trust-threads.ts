import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { TrustMatrix } from './trust-graph.js';

/**
 * EigenTrust's iteration shared by threads, bit-identical to the calling thread's alone.
 *
 * The calling thread's iteration adds, into each agent j's new trust, `t_i * c_ij` for every truster i in increasing
 * i ("push", row by row). Here every thread computes a range of agents from the transposed matrix, each agent's
 * trusters in increasing i ("pull"): the same terms added in the same order, so the same doubles, whatever the number
 * of threads or where the ranges are cut. What is summed over all agents (the dangling mass before a step, the L1
 * change after it) stays on the calling thread, in agent order, as there. Zero entries are left out of the transpose:
 * adding `t_i * 0` changes no sum, and a row that trusts nobody (dangling) has only zeros.
 *
 * The threads are synchronized through shared memory (`Atomics.wait` / `notify`), so an iteration stays synchronous
 * for its caller. A thread that does not answer in time stops the threaded run: the caller computes alone instead.
 */

/** Threads pay off from about this many trust entries (below, a step is a fraction of a millisecond). */
export const THREADED_MIN_ENTRIES = 200_000;

/** How long the calling thread waits for a step before it gives up on the threads (a step takes milliseconds). */
const STEP_TIMEOUT_MS = 60_000;

// Control words shared with the workers.
const GENERATION = 0;
const DONE = 1;
const SIDE = 2;
const STOP = 3;

// Plain JavaScript given as text, so that it runs the same from the TypeScript sources and the compiled package.
// A job is the transposed matrix, the vectors and the agents [from, to) this worker computes; it then steps each time
// the generation changes, reading the current vector (side 0: a, 1: b), writing the other, until told to stop.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  const { columnStart, source, weight, p, a, b, control, mass, from, to, alpha } = job;
  let seen = job.generation;
  for (;;) {
    Atomics.wait(control, ${GENERATION}, seen);
    const now = Atomics.load(control, ${GENERATION});
    if (now === seen) continue;
    seen = now;
    if (Atomics.load(control, ${STOP}) === 1) break;
    const side = Atomics.load(control, ${SIDE});
    const t = side === 0 ? a : b;
    const next = side === 0 ? b : a;
    const danglingMass = mass[0];
    for (let j = from; j < to; j++) {
      let sum = 0;
      const end = columnStart[j + 1];
      for (let k = columnStart[j]; k < end; k++) sum += t[source[k]] * weight[k];
      const pj = p[j];
      next[j] = (1 - alpha) * (sum + danglingMass * pj) + alpha * pj;
    }
    Atomics.add(control, ${DONE}, 1);
    Atomics.notify(control, ${DONE});
  }
});
`;

/** The transposed matrix without its zero entries: agent j's trusters `source` and `c_ij` in `weight`, i increasing. */
interface Transposed {
  readonly columnStart: Int32Array;
  readonly source: Int32Array;
  readonly weight: Float64Array;
}

function shared<T extends Int32Array | Float64Array>(
  Kind: { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number },
  length: number,
): T {
  return new Kind(new SharedArrayBuffer(Math.max(1, length) * Kind.BYTES_PER_ELEMENT));
}

/** Counting sort of the entries by column; rows are read in order, so each column's trusters come in increasing i. */
function transpose({ n, rowStart, column, value }: TrustMatrix): Transposed {
  const columnStart = shared(Int32Array, n + 1);
  for (let k = 0; k < column.length; k++) {
    const at = (column[k] as number) + 1;
    if ((value[k] as number) !== 0) columnStart[at] = (columnStart[at] as number) + 1;
  }
  for (let j = 0; j < n; j++)
    columnStart[j + 1] = (columnStart[j + 1] as number) + (columnStart[j] as number);
  const cursor = columnStart.slice(0, n);
  const source = shared(Int32Array, columnStart[n] as number);
  const weight = shared(Float64Array, columnStart[n] as number);
  for (let i = 0; i < n; i++) {
    const end = rowStart[i + 1] as number;
    for (let k = rowStart[i] as number; k < end; k++) {
      const v = value[k] as number;
      if (v === 0) continue;
      const j = column[k] as number;
      const at = cursor[j] as number;
      source[at] = i;
      weight[at] = v;
      cursor[j] = at + 1;
    }
  }
  return { columnStart, source, weight };
}

/** Cuts agents 0..n into `parts` ranges of about equal work (an agent's trusters plus a constant), as boundaries. */
function cut(columnStart: Int32Array, parts: number): number[] {
  const n = columnStart.length - 1;
  const work = (j: number) => (columnStart[j] as number) + 4 * j;
  const total = work(n);
  const bounds = [0];
  let j = 0;
  for (let part = 1; part < parts; part++) {
    const goal = (total * part) / parts;
    while (j < n && work(j) < goal) j++;
    bounds.push(j);
  }
  bounds.push(n);
  return bounds;
}

/** What {@link TrustThreads.iterate} is given: the problem as `eigenTrust` set it up. */
export interface ThreadedIteration {
  readonly matrix: TrustMatrix;
  readonly p: Float64Array;
  /** Agents that trust nobody, in increasing order. */
  readonly dangling: Int32Array;
  readonly start: Float64Array;
  readonly alpha: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

/** The iteration's outcome, as `eigenTrust` reports it. */
export interface ThreadedResult {
  readonly trust: Float64Array;
  readonly iterations: number;
  readonly residual: number;
}

/**
 * Worker threads that share EigenTrust's steps with the calling thread (see the module comment). Idle workers never
 * keep the process alive.
 */
export class TrustThreads {
  private workers: Worker[] | undefined;
  private broken = false;

  private readonly stepTimeoutMs: number;

  /**
   * @param size Worker threads besides the calling thread.
   * @param options.stepTimeoutMs How long a step may wait for the workers before the run is left to the calling
   *   thread (default 60 s).
   */
  constructor(
    readonly size: number,
    options: { stepTimeoutMs?: number } = {},
  ) {
    this.stepTimeoutMs = options.stepTimeoutMs ?? STEP_TIMEOUT_MS;
  }

  /** Whether a run may use the workers (none failed). */
  get usable(): boolean {
    return this.size > 0 && !this.broken;
  }

  /** The iteration run over the workers and the calling thread, or undefined if a worker failed to answer. */
  iterate(problem: ThreadedIteration): ThreadedResult | undefined {
    if (!this.usable) return undefined;
    const { matrix, p, dangling, start, alpha, tolerance, maxIterations } = problem;
    const { n } = matrix;
    const { columnStart, source, weight } = transpose(matrix);
    const sharedP = shared(Float64Array, n);
    sharedP.set(p);
    const vectors = [shared(Float64Array, n), shared(Float64Array, n)] as const;
    vectors[0].set(start);
    const control = shared(Int32Array, 4);
    const mass = shared(Float64Array, 1);
    const workers = this.start();
    const bounds = cut(columnStart, workers.length + 1);
    workers.forEach((worker, w) => {
      const [from, to] = [bounds[w + 1] as number, bounds[w + 2] as number];
      const [a, b] = vectors;
      worker.postMessage({
        columnStart,
        source,
        weight,
        p: sharedP,
        a,
        b,
        control,
        mass,
        from,
        to,
        alpha,
        generation: 0,
      });
    });
    const own = bounds[1] as number;
    let side = 0;
    let residual = Number.POSITIVE_INFINITY;
    let iterations = 0;
    // Dangling agents below `own` are the calling thread's own: their part of the next dangling mass, like its part
    // of the L1 change, is summed while the workers still compute theirs, then carried on in the same order.
    let ownDangling = 0;
    while (ownDangling < dangling.length && (dangling[ownDangling] as number) < own) ownDangling++;
    let danglingMass = 0;
    for (let d = 0; d < dangling.length; d++) danglingMass += vectors[0][dangling[d] as number] as number;
    try {
      while (iterations < maxIterations && residual > tolerance) {
        const t = vectors[side] as Float64Array;
        const next = vectors[1 - side] as Float64Array;
        mass[0] = danglingMass;
        Atomics.store(control, DONE, 0);
        Atomics.store(control, SIDE, side);
        Atomics.add(control, GENERATION, 1);
        Atomics.notify(control, GENERATION);
        residual = 0;
        for (let j = 0; j < own; j++) {
          let sum = 0;
          const end = columnStart[j + 1] as number;
          for (let k = columnStart[j] as number; k < end; k++)
            sum += (t[source[k] as number] as number) * (weight[k] as number);
          const pj = p[j] as number;
          const updated = (1 - alpha) * (sum + danglingMass * pj) + alpha * pj;
          residual += Math.abs(updated - (t[j] as number));
          next[j] = updated;
        }
        let nextMass = 0;
        for (let d = 0; d < ownDangling; d++) nextMass += next[dangling[d] as number] as number;
        if (!this.awaitStep(control, workers.length)) return undefined;
        for (let j = own; j < n; j++) residual += Math.abs((next[j] as number) - (t[j] as number));
        for (let d = ownDangling; d < dangling.length; d++) nextMass += next[dangling[d] as number] as number;
        danglingMass = nextMass;
        side = 1 - side;
        iterations++;
      }
    } finally {
      Atomics.store(control, STOP, 1);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    }
    // The result leaves shared memory: a caller keeps it as its own array.
    return { trust: Float64Array.from(vectors[side] as Float64Array), iterations, residual };
  }

  /** Waits for every worker's share of a step; false (and the workers given up) if one does not come. */
  private awaitStep(control: Int32Array, count: number): boolean {
    const deadline = Date.now() + this.stepTimeoutMs;
    for (;;) {
      const done = Atomics.load(control, DONE);
      if (done >= count) return true;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.abandon();
        return false;
      }
      Atomics.wait(control, DONE, done, left);
    }
  }

  private start(): Worker[] {
    if (this.workers !== undefined) return this.workers;
    const workers = Array.from({ length: this.size }, () => {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      // A worker that fails leaves its step unanswered: the wait times out and the caller computes alone.
      worker.on('error', () => {
        this.broken = true;
      });
      return worker;
    });
    this.workers = workers;
    return workers;
  }

  private abandon(): void {
    this.broken = true;
    for (const worker of this.workers ?? []) void worker.terminate();
    this.workers = undefined;
  }

  /** Ends the workers (a later run starts new ones). */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

let defaultThreads: TrustThreads | undefined;

/** The process's threads for EigenTrust: one worker per core beyond the first. */
export function sharedTrustThreads(): TrustThreads {
  defaultThreads ??= new TrustThreads(Math.max(0, availableParallelism() - 1));
  return defaultThreads;
}
