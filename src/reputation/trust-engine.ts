import { type EigenTrustOptions, type EigenTrustResult, eigenTrust } from './eigentrust.js';
import { buildTrustMatrix, type Interactions, normalize, type TrustMatrix } from './trust-graph.js';

/** Scores are integers: parts per billion of all trust, rounded the same way on every replica. */
export const SCORE_SCALE = 1_000_000_000;

/**
 * EigenTrust over dense agent indices: a full compute from interactions, and incremental updates that patch only
 * the rows new interactions touch and restart the iteration from the previous vector.
 */
export class TrustEngine {
  private matrix: TrustMatrix;
  private result: EigenTrustResult;

  constructor(
    interactions: Interactions,
    private readonly seeds: Int32Array,
    private readonly options: Omit<EigenTrustOptions, 'warmStart'> = {},
  ) {
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

  get local(): TrustMatrix {
    return this.matrix;
  }

  /** Integer score of agent `i`. */
  score(i: number): number {
    return Math.round((this.result.trust[i] ?? 0) * SCORE_SCALE);
  }

  /**
   * Adds interactions among the same agents: only the rows they touch are rebuilt, and the iteration starts from the
   * current vector, so it needs a few iterations instead of a full run.
   */
  update(added: Interactions): void {
    if (added.n !== this.matrix.n)
      throw new RangeError('an update keeps the same agents; rebuild for new ones');
    const touched = new Map<number, Map<number, number>>();
    for (let k = 0; k < added.length; k++) {
      const i = added.from[k] as number;
      const j = added.to[k] as number;
      if (i === j) continue;
      const row = touched.get(i) ?? new Map<number, number>();
      touched.set(i, row);
      row.set(j, (row.get(j) ?? 0) + (added.weight[k] as number));
    }
    const { n, rowStart, column, raw } = this.matrix;
    let extra = 0;
    for (const [i, row] of touched) {
      for (const j of row.keys()) {
        let found = false;
        for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++)
          if (column[k] === j) found = true;
        if (!found) extra++;
      }
    }
    const nextStart = new Int32Array(n + 1);
    const nextColumn = new Int32Array(column.length + extra);
    const nextRaw = new Float64Array(column.length + extra);
    let out = 0;
    for (let i = 0; i < n; i++) {
      nextStart[i] = out;
      const start = rowStart[i] as number;
      const end = rowStart[i + 1] as number;
      const row = touched.get(i);
      if (row === undefined) {
        nextColumn.set(column.subarray(start, end), out);
        nextRaw.set(raw.subarray(start, end), out);
        out += end - start;
        continue;
      }
      const merged = new Map<number, number>();
      for (let k = start; k < end; k++) merged.set(column[k] as number, raw[k] as number);
      for (const [j, w] of row) merged.set(j, (merged.get(j) ?? 0) + w);
      for (const j of [...merged.keys()].sort((a, b) => a - b)) {
        nextColumn[out] = j;
        nextRaw[out] = merged.get(j) as number;
        out++;
      }
    }
    nextStart[n] = out;
    this.matrix = normalize({ n, rowStart: nextStart, column: nextColumn, raw: nextRaw });
    this.result = eigenTrust(this.matrix, this.seeds, { ...this.options, warmStart: this.result.trust });
  }
}
