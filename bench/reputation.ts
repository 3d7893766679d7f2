import { type Interactions, TrustEngine } from '../src/reputation/index.js';
import { random } from './random.js';
import { median, report } from './report.js';

const BENCH = 'reputation';

/**
 * A synthetic economy: payers chosen uniformly, providers skewed (a few popular ones, a long tail), amounts from
 * 1 to 10,000 sat, times spread over a year with a 30-day half-life, ratings mostly good, some bad.
 */
function syntheticReceipts(agents: number, receipts: number, seed: number): Interactions {
  const next = random(seed);
  const from = new Int32Array(receipts);
  const to = new Int32Array(receipts);
  const weight = new Float64Array(receipts);
  for (let k = 0; k < receipts; k++) {
    const payer = Math.floor(next() * agents);
    const provider = Math.floor(next() ** 3 * agents);
    const amountSat = 1 + Math.floor(next() * 10_000);
    const ageDays = next() * 365;
    const rating = next() < 0.95 ? 2 : -2;
    from[k] = payer;
    to[k] = provider;
    weight[k] = amountSat * 2 ** (-ageDays / 30) * (rating / 2);
  }
  return { n: agents, from, to, weight, length: receipts };
}

function time<T>(task: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = task();
  return { value, seconds: (performance.now() - start) / 1000 };
}

export default async function run(): Promise<void> {
  const seeds = Int32Array.from({ length: 10 }, (_, i) => i);
  for (const [agents, receipts, metric, runs] of [
    [100_000, 1_000_000, 'full_100k_1m', 3],
    [1_000_000, 10_000_000, 'full_1m_10m', 3],
  ] as const) {
    const interactions = syntheticReceipts(agents, receipts, 42);
    const times: number[] = [];
    let engine: TrustEngine | undefined;
    for (let r = 0; r < runs; r++) {
      engine = undefined;
      const { value, seconds } = time(() => new TrustEngine(interactions, seeds));
      engine = value;
      times.push(seconds);
    }
    const full = engine as TrustEngine;
    report({
      bench: BENCH,
      metric,
      value: median(times),
      unit: 's',
      agents,
      receipts,
      iterations: full.iterations,
      residual: Number(full.residual.toExponential(2)),
      converged: String(full.converged),
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    });
    const updates: number[] = [];
    for (let r = 0; r < 3; r++) {
      const added = syntheticReceipts(agents, 1_000, 1000 + r);
      updates.push(time(() => full.update(added)).seconds);
    }
    report({
      bench: BENCH,
      metric: `incremental_1000_${metric.slice(5)}`,
      value: median(updates),
      unit: 's',
      baseline: median(times),
      iterations: full.iterations,
    });
  }
  report({ bench: BENCH, metric: 'peak_rss', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
}
