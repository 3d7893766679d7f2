import { DEFAULT_ALPHA, type EigenTrustOptions, type EigenTrustResult, eigenTrust } from './eigentrust.js';
import { addInteractions, buildTrustMatrix, type Interactions, type TrustMatrix } from './trust-graph.js';

/** Scores are integers: parts per billion of all trust, rounded the same way on every replica. */
export const SCORE_SCALE = 1_000_000_000;

/** How `TrustEngine.update` may trade exactness for speed. */
export interface TrustUpdateOptions {
  /**
   * Stop as soon as the scores are certainly within this L1 distance of the exact EigenTrust vector (a fraction of
   * all trust: 1e-6 allows the integer scores to be off by 1,000 ppb in total). Without it, the update iterates to
   * the engine's own tolerance and gives the integer scores a full recompute gives.
   */
  tolerance?: number;
}

/**
 * EigenTrust over dense agent indices: a full compute from interactions, and incremental updates that patch only
 * the rows new interactions touch and restart the iteration from the previous vector.
 */
export class TrustEngine {
  private matrix: TrustMatrix;
  private result: EigenTrustResult;
  private readonly alpha: number;

  constructor(
    interactions: Interactions,
    private readonly seeds: Int32Array,
    private readonly options: Omit<EigenTrustOptions, 'warmStart'> = {},
  ) {
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
    this.matrix = buildTrustMatrix(interactions);
    this.result = eigenTrust(this.matrix, seeds, options);
  }

  get n(): number {
    return this.matrix.n;
  }

  get trust(): Float64Array {
    return this.result.trust;
  }

  get iterations(): number {
    return this.result.iterations;
  }

  get residual(): number {
    return this.result.residual;
  }

  get converged(): boolean {
    return this.result.converged;
  }

  /**
   * Certified bound on the L1 distance between `trust` and the exact EigenTrust vector. The last iteration's change
   * `d` leaves a residual `M d` of L1 norm at most `(1-a) |d|_1`, and `(I - M)^-1` multiplies L1 norms by at most
   * `1/a`.
   */
  get errorBound(): number {
    return ((1 - this.alpha) * this.result.residual) / this.alpha;
  }

  get local(): TrustMatrix {
    return this.matrix;
  }

  /** Integer score of agent `i`. */
  score(i: number): number {
    return Math.round((this.result.trust[i] ?? 0) * SCORE_SCALE);
  }

  /**
   * Adds interactions among the same agents: only the rows they touch are rebuilt, and the iteration starts from the
   * current vector. See `TrustUpdateOptions` for a faster, bounded-error update.
   */
  update(added: Interactions, options: TrustUpdateOptions = {}): void {
    if (added.n !== this.matrix.n)
      throw new RangeError('an update keeps the same agents; rebuild for new ones');
    this.matrix = addInteractions(this.matrix, added);
    const { tolerance } = options;
    this.result = eigenTrust(this.matrix, this.seeds, {
      ...this.options,
      warmStart: this.result.trust,
      // errorBound <= tolerance once the last change is at most a * tolerance / (1-a).
      ...(tolerance === undefined ? {} : { tolerance: (this.alpha * tolerance) / (1 - this.alpha) }),
    });
  }
}
