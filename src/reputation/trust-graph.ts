/**
 * Interactions in dense form: agent i's trust statements about agent j, each with a weight that may be negative
 * (a bad rating). Indices are positions in a sorted agent list, so every replica numbers agents alike.
 */
export interface Interactions {
  /** Number of agents. */
  readonly n: number;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly weight: Float64Array;
  /** How many of the arrays' entries are used. */
  readonly length: number;
}

/**
 * Normalized local trust in compressed sparse rows: row i lists the agents i trusts and `c_ij`, the positive part
 * of i's summed statements about j divided by the row's total. Rows with no positive trust are "dangling".
 */
export interface TrustMatrix {
  readonly n: number;
  /** Row i spans `rowStart[i] .. rowStart[i+1]`. */
  readonly rowStart: Int32Array;
  readonly column: Int32Array;
  readonly value: Float64Array;
  /** Unnormalized summed statements per entry (kept for explanations and incremental updates). */
  readonly raw: Float64Array;
}

/**
 * Sums the statements per (i, j) in input order, drops self-trust, clips each sum at zero and normalizes each row.
 * Counting sort by row keeps it linear: 10 million statements take a few hundred milliseconds.
 */
export function buildTrustMatrix(interactions: Interactions): TrustMatrix {
  const { n, from, to, weight, length } = interactions;
  const counts = new Int32Array(n + 1);
  for (let k = 0; k < length; k++) {
    const i = from[k] as number;
    if (i !== to[k]) counts[i + 1] = (counts[i + 1] as number) + 1;
  }
  for (let i = 0; i < n; i++) counts[i + 1] = (counts[i + 1] as number) + (counts[i] as number);
  const cursor = counts.slice(0, n);
  const columns = new Int32Array(counts[n] as number);
  const weights = new Float64Array(counts[n] as number);
  for (let k = 0; k < length; k++) {
    const i = from[k] as number;
    const j = to[k] as number;
    if (i === j) continue;
    const at = cursor[i] as number;
    columns[at] = j;
    weights[at] = weight[k] as number;
    cursor[i] = at + 1;
  }
  // Within each row: order by column (stable, so equal columns sum in input order), merge, clip, normalize.
  const rowStart = new Int32Array(n + 1);
  const column = new Int32Array(columns.length);
  const raw = new Float64Array(columns.length);
  let out = 0;
  let order = new Int32Array(64);
  for (let i = 0; i < n; i++) {
    rowStart[i] = out;
    const start = counts[i] as number;
    const end = counts[i + 1] as number;
    if (end === start) continue;
    if (order.length < end - start) order = new Int32Array(Math.max(end - start, order.length * 2));
    const segment = sortRow(columns, start, end, order);
    for (let s = 0; s < end - start; s++) {
      const k = segment[s] as number;
      const j = columns[k] as number;
      if (out > (rowStart[i] as number) && column[out - 1] === j)
        raw[out - 1] = (raw[out - 1] as number) + (weights[k] as number);
      else {
        column[out] = j;
        raw[out] = weights[k] as number;
        out++;
      }
    }
  }
  rowStart[n] = out;
  return normalize({ n, rowStart, column: column.subarray(0, out), raw: raw.subarray(0, out) });
}

/**
 * Positions `start .. end - 1` in `order`, sorted by their column, equal columns by position (so sums keep input
 * order). A row is a few statements on average: sorted in place by insertion, no array or closure made per row; a
 * long row (an agent with many statements) by the native sort.
 */
function sortRow(columns: Int32Array, start: number, end: number, order: Int32Array): Int32Array {
  const length = end - start;
  if (length > 32) {
    const sorted = Array.from({ length }, (_, k) => start + k).sort(
      (a, b) => (columns[a] as number) - (columns[b] as number) || a - b,
    );
    order.set(sorted);
    return order;
  }
  for (let k = 0; k < length; k++) {
    const position = start + k;
    const j = columns[position] as number;
    let at = k;
    // Positions come in increasing order: an equal column stays after its predecessors.
    for (; at > 0 && (columns[order[at - 1] as number] as number) > j; at--)
      order[at] = order[at - 1] as number;
    order[at] = position;
  }
  return order;
}

