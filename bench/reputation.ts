import { type ReceiptFact, Reputation, TrustEngine } from '../src/reputation/index.js';
import { SeededRandom } from '../src/sim/index.js';
import { concatInteractions, syntheticInteractions } from '../test/fixtures/trust-graph.js';
import { median, report } from './report.js';

const BENCH = 'reputation';
/** The tolerance of the bounded-error update measured beside the exact one. */
const TOLERANCE = 1e-6;

function time<T>(task: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = task();
  return { value, seconds: (performance.now() - start) / 1000 };
}

/** How far `a`'s integer scores are from `b`'s. */
function compare(a: TrustEngine, b: TrustEngine): { differing_scores: number; max_difference_ppb: number } {
  let differing = 0;
  let max = 0;
  for (let i = 0; i < a.n; i++) {
    const d = Math.abs(a.score(i) - b.score(i));
    if (d > 0) differing++;
    max = Math.max(max, d);
  }
  return { differing_scores: differing, max_difference_ppb: max };
}

/** The engine alone: interactions in, scores out; then 1,000 new receipts, exactly and within `TOLERANCE`. */
function engine(agents: number, receipts: number, size: string): void {
  const seeds = Int32Array.from({ length: 10 }, (_, i) => i);
  const interactions = syntheticInteractions(agents, receipts, 'bench');
  const times: number[] = [];
  let full: TrustEngine | undefined;
  for (let r = 0; r < 3; r++) {
    full = undefined;
    const { value, seconds } = time(() => new TrustEngine(interactions, seeds));
    full = value;
    times.push(seconds);
  }
  const base = full as TrustEngine;
  report({
    bench: BENCH,
    metric: `full_${size}`,
    value: median(times),
    unit: 's',
    agents,
    receipts,
    iterations: base.iterations,
    error_bound: Number(base.errorBound.toExponential(2)),
    converged: String(base.converged),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  });
  full = undefined;
  const added = Array.from({ length: 3 }, (_, r) => syntheticInteractions(agents, 1_000, `bench-added-${r}`));
  // The reference: a full recompute with the first batch, to see whether updates give its scores.
  const reference = new TrustEngine(concatInteractions(interactions, added[0] as typeof interactions), seeds);
  for (const [name, options] of [
    [`incremental_1000_${size}`, {}],
    [`incremental_1000_${size}_tolerance_${TOLERANCE}`, { tolerance: TOLERANCE }],
  ] as const) {
    const updates: number[] = [];
    const iterations: number[] = [];
    let first: ReturnType<typeof compare> | undefined;
    let errorBound = 0;
    for (const batch of added) {
      const updated = new TrustEngine(interactions, seeds);
      updates.push(time(() => updated.update(batch, options)).seconds);
      iterations.push(updated.iterations);
      errorBound = Math.max(errorBound, updated.errorBound);
      first ??= compare(updated, reference);
    }
    report({
      bench: BENCH,
      metric: name,
      value: median(updates),
      unit: 's',
      baseline: median(times),
      iterations: median(iterations),
      baseline_iterations: base.iterations,
      error_bound: Number(errorBound.toExponential(2)),
      ...first,
    });
  }
}

/** The whole path a user takes: receipt facts in (hex ids, amounts, times, ratings), `Reputation` out. */
function fromReceipts(agents: number, receipts: number, size: string): void {
  const random = new SeededRandom('bench-facts');
  const hex = (k: number, tag: string) => `${tag}${k.toString(16).padStart(64 - tag.length, '0')}`;
  const ids = Array.from({ length: agents }, (_, i) => hex(i, 'a'));
  const facts = (count: number, tag: string): ReceiptFact[] =>
    Array.from({ length: count }, (_, k) => ({
      id: hex(k, tag),
      payer: ids[Math.floor(random.next() * agents)] as string,
      provider: ids[Math.floor(random.next() ** 3 * agents)] as string,
      amountMsat: (1 + Math.floor(random.next() * 10_000)) * 1000,
      created: 1_760_000_000 - Math.floor(random.next() * 365 * 86_400),
      serviceRating: random.next() < 0.95 ? 2 : -2,
    }));
  const registrations = ids.map((id, created) => ({ id, created }));
  const all = facts(receipts, 'f');
  const times: number[] = [];
  for (let r = 0; r < 3; r++) times.push(time(() => Reputation.fromFacts(registrations, all)).seconds);
  report({
    bench: BENCH,
    metric: `from_receipts_${size}`,
    value: median(times),
    unit: 's',
    agents,
    receipts,
  });
  const updates: number[] = [];
  for (let r = 0; r < 3; r++) {
    const reputation = Reputation.fromFacts(registrations, all);
    const batch = facts(1_000, `e${r}`);
    updates.push(time(() => reputation.update(batch)).seconds);
  }
  report({
    bench: BENCH,
    metric: `from_receipts_incremental_1000_${size}`,
    value: median(updates),
    unit: 's',
    baseline: median(times),
  });
}

export default async function run(): Promise<void> {
  engine(100_000, 1_000_000, '100k_1m');
  engine(1_000_000, 10_000_000, '1m_10m');
  report({ bench: BENCH, metric: 'peak_rss', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
  fromReceipts(100_000, 1_000_000, '100k_1m');
}
