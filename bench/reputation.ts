import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../src/core/index.js';
import type { AgentKey } from '../src/identity/index.js';
import { agentRegisteredType, type EventReader, EventRegistry, Ledger } from '../src/ledger/index.js';
import { decodeReceiptRecord, receiptRatingType, receiptType } from '../src/receipts/index.js';
import { type ReceiptFact, Reputation, TrustEngine } from '../src/reputation/index.js';
import { SeededRandom } from '../src/sim/index.js';
import { selfDealingWorld } from '../test/fixtures/self-dealing.js';
import { concatInteractions, drawPayment, syntheticInteractions } from '../test/fixtures/trust-graph.js';
import { median, progress, report } from './report.js';
import {
  benchKeys,
  FIRST_RECEIPT_MS,
  openBenchStore,
  placeholderSigned,
  receiptBatch,
  StoredReceipts,
} from './reputation-store.js';

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
    Array.from({ length: count }, (_, k) => {
      const { payer, provider, amountSat, ageDays, rating } = drawPayment(random, agents);
      return {
        id: hex(k, tag),
        payer: ids[payer] as string,
        provider: ids[provider] as string,
        amountMsat: amountSat * 1000,
        created: 1_760_000_000 - Math.floor(ageDays * 86_400),
        serviceRating: rating,
      };
    });
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

/**
 * A provider following its LevelDB ledger: `fromLedger` over a kept store (see reputation-store.ts: built once,
 * copied for each run, so the figure is reading, not building), then `refresh` after 1,000 new receipts (and 500
 * ratings of older ones) against a fresh `fromLedger`. Peak RSS is the process's when the reads end (the store's
 * build included when this run built it: `built` says so); `load_1m` is the machine's load
 * average when measured (it is shared).
 */
async function ledgerRefresh(agents: number, receipts: number, size: string): Promise<void> {
  // AGORA_BENCH_REPUTATION_THREADS=0 keeps EigenTrust on the calling thread (the default shares its steps with a
  // worker per core beyond the first): run both, alternating processes, to see what the threads give.
  const threads = process.env.AGORA_BENCH_REPUTATION_THREADS === '0' ? { threads: false as const } : {};
  // The agents' keys are derived once, and only when needed (a build, then the refresh batches' signers): a million
  // take minutes, and held during the reads they would count in their peak RSS.
  let derived: AgentKey[] | undefined;
  const keysOf = () => {
    derived ??= benchKeys(agents);
    return derived;
  };
  const store = await openBenchStore(agents, keysOf, receipts, new SeededRandom('bench-ledger'));
  const { ledger } = store;
  try {
    const runs: number[] = [];
    // CPU seconds beside wall seconds: on a shared machine the wall time is mostly waiting for a core.
    const cpu: number[] = [];
    let heapMib = 0;
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      const used = process.cpuUsage();
      const reputation = await Reputation.fromLedger(ledger, threads);
      runs.push((performance.now() - start) / 1000);
      const { user, system } = process.cpuUsage(used);
      cpu.push((user + system) / 1e6);
      heapMib = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      void reputation;
    }
    const full = median(runs);
    report({
      bench: BENCH,
      metric: `from_ledger_${size}`,
      value: full,
      unit: 's',
      runs: runs.map((t) => t.toFixed(3)).join(' '),
      cpu_s: median(cpu),
      agents,
      receipts,
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
      heap_after_mib: heapMib,
      built: String(store.built),
      threads: threads.threads === false ? 'off' : 'on',
      load_1m: Number(loadavg()[0]?.toFixed(2)),
    });
    // The stored receipts (id and payer, from the trust index) are the older ones the refresh batches' ratings pick.
    const keys = keysOf();
    const stored = new StoredReceipts();
    {
      const indexOf = new Map(keys.map((key, i) => [key.id, i]));
      for await (const { size: width, seqs, bytes } of ledger.records('receipt'))
        for (let i = 0; i < seqs.length; i++) {
          const record = decodeReceiptRecord(bytes, i * width);
          stored.push(record.id, indexOf.get(toHex(record.payer as Uint8Array)) as number);
        }
    }
    const random = new SeededRandom('bench-ledger-refresh');
    let reputation = await Reputation.fromLedger(ledger, threads);
    const refreshes: number[] = [];
    const refreshCpu: number[] = [];
    for (let r = 0; r < 3; r++) {
      const at = receipts + r * 1_000;
      const batch = receiptBatch(
        random,
        keys,
        stored,
        { payment: at, createdMs: FIRST_RECEIPT_MS + at * 1000 },
        1_000,
        500,
      );
      await ledger.appendBatch(placeholderSigned(batch));
      const start = performance.now();
      const used = process.cpuUsage();
      reputation = await reputation.refresh(ledger);
      refreshes.push((performance.now() - start) / 1000);
      const { user, system } = process.cpuUsage(used);
      refreshCpu.push((user + system) / 1e6);
    }
    const fresh = await Reputation.fromLedger(ledger, threads);
    const differing = keys.filter(({ id }) => fresh.score(id) !== reputation.score(id)).length;
    report({
      bench: BENCH,
      metric: `ledger_refresh_1000_${size}`,
      value: median(refreshes),
      unit: 's',
      baseline: full,
      runs: refreshes.map((t) => t.toFixed(3)).join(' '),
      cpu_s: median(refreshCpu),
      cpu_ratio: Number((median(refreshCpu) / median(cpu)).toFixed(4)),
      agents,
      receipts,
      differing_scores: differing,
      threads: threads.threads === false ? 'off' : 'on',
      load_1m: Number(loadavg()[0]?.toFixed(2)),
    });
    // The same read without the trust index (every event parsed), once, for the same-run ratio; at 100,000 agents it
    // takes minutes here, so there only with AGORA_BENCH_REPUTATION_EVENTS=1.
    if (agents <= 10_000 || process.env.AGORA_BENCH_REPUTATION_EVENTS === '1') {
      const withoutIndex: EventReader = {
        get: (id) => ledger.get(id),
        events: (options) => ledger.events(options),
        byIndex: (name, value, options) => ledger.byIndex(name, value, options),
        stats: () => ledger.stats(),
      };
      const start = performance.now();
      const used = process.cpuUsage();
      const parsed = await Reputation.fromLedger(withoutIndex, threads);
      const seconds = (performance.now() - start) / 1000;
      const { user, system } = process.cpuUsage(used);
      const indexed = await Reputation.fromLedger(ledger, threads);
      report({
        bench: BENCH,
        metric: `from_ledger_events_${size}`,
        value: seconds,
        unit: 's',
        note: 'the same read parsing every event (no trust index), one run; baseline: from_ledger (the index), median',
        baseline: full,
        cpu_s: (user + system) / 1e6,
        cpu_ratio: Number(((user + system) / 1e6 / median(cpu)).toFixed(2)),
        differing_scores: keys.filter(({ id }) => parsed.score(id) !== indexed.score(id)).length,
        load_1m: Number(loadavg()[0]?.toFixed(2)),
      });
    }
  } finally {
    await store.dispose();
  }
}