/** Computes `value` from `raw`: positive parts over the row's positive total. */
export function normalize(matrix: Omit<TrustMatrix, 'value'>): TrustMatrix {
  const value = new Float64Array(matrix.raw.length);
  for (let i = 0; i < matrix.n; i++)
    normalizeRow(matrix.raw, value, matrix.rowStart[i] as number, matrix.rowStart[i + 1] as number);
  return { ...matrix, value };
}

function normalizeRow(raw: Float64Array, value: Float64Array, start: number, end: number): void {
  let total = 0;
  for (let k = start; k < end; k++) total += Math.max(0, raw[k] as number);
  for (let k = start; k < end; k++) value[k] = total > 0 ? Math.max(0, raw[k] as number) / total : 0;
}

/**
 * `matrix` with `added` statements summed into it (among the same agents).
 * Untouched rows are block-copied and keep their normalized values, so the cost is a copy of the arrays plus the
 * touched rows, not a rebuild.
 */
export function addInteractions(matrix: TrustMatrix, added: Interactions): TrustMatrix {
  // Per (i, j): the sum of the added weights and the sum of their magnitudes.
  const byRow = new Map<number, Map<number, [number, number]>>();
  for (let k = 0; k < added.length; k++) {
    const i = added.from[k] as number;
    const j = added.to[k] as number;
    if (i === j) continue;
    const row = byRow.get(i) ?? new Map<number, [number, number]>();
    byRow.set(i, row);
    const [sum, magnitude] = row.get(j) ?? [0, 0];
    const w = added.weight[k] as number;
    row.set(j, [sum + w, magnitude + Math.abs(w)]);
  }
  const rows = Int32Array.from(byRow.keys()).sort();
  const { n, rowStart, column, raw, value } = matrix;
  // Each touched row, merged: existing entries in column order, added sums folded in.
  const merged = [...rows].map((i) => {
    const sums = new Map<number, number>();
    for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++)
      sums.set(column[k] as number, raw[k] as number);
    for (const [j, [w, magnitude]] of byRow.get(i) as Map<number, [number, number]>) {
      const before = sums.get(j) ?? 0;
      const after = before + w;
      // Taking statements back (negative weights) can leave rounding dust where the exact sum is 0; dust must not
      // turn a row that trusts nobody into one that trusts j fully.
      sums.set(j, Math.abs(after) <= 1e-13 * (Math.abs(before) + magnitude) ? 0 : after);
    }
    return [...sums].sort((a, b) => a[0] - b[0]);
  });
  let size = column.length;
  for (const [r, i] of rows.entries())
    size += (merged[r] as unknown[]).length - ((rowStart[i + 1] as number) - (rowStart[i] as number));
  const nextStart = new Int32Array(n + 1);
  const nextColumn = new Int32Array(size);
  const nextRaw = new Float64Array(size);
  const nextValue = new Float64Array(size);
  let shift = 0;
  let from = 0;
  const copyRows = (until: number) => {
    for (let i = from; i < until; i++) nextStart[i] = (rowStart[i] as number) + shift;
    const a = rowStart[from] as number;
    const b = rowStart[until] as number;
    nextColumn.set(column.subarray(a, b), a + shift);
    nextRaw.set(raw.subarray(a, b), a + shift);
    nextValue.set(value.subarray(a, b), a + shift);
  };
  for (const [r, i] of rows.entries()) {
    copyRows(i);
    const entries = merged[r] as [number, number][];
    const out = (rowStart[i] as number) + shift;
    nextStart[i] = out;
    for (const [e, [j, w]] of entries.entries()) {
      nextColumn[out + e] = j;
      nextRaw[out + e] = w;
    }
    normalizeRow(nextRaw, nextValue, out, out + entries.length);
    shift += entries.length - ((rowStart[i + 1] as number) - (rowStart[i] as number));
    from = i + 1;
  }
  copyRows(n);
  nextStart[n] = size;
  return { n, rowStart: nextStart, column: nextColumn, raw: nextRaw, value: nextValue };
}
