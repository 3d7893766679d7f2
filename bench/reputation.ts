import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, toHex } from '../src/core/index.js';
import { type AgentKey, agentKeyFromSecret } from '../src/identity/index.js';
import {
  agentRegisteredType,
  EventRegistry,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
  signEvent,
} from '../src/ledger/index.js';
import { decodeReceiptRecord, rateReceipt, receiptRatingType, receiptType } from '../src/receipts/index.js';
import { type ReceiptFact, Reputation, TrustEngine } from '../src/reputation/index.js';
import { SeededRandom, seededBytes } from '../src/sim/index.js';
import { selfDealingWorld } from '../test/fixtures/self-dealing.js';
import { quickRegistration } from '../test/fixtures/signed-receipts.js';
import { concatInteractions, drawPayment, syntheticInteractions } from '../test/fixtures/trust-graph.js';
import { median, medianSeconds, progress, report } from './report.js';

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
 * A provider following its LevelDB ledger: `refresh` after 1,000 new receipts (and 500 ratings of older ones) against
 * a fresh `fromLedger`. Receipts are signed for real but stored through a registry that skips their invoice checks
 * (reading never re-checks them; building real invoices for 50,000 payments would dominate the run).
 */
async function ledgerRefresh(agents: number, receipts: number, size: string): Promise<void> {
  // AGORA_BENCH_REPUTATION_STORE=DIR keeps the store there and reuses it on the next run (storing a million receipts
  // takes most of the run); the refresh batches then land on top of it, so each reuse measures a slightly larger one.
  const kept = process.env.AGORA_BENCH_REPUTATION_STORE;
  const dir = kept ?? (await mkdtemp(join(tmpdir(), 'agora-bench-reputation-')));
  const registry = new EventRegistry([
    agentRegisteredType,
    { ...receiptType, verify: () => {} },
    { ...receiptRatingType, verify: () => {} },
  ]);
  const ledger = await Ledger.open(dir, { registry, sync: false });
  const random = new SeededRandom('bench-ledger');
  const clock = new ManualClock(1_760_000_000_000);
  // Keys from the seed: a kept store's agents are those of the next run.
  const keys: AgentKey[] = Array.from({ length: agents }, (_, i) =>
    agentKeyFromSecret(seededBytes('bench-agent', String(i))),
  );
  const stored: { id: string; payer: AgentKey }[] = [];
  let payment = 0;
  const batch = (count: number, ratingsOfOlder: number): LedgerEvent[] => {
    const events: LedgerEvent[] = [];
    for (let k = 0; k < ratingsOfOlder; k++) {
      const { id, payer } = stored[Math.floor(random.next() * stored.length)] as (typeof stored)[0];
      events.push(rateReceipt(payer, id, random.next() < 0.5 ? -2 : 1, { clock }));
    }
    for (let k = 0; k < count; k++) {
      clock.advance(1_000);
      const drawn = drawPayment(random, agents);
      const payer = keys[drawn.payer] as AgentKey;
      const provider = keys[drawn.provider] as AgentKey;
      const receipt = signEvent(
        provider,
        'receipt',
        {
          service: 'api',
          invoice: 'lnbc1unchecked',
          paymentHash: toHex(seededBytes('bench', `payment-${payment++}`)),
          preimage: '00'.repeat(32),
          amountMsat: drawn.amountSat * 1000,
          payer: payer.id,
          status: 200,
        },
        { clock },
      );
      events.push(receipt);
      const id = parseEnvelope(receipt).id;
      stored.push({ id, payer });
      // Half the payers rate what they bought.
      if (random.next() < 0.5) events.push(rateReceipt(payer, id, drawn.rating, { clock }));
    }
    return events;
  };
  try {
    const byId = new Map(keys.map((key) => [key.id, key]));
    const already = ledger.stats().types.receipt ?? 0;
    if (already > 0) {
      // A kept store: its receipts (id and payer, from the trust index) are the older ones the ratings pick from.
      for await (const { size: width, seqs, bytes } of ledger.records('receipt'))
        for (let i = 0; i < seqs.length; i++) {
          const record = decodeReceiptRecord(bytes, i * width);
          stored.push({
            id: toHex(record.id),
            payer: byId.get(toHex(record.payer as Uint8Array)) as AgentKey,
          });
        }
      payment = already + 10_000_000;
    } else {
      const registrations = keys.map((key, i) => quickRegistration(key, 1_700_000_000 + i));
      for (let at = 0; at < registrations.length; at += 10_000)
        await ledger.appendBatch(registrations.slice(at, at + 10_000));
    }
    const tick = progress(`storing ${receipts} receipts`);
    for (let at = already; at < receipts; at += 1_000) {
      await ledger.appendBatch(batch(1_000, 0));
      tick(at + 1_000, receipts);
    }
    const full = await medianSeconds(3, async () => {
      await Reputation.fromLedger(ledger);
    });
    report({
      bench: BENCH,
      metric: `from_ledger_${size}`,
      value: full,
      unit: 's',
      agents,
      receipts,
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    });
    let reputation = await Reputation.fromLedger(ledger);
    const refreshes: number[] = [];
    for (let r = 0; r < 3; r++) {
      await ledger.appendBatch(batch(1_000, 500));
      const start = performance.now();
      reputation = await reputation.refresh(ledger);
      refreshes.push((performance.now() - start) / 1000);
    }
    const fresh = await Reputation.fromLedger(ledger);
    const differing = keys.filter(({ id }) => fresh.score(id) !== reputation.score(id)).length;
    report({
      bench: BENCH,
      metric: `ledger_refresh_1000_${size}`,
      value: median(refreshes),
      unit: 's',
      baseline: full,
      agents,
      receipts,
      differing_scores: differing,
    });
  } finally {
    await ledger.close();
    if (kept === undefined) await rm(dir, { recursive: true, force: true });
  }
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
  // 10,000 agents / 100,000 receipts by default (about 2 minutes); AGORA_BENCH_REPUTATION_LEDGER=100000 stores
  // 100,000 agents / 1,000,000 receipts (about 20 minutes, most of it storing them).
  const agents = Number(process.env.AGORA_BENCH_REPUTATION_LEDGER ?? 10_000);
  if (parts.has('ledger')) await ledgerRefresh(agents, agents * 10, `${agents / 1000}k_${agents / 100}k`);
  if (parts.has('self-dealing')) await selfDealing(1_000, 100_000);
}
