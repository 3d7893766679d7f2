// The machine-economy simulator at three sizes: market rounds and payments per second, the whole run's time, and the
// process's peak memory so far (sizes run smallest first, so each peak includes the runs before it).
import { simulate } from '../src/sim/index.js';
import { progress, report } from './report.js';

const BENCH = 'simulate';
const SIZES = [
  { agents: 100, rounds: 100 },
  { agents: 1_000, rounds: 100 },
  // 10,000 agents: a few rounds are enough to measure the pace (1,000,000 payments would take about an hour here).
  { agents: 10_000, rounds: 3 },
] as const;
// ZK proofs: at most this many voters per proposal, the most weighted ones.
const PROVED_VOTERS = 40;

export default async function run(): Promise<void> {
  const only = process.env.AGORA_BENCH_SIMULATE_AGENTS;
  for (const { agents, rounds } of SIZES) {
    if (only !== undefined && Number(only) !== agents) continue;
    const tick = progress(`simulate ${agents} agents`);
    let marketStart = 0;
    let marketSeconds = 0;
    const start = performance.now();
    const result = await simulate(
      {
        agents,
        providers: Math.max(5, Math.round(agents / 20)),
        rounds,
        sybils: Math.floor(agents / 10),
        founders: Math.max(5, Math.round(agents / 50)),
        maxProvedVoters: PROVED_VOTERS,
        reputationEvery: 20,
        seed: `bench-${agents}`,
      },
      {
        onProgress(phase, done, total) {
          if (phase !== 'market') return;
          if (done === 1) marketStart = performance.now();
          if (done === total) marketSeconds = (performance.now() - marketStart) / 1000;
          tick(done, total);
        },
      },
    );
    const seconds = (performance.now() - start) / 1000;
    const note = `${agents} agents, ${result.providers.length} providers, ${rounds} rounds on the sim network; ${result.payments} L402 payments with signed receipts; ${PROVED_VOTERS} proved voters per proposal`;
    // The first round is left out of the market rate (it starts the timer).
    report({
      bench: BENCH,
      metric: `rounds_per_s_${agents}`,
      value: (rounds - 1) / marketSeconds,
      unit: 'rounds/s',
      note,
    });
    report({
      bench: BENCH,
      metric: `payments_per_s_${agents}`,
      value: (result.payments * (rounds - 1)) / rounds / marketSeconds,
      unit: 'payments/s',
    });
    report({
      bench: BENCH,
      metric: `run_${agents}`,
      value: seconds,
      unit: 's',
      note: 'market, stakes, two proved votes, tally, anchor',
    });
    report({
      bench: BENCH,
      metric: `peak_rss_${agents}`,
      value: process.resourceUsage().maxRSS / 1024,
      unit: 'MiB',
    });
  }
}