/** 100000 -> "100k", 1000000 -> "1m". */
function sizeName(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}m` : `${n / 1000}k`;
}

/**
 * The self-dealing attack at scale: a provider paying itself through 1,000 fresh keys, 100,000 receipts from its own
 * node (every event verified on the way in), beside an honest economy. Reports the share of all trust the attacker
 * and its keys get (the test in test/attacks does the same with 3,000 receipts).
 */
async function selfDealing(freshKeys: number, receipts: number): Promise<void> {
  const world = selfDealingWorld(freshKeys, receipts);
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-self-dealing-'));
  const ledger = await Ledger.open(dir, {
    registry: new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]),
    sync: false,
  });
  try {
    const tick = progress(`storing ${receipts} self-dealing receipts`);
    let stored = 0;
    for (const batch of world.batches) {
      await ledger.appendBatch(batch);
      stored += batch.length;
      tick(stored, receipts);
    }
    const start = performance.now();
    const reputation = await Reputation.fromLedger(ledger);
    const seconds = (performance.now() - start) / 1000;
    const ring = [world.attacker, ...world.freshKeys].reduce((sum, id) => sum + reputation.score(id), 0);
    report({
      bench: BENCH,
      metric: `self_dealing_${freshKeys}_keys_${receipts / 1000}k`,
      value: ring / 1e7,
      unit: '% of all trust',
      attacker_ppb: reputation.score(world.attacker),
      error_bound_ppb: reputation.certificate.errorBoundPpb,
      from_ledger_s: Number(seconds.toFixed(3)),
    });
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<void> {
  // AGORA_BENCH_REPUTATION_PARTS (comma-separated: engine, facts, ledger, self-dealing; default all) runs a part.
  const parts = new Set(
    (process.env.AGORA_BENCH_REPUTATION_PARTS ?? 'engine,facts,ledger,self-dealing').split(','),
  );
  if (parts.has('engine')) {
    engine(100_000, 1_000_000, '100k_1m');
    engine(1_000_000, 10_000_000, '1m_10m');
    report({ bench: BENCH, metric: 'peak_rss', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
  }
  if (parts.has('facts')) fromReceipts(100_000, 1_000_000, '100k_1m');
  // 10,000 agents / 100,000 receipts by default; AGORA_BENCH_REPUTATION_LEDGER=100000 reads 100,000 agents / 1,000,000
  // receipts (the kept store's first build takes about 5 minutes here; at 1,000,000 agents and 10,000,000 receipts,
  // about 2.5 hours: start it early, in the background).
  const agents = Number(process.env.AGORA_BENCH_REPUTATION_LEDGER ?? 10_000);
  if (parts.has('ledger'))
    await ledgerRefresh(agents, agents * 10, `${sizeName(agents)}_${sizeName(agents * 10)}`);
  if (parts.has('self-dealing')) await selfDealing(1_000, 100_000);
}
