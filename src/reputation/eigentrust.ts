import type { TrustMatrix } from './trust-graph.js';
import { sharedTrustThreads, THREADED_MIN_ENTRIES, type TrustThreads } from './trust-threads.js';

/** EigenTrust's default weight of the pre-trusted distribution. */
export const DEFAULT_ALPHA = 0.15;

/** Parameters of the EigenTrust power iteration. */
export interface EigenTrustOptions {
  /** Weight of the pre-trusted distribution, `a` in `t = (1-a) C^T t + a p` (default 0.15). */
  alpha?: number;
  /** Stop when the L1 change of `t` falls below this (default 1e-12). */
  tolerance?: number;
  maxIterations?: number;
  /** Start from this vector (a previous result) instead of `p`. */
  warmStart?: Float64Array;
  /**
   * Threads that share the iteration, or false to iterate on the calling thread only. By default the process's
   * worker threads (one per core beyond the first) take part from {@link THREADED_MIN_ENTRIES} trust entries up,
   * keeping their shared arrays for the next run (about 24 bytes per trust entry and 40 per agent of the largest
   * matrix seen). The result is bit-identical either way.
   */
  threads?: TrustThreads | false;
}

/** The global trust vector EigenTrust converged to, and how it got there. */
export interface EigenTrustResult {
  /** Global trust, summing to 1. */
  readonly trust: Float64Array;
  readonly iterations: number;
  /** L1 change of the last iteration. */
  readonly residual: number;
  readonly converged: boolean;
}

/**
 * EigenTrust's power iteration `t = (1-a) C^T t + a p`, where `p` is uniform over the pre-trusted `seeds`. The trust
 * that dangling agents (who trust nobody) would hand out goes to `p` too, so `t` keeps summing to 1. Agents that
 * no trusted agent trusts, directly or not, end with nothing: a sybil ring trusting only itself gains no score.
 */
export function eigenTrust(
  matrix: TrustMatrix,
  seeds: Int32Array,
  options: EigenTrustOptions = {},
): EigenTrustResult {
  const { n, rowStart, column, value } = matrix;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 200;
  const p = new Float64Array(n);
  if (seeds.length === 0) p.fill(1 / n);
  else for (const s of seeds) p[s] = 1 / seeds.length;
  const dangling = new Uint8Array(n);
  let danglingCount = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++) sum += value[k] as number;
    dangling[i] = sum > 0 ? 0 : 1;
    danglingCount += dangling[i] as number;
  }
  let t = warmStart(options.warmStart, n) ?? Float64Array.from(p);
  const threads = options.threads ?? (value.length >= THREADED_MIN_ENTRIES ? sharedTrustThreads() : false);
  if (threads !== false && threads.usable) {
    const shared = threads.iterate({
      matrix,
      p,
      dangling: indicesOf(dangling, danglingCount),
      start: t,
      alpha,
      tolerance,
      maxIterations,
    });
    if (shared !== undefined) return { ...shared, converged: shared.residual <= tolerance };
  }
  let next = new Float64Array(n);
  let residual = Number.POSITIVE_INFINITY;
  let iterations = 0;
  while (iterations < maxIterations && residual > tolerance) {
    next.fill(0);
    let danglingMass = 0;
    for (let i = 0; i < n; i++) {
      const ti = t[i] as number;
      if (ti === 0) continue;
      if (dangling[i] === 1) {
        danglingMass += ti;
        continue;
      }
      for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++) {
        const j = column[k] as number;
        next[j] = (next[j] as number) + ti * (value[k] as number);
      }
    }
    residual = 0;
    for (let j = 0; j < n; j++) {
      const updated =
        (1 - alpha) * ((next[j] as number) + danglingMass * (p[j] as number)) + alpha * (p[j] as number);
      residual += Math.abs(updated - (t[j] as number));
      next[j] = updated;
    }
    [t, next] = [next, t];
    iterations++;
  }
  return { trust: t, iterations, residual, converged: residual <= tolerance };
}

/** The positions of the `count` ones in `flags`, in increasing order. */
function indicesOf(flags: Uint8Array, count: number): Int32Array {
  const indices = new Int32Array(count);
  let at = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] === 1) indices[at++] = i;
  return indices;
}

/**
 * `start` rescaled to sum 1, or undefined when it cannot serve (wrong length, no trust). A start that does not sum
 * to 1 would carry its excess off only by (1-a) per iteration.
 */
function warmStart(start: Float64Array | undefined, n: number): Float64Array<ArrayBuffer> | undefined {
  if (start === undefined || start.length !== n) return undefined;
  let sum = 0;
  for (const v of start) sum += v;
  if (!(sum > 0)) return undefined;
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) scaled[i] = (start[i] as number) / sum;
  return scaled;
}
