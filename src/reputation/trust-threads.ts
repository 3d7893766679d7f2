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
 * The transpose is made by the threads too: each counts, then places, the entries of a range of rows, and the ranges
 * follow each other in each column (a counting sort split by rows), so each agent's trusters still come in
 * increasing i. The threads are synchronized through shared memory (`Atomics.wait` / `notify`), so an iteration stays
 * synchronous for its caller. A thread that does not answer in time stops the threaded run: the caller computes alone
 * instead.
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
const COMMAND = 4;
// Commands: count the entries of one's rows per column, place them, or compute one's agents for a step.
const COUNT = 1;
const PLACE = 2;
const STEP = 3;

// Plain JavaScript given as text, so that it runs the same from the TypeScript sources and the compiled package.
// A job is the matrix (rows and their transpose), the vectors, this worker's rows [rowFrom, rowTo) and its part
// (agents bounds[part] .. bounds[part + 1]); it then runs the command given each time the generation changes, until
// told to stop. A step reads the current vector (side 0: a, 1: b) and writes the other.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  const { rowStart, column, value, counts, rowFrom, rowTo, columnStart, source, weight } = job;
  const { p, a, b, control, mass, bounds, part, alpha } = job;
  let seen = job.generation;
  for (;;) {
    Atomics.wait(control, ${GENERATION}, seen);
    const now = Atomics.load(control, ${GENERATION});
    if (now === seen) continue;
    seen = now;
    if (Atomics.load(control, ${STOP}) === 1) break;
    const command = Atomics.load(control, ${COMMAND});
    if (command === ${COUNT}) {
      counts.fill(0);
      const end = rowStart[rowTo];
      for (let k = rowStart[rowFrom]; k < end; k++) if (value[k] !== 0) counts[column[k]]++;
    } else if (command === ${PLACE}) {
      for (let i = rowFrom; i < rowTo; i++) {
        const end = rowStart[i + 1];
        for (let k = rowStart[i]; k < end; k++) {
          const v = value[k];
          if (v === 0) continue;
          const j = column[k];
          const at = counts[j];
          source[at] = i;
          weight[at] = v;
          counts[j] = at + 1;
        }
      }
    } else {
      const side = Atomics.load(control, ${SIDE});
      const t = side === 0 ? a : b;
      const next = side === 0 ? b : a;
      const danglingMass = mass[0];
      const to = bounds[part + 1];
      for (let j = bounds[part]; j < to; j++) {
        let sum = 0;
        const end = columnStart[j + 1];
        for (let k = columnStart[j]; k < end; k++) sum += t[source[k]] * weight[k];
        const pj = p[j];
        next[j] = (1 - alpha) * (sum + danglingMass * pj) + alpha * pj;
      }
    }
    Atomics.add(control, ${DONE}, 1);
    Atomics.notify(control, ${DONE});
  }
});
`;

type Typed = Int32Array | Float64Array;
type TypedKind<T extends Typed> = {
  new (buffer: SharedArrayBuffer, offset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

function shared<T extends Typed>(Kind: TypedKind<T>, length: number): T {
  return new Kind(
    new SharedArrayBuffer(Math.max(1, length) * Kind.BYTES_PER_ELEMENT),
    0,
    Math.max(1, length),
  );
}

/**
 * Cuts 0..n (agents or rows, `starts` their entries' offsets, n + 1 of them) into `parts` ranges of about equal work
 * (entries plus a constant each), as boundaries.
 */
function cut(starts: Int32Array, parts: number): number[] {
  const n = starts.length - 1;
  const work = (j: number) => (starts[j] as number) + 4 * j;
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
 * keep the process alive. The shared arrays of a run are kept for the next (a refresh reads a matrix as large as the
 * last one), until {@link TrustThreads.close}.
 */
export class TrustThreads {
  private workers: Worker[] | undefined;
  private broken = false;
  private readonly stepTimeoutMs: number;
  /** Shared memory kept between runs, by role. */
  private readonly buffers = new Map<string, SharedArrayBuffer>();

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
    const entries = matrix.column.length;
    const workers = this.start();
    const parts = workers.length + 1;
    const rowStart = this.array('rowStart', Int32Array, n + 1);
    rowStart.set(matrix.rowStart.subarray(0, n + 1));
    const column = this.array('column', Int32Array, entries);
    column.set(matrix.column);
    const value = this.array('value', Float64Array, entries);
    value.set(matrix.value.subarray(0, entries));
    const counts = Array.from({ length: parts }, (_, t) => this.array(`counts${t}`, Int32Array, n));
    const columnStart = this.array('columnStart', Int32Array, n + 1);
    const source = this.array('source', Int32Array, entries);
    const weight = this.array('weight', Float64Array, entries);
    const sharedP = this.array('p', Float64Array, n);
    sharedP.set(p);
    const vectors = [this.array('a', Float64Array, n), this.array('b', Float64Array, n)] as const;
    vectors[0].set(start);
    const control = shared(Int32Array, 5);
    const mass = shared(Float64Array, 1);
    const bounds = shared(Int32Array, parts + 1);
    const rows = cut(rowStart, parts);
    workers.forEach((worker, w) => {
      worker.postMessage({
        rowStart,
        column,
        value,
        counts: counts[w + 1],
        rowFrom: rows[w + 1],
        rowTo: rows[w + 2],
        columnStart,
        source,
        weight,
        p: sharedP,
        a: vectors[0],
        b: vectors[1],
        control,
        mass,
        bounds,
        part: w + 1,
        alpha,
        generation: 0,
      });
    });
    const run = (command: number) => {
      Atomics.store(control, DONE, 0);
      Atomics.store(control, COMMAND, command);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
    };
    let side = 0;
    let residual = Number.POSITIVE_INFINITY;
    let iterations = 0;
    try {
      // The transpose: each thread counts its rows' entries per column, the calling thread turns the counts into
      // each thread's first place in each column (threads in row order), and each places its entries.
      const own = counts[0] as Int32Array;
      run(COUNT);
      own.fill(0);
      for (let k = 0; k < (rowStart[rows[1] as number] as number); k++)
        if ((value[k] as number) !== 0) own[column[k] as number] = (own[column[k] as number] as number) + 1;
      if (!this.awaitAll(control, workers.length)) return undefined;
      let placed = 0;
      for (let j = 0; j < n; j++) {
        columnStart[j] = placed;
        for (const count of counts) {
          const c = count[j] as number;
          count[j] = placed;
          placed += c;
        }
      }
      columnStart[n] = placed;
      run(PLACE);
      for (let i = 0; i < (rows[1] as number); i++) {
        const end = rowStart[i + 1] as number;
        for (let k = rowStart[i] as number; k < end; k++) {
          const v = value[k] as number;
          if (v === 0) continue;
          const j = column[k] as number;
          const at = own[j] as number;
          source[at] = i;
          weight[at] = v;
          own[j] = at + 1;
        }
      }
      if (!this.awaitAll(control, workers.length)) return undefined;
      bounds.set(cut(columnStart, parts));
      const ownAgents = bounds[1] as number;
      // Dangling agents below `ownAgents` are the calling thread's own: their part of the next dangling mass, like
      // its part of the L1 change, is summed while the workers still compute theirs, then carried on in order.
      let ownDangling = 0;
      while (ownDangling < dangling.length && (dangling[ownDangling] as number) < ownAgents) ownDangling++;
      let danglingMass = 0;
      for (let d = 0; d < dangling.length; d++) danglingMass += vectors[0][dangling[d] as number] as number;
      while (iterations < maxIterations && residual > tolerance) {
        const t = vectors[side] as Float64Array;
        const next = vectors[1 - side] as Float64Array;
        mass[0] = danglingMass;
        Atomics.store(control, SIDE, side);
        run(STEP);
        residual = 0;
        for (let j = 0; j < ownAgents; j++) {
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
        if (!this.awaitAll(control, workers.length)) return undefined;
        for (let j = ownAgents; j < n; j++) residual += Math.abs((next[j] as number) - (t[j] as number));
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
    // The result leaves shared memory: a caller keeps it as its own array, and the next run reuses this one.
    return { trust: Float64Array.from(vectors[side] as Float64Array), iterations, residual };
  }

  /** A shared array of `length` for `role`, in memory kept from an earlier run when large enough (an eighth spare). */
  private array<T extends Typed>(role: string, Kind: TypedKind<T>, length: number): T {
    const size = Math.max(1, length);
    const bytes = size * Kind.BYTES_PER_ELEMENT;
    let buffer = this.buffers.get(role);
    if (buffer === undefined || buffer.byteLength < bytes) {
      buffer = new SharedArrayBuffer(bytes + (bytes >>> 3));
      this.buffers.set(role, buffer);
    }
    return new Kind(buffer, 0, size);
  }

  /** Waits for every worker's share of a command; false (and the workers given up) if one does not come. */
  private awaitAll(control: Int32Array, count: number): boolean {
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
      // A worker that fails leaves its command unanswered: the wait times out and the caller computes alone.
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
    // A worker stopped from outside may still write into them: never reused.
    this.buffers.clear();
  }

  /** Ends the workers and lets go of the shared memory (a later run starts new ones). */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    this.buffers.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

let defaultThreads: TrustThreads | undefined;

/** The process's threads for EigenTrust: one worker per core beyond the first. */
export function sharedTrustThreads(): TrustThreads {
  defaultThreads ??= new TrustThreads(Math.max(0, availableParallelism() - 1));
  return defaultThreads;
}
