// A small market for the attacks on trust from receipts: three early agents (the seeds) buy from an honest provider
// and rate it; an attacking provider is registered beside it. Every event is real and verified by the ledger.
import { MemoryLevel } from 'memory-level';
import { ManualClock } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey, signObject } from '../../src/identity/index.js';
import { Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { type ReceiptBody, rateReceipt } from '../../src/receipts/index.js';
import { Reputation } from '../../src/reputation/index.js';
import { type NodeKeys, nodeKeys, quickRegistration, signedReceipt } from '../fixtures/signed-receipts.js';
import { registry } from '../reputation/economy.js';

export const T0 = 1_760_000_000;
export const DAY = 86_400;

export interface Provider {
  readonly key: AgentKey;
  readonly node: NodeKeys;
}

let markets = 0;

/** The seeds, an honest provider, an attacker, and the honest trade: each seed buys twice from `honest` and rates 2. */
export function trustMarket() {
  const seeds = Array.from({ length: 3 }, () => generateAgentKey());
  const market = markets++;
  const honest: Provider = { key: generateAgentKey(), node: nodeKeys(`honest-${market}`) };
  const attacker: Provider = { key: generateAgentKey(), node: nodeKeys(`attacker-${market}`) };
  const events: LedgerEvent[] = [
    ...seeds.map((key, i) => quickRegistration(key, T0 + i)),
    quickRegistration(honest.key, T0 + 10, [honest.node.nodeKey]),
    quickRegistration(attacker.key, T0 + 11, [attacker.node.nodeKey]),
  ];
  for (const [i, seed] of seeds.entries())
    for (let k = 0; k < 2; k++) {
      const receipt = signedReceipt(honest.key, honest.node, seed.id, T0 + 100 + i * 10 + k, 100_000);
      events.push(receipt, ratingAt(seed, receipt, 2, T0 + 200 + i * 10 + k));
    }
  return { seeds, honest, attacker, events };
}

/** `payer`'s rating of `receipt`, dated `created`. */
export function ratingAt(
  payer: AgentKey,
  receipt: LedgerEvent,
  rating: number,
  created: number,
): LedgerEvent {
  return rateReceipt(payer, parseEnvelope(receipt).id, rating, { clock: new ManualClock(created * 1000) });
}

/**
 * Another receipt signed by `provider` for the payment `receipt` attests, naming `payer`, its id below `below`
 * (ground by the status code: each try halves the odds of failing).
 */
export function secondReceipt(
  provider: AgentKey,
  receipt: LedgerEvent,
  payer: string | null,
  created: number,
  below: string,
): LedgerEvent {
  const body = receipt.body as unknown as ReceiptBody;
  for (let status = 200; status < 600; status++) {
    const candidate = signObject(provider, {
      v: 1,
      type: 'receipt',
      created,
      body: { ...body, payer, status },
    }) as LedgerEvent;
    if (parseEnvelope(candidate).id < below) return candidate;
  }
  throw new Error('no lower id in 400 tries');
}

/**
 * The reputation of a ledger holding `batches` (appended in that order), read at once; and checked against one read
 * after the first batch and refreshed after each next one (the incremental path must agree, whatever came in).
 */
export async function reputationOf(
  batches: readonly (readonly LedgerEvent[])[],
  options: { asOf?: number } = {},
): Promise<Reputation> {
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: registry(), sync: false });
  try {
    const [first = [], ...rest] = batches;
    await ledger.appendBatch(first);
    const followed = await Reputation.fromLedger(ledger, { seedCount: 3, ...options });
    for (const batch of rest) {
      await ledger.appendBatch(batch);
      await followed.refresh(ledger);
    }
    const fresh = await Reputation.fromLedger(ledger, { seedCount: 3, ...options });
    if (JSON.stringify(followed.top(1_000)) !== JSON.stringify(fresh.top(1_000)))
      throw new Error('the refreshed reputation differs from a fresh read');
    return fresh;
  } finally {
    await ledger.close();
  }
}
