import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { checkCaveats } from '../../src/l402/index.js';
import { createAgentRegistration, Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { createReceipt, type ReceiptBody, rateReceipt } from '../../src/receipts/index.js';
import { Reputation } from '../../src/reputation/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { economy, registry } from './economy.js';

const newLedger = () => Ledger.fromLevel(new MemoryLevel(), { registry: registry() });

/** Every agent's score in `one` equals its score in `two`. */
function expectSameScores(one: Reputation, two: Reputation, ids: readonly string[]) {
  expect(ids.map((id) => one.score(id))).toEqual(ids.map((id) => two.score(id)));
}

describe('reputation from a ledger', () => {
  it('is identical on two ledgers that received the same receipts in different orders', async () => {
    const { agents, registrations, receipts, ratings } = await economy();
    const a = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    const b = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    try {
      await a.appendBatch([...registrations, ...receipts, ...ratings]);
      await b.appendBatch([...registrations].reverse());
      for (let i = receipts.length - 1; i >= 0; i--)
        await b.appendBatch([receipts[i] as LedgerEvent, ratings[i] as LedgerEvent]);
      const one = await Reputation.fromLedger(a, { seedCount: 3 });
      const two = await Reputation.fromLedger(b, { seedCount: 3 });
      expect(one.seeds).toEqual(agents.slice(0, 3).map((x) => x.key.id));
      for (const { key } of agents) expect(two.score(key.id)).toBe(one.score(key.id));
      const [, , , low, mid, high] = agents.map(({ key }) => one.score(key.id));
      expect(mid as number).toBeGreaterThan(low as number);
      expect(high as number).toBeGreaterThan(0);
      // The engine is the L402 reputation lookup: a provider asking for reputation 1 turns the unknown away.
      const stranger = generateAgentKey().id;
      expect(
        await checkCaveats(['agora_min_reputation=1'], {
          service: 'api',
          now: 0,
          payer: agents[4]?.key.id as string,
          reputation: one,
        }),
      ).toBeUndefined();
      expect(
        (
          await checkCaveats(['agora_min_reputation=1'], {
            service: 'api',
            now: 0,
            payer: stranger,
            reputation: one,
          })
        )?.status,
      ).toBe(403);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refreshes from the events appended since, to the scores a fresh read gives', async () => {
    const { agents, registrations, receipts, ratings, payers } = await economy();
    const ids = agents.map(({ key }) => key.id);
    const ledger = await newLedger();
    try {
      await ledger.appendBatch([...registrations, ...receipts.slice(0, 12), ...ratings.slice(0, 6)]);
      let reputation = await Reputation.fromLedger(ledger, { seedCount: 3 });
      const before = ids.map((id) => reputation.score(id));
      // New receipts, ratings of receipts already counted and of new ones.
      await ledger.appendBatch([...receipts.slice(12), ...ratings.slice(6)]);
      reputation = await reputation.refresh(ledger);
      const fresh = await Reputation.fromLedger(ledger, { seedCount: 3 });
      expectSameScores(reputation, fresh, ids);
      expect(ids.map((id) => reputation.score(id))).not.toEqual(before);
      expect(reputation.stats.iterations).toBeLessThan(fresh.stats.iterations);
      expect(reputation.explain(ids[5] as string).receipts).toEqual(fresh.explain(ids[5] as string).receipts);
      // Nothing new: nothing moves.
      expectSameScores(await reputation.refresh(ledger), fresh, ids);

      // A payer changes its mind: its later rating replaces the first.
      const rated = parseEnvelope(receipts[0] as LedgerEvent).id;
      const later = new ManualClock(Date.now() + 60_000);
      await ledger.append(rateReceipt(payers[0] as AgentKey, rated, -2, { clock: later }));
      reputation = await reputation.refresh(ledger);
      expectSameScores(reputation, await Reputation.fromLedger(ledger, { seedCount: 3 }), ids);

      // A second receipt for the payment and payer, with a lower id and no rating, does not push out the rated one:
      // the payer's -2 still counts (a provider cannot erase a rating by signing the payment again).
      const first = receipts[0] as LedgerEvent;
      const body = first.body as unknown as ReceiptBody;
      const provider = agents[3]?.key as (typeof agents)[0]['key'];
      let lower: LedgerEvent | undefined;
      // Ground over statuses, then service names too: the rated id is random, and 1 in 400 times no status is enough.
      for (let n = 0; lower === undefined; n++) {
        const status = 201 + (n % 399);
        const service = n < 399 ? body.service : `${body.service}.${Math.floor(n / 399)}`;
        const candidate = createReceipt(provider, { ...body, status, service });
        if (parseEnvelope(candidate).id < rated) lower = candidate;
      }
      await ledger.append(lower);
      const scoreRatedDown = reputation.score(ids[3] as string);
      reputation = await reputation.refresh(ledger);
      const reattested = await Reputation.fromLedger(ledger, { seedCount: 3 });
      expectSameScores(reputation, reattested, ids);
      expect(reputation.score(ids[3] as string)).toBe(scoreRatedDown);
      expect(reattested.explain(ids[3] as string, 100).receipts.map((r) => r.receipt)).toContain(rated);
      expect(reputation.explain(ids[3] as string, 100).receipts).toEqual(
        reattested.explain(ids[3] as string, 100).receipts,
      );

      // A newcomer registers: agents change, so the refresh recomputes in full, in place: the same instance goes on
      // following the ledger.
      const newcomer = generateAgentKey();
      await ledger.append(await createAgentRegistration(newcomer, { nodeKeys: [] }));
      const same = reputation;
      reputation = await reputation.refresh(ledger);
      expect(reputation).toBe(same);
      expect(await reputation.refresh(ledger)).toBe(same);
      const all = [...ids, newcomer.id];
      expectSameScores(reputation, await Reputation.fromLedger(ledger, { seedCount: 3 }), all);
      expect(reputation.stats.agents).toBe(7);
    } finally {
      await ledger.close();
    }
  });

  it('refreshes a reputation fixed as of a time without counting later events', async () => {
    const { agents, registrations, receipts, ratings, payers } = await economy();
    const ids = agents.map(({ key }) => key.id);
    const ledger = await newLedger();
    try {
      await ledger.appendBatch([...registrations, ...receipts, ...ratings]);
      const asOf = Math.floor(Date.now() / 1000) + 10;
      const fixed = await Reputation.fromLedger(ledger, { seedCount: 3, asOf });
      const late = new ManualClock((asOf + 100) * 1000);
      await ledger.append(
        rateReceipt(payers[3] as AgentKey, parseEnvelope(receipts[3] as LedgerEvent).id, -2, { clock: late }),
      );
      const refreshed = await fixed.refresh(ledger);
      expectSameScores(refreshed, await Reputation.fromLedger(ledger, { seedCount: 3, asOf }), ids);
      const now = await Reputation.fromLedger(ledger, { seedCount: 3 });
      expect(ids.map((id) => now.score(id))).not.toEqual(ids.map((id) => refreshed.score(id)));
    } finally {
      await ledger.close();
    }
  });

  it('refuses to refresh a reputation that was not read from a ledger', async () => {
    const ledger = await newLedger();
    try {
      await rejectedAgoraError(Reputation.fromFacts([], []).refresh(ledger), ErrorCode.InvalidState);
    } finally {
      await ledger.close();
    }
  });

  it('refreshes to what a fresh read gives, whatever order and batches the events arrive in', async () => {
    const { agents, registrations, receipts, ratings, payers } = await economy();
    const ids = agents.map(({ key }) => key.id);
    // Second thoughts: later ratings of a few receipts by their payers.
    const later = new ManualClock(Date.now() + 120_000);
    const rerated = [0, 4, 8, 13].map((i) =>
      rateReceipt(payers[i] as AgentKey, parseEnvelope(receipts[i] as LedgerEvent).id, (i % 5) - 2, {
        clock: later,
      }),
    );
    // Second receipts of a few payments, signed by their provider: naming the same payer (unrated) and naming
    // another agent that rates them. Per payer, the rated receipt attests the payment whatever arrives first.
    const keyOf = (id: string) => agents.find(({ key }) => key.id === id)?.key as AgentKey;
    const seconds = [2, 7, 11].flatMap((i) => {
      const receipt = receipts[i] as LedgerEvent;
      const body = receipt.body as unknown as ReceiptBody;
      const provider = keyOf(receipt.author as string);
      const other = payers[(i + 1) % payers.length] as AgentKey;
      return [
        createReceipt(provider, { ...body, status: 201 }),
        createReceipt(provider, { ...body, payer: other.id, status: 202 }),
      ];
    });
    const secondRatings = seconds
      .filter((_, k) => k % 2 === 1)
      .map((receipt) =>
        rateReceipt(
          keyOf((receipt.body as unknown as ReceiptBody).payer as string),
          parseEnvelope(receipt).id,
          2,
        ),
      );
    // Every event after registration, with the receipt it depends on (the ledger refuses a rating of an unknown
    // receipt): a random order keeps each rating after its receipt by holding it back until the receipt is out.
    const allReceipts = [...receipts, ...seconds];
    const events = [...allReceipts, ...ratings, ...rerated, ...secondRatings];
    const receiptOf = events.map((event, k) =>
      k < allReceipts.length
        ? -1
        : allReceipts.findIndex((r) => parseEnvelope(r).id === (event.body as { receipt: string }).receipt),
    );
    const inOrder = await newLedger();
    await inOrder.appendBatch([...registrations, ...events]);
    const reference = await Reputation.fromLedger(inOrder, { seedCount: 3 });
    await inOrder.close();
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...events.keys()], { minLength: events.length }),
        fc.array(fc.nat({ max: events.length }), { minLength: 1, maxLength: 5 }),
        async (order, cuts) => {
          const stream: LedgerEvent[] = [];
          const held = new Map<number, number[]>();
          const out = new Set<number>();
          const emit = (k: number) => {
            stream.push(events[k] as LedgerEvent);
            out.add(k);
            for (const waiting of held.get(k) ?? []) emit(waiting);
          };
          for (const k of order) {
            const receipt = receiptOf[k] as number;
            if (receipt === -1 || out.has(receipt)) emit(k);
            else held.set(receipt, [...(held.get(receipt) ?? []), k]);
          }
          expect(stream).toHaveLength(events.length);
          const ledger = await newLedger();
          try {
            await ledger.appendBatch(registrations);
            let reputation = await Reputation.fromLedger(ledger, { seedCount: 3 });
            let at = 0;
            for (const cut of [...cuts.sort((a, b) => a - b), stream.length]) {
              if (cut <= at) continue;
              await ledger.appendBatch(stream.slice(at, cut));
              at = cut;
              reputation = await reputation.refresh(ledger);
              expectSameScores(reputation, await Reputation.fromLedger(ledger, { seedCount: 3 }), ids);
            }
            // And all of it, whatever the order, to what a ledger that received it in order gives.
            expectSameScores(reputation, reference, ids);
          } finally {
            await ledger.close();
          }
        },
      ),
      { numRuns: 8 },
    );
  });
});
