import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { type AgentKey, generateAgentKey, signObject } from '../../src/identity/index.js';
import { checkCaveats } from '../../src/l402/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
} from '../../src/ledger/index.js';
import { SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { createReceipt, rateReceipt, receiptRatingType, receiptType } from '../../src/receipts/index.js';
import { Reputation } from '../../src/reputation/index.js';

const registry = () => new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]);

/** Real payments on the sim network, with the provider's receipt and the payer's rating for each. */
async function economy() {
  const network = new SimNetwork();
  const hub = network.createNode('hub');
  const agents: { key: AgentKey; node: SimNode }[] = Array.from({ length: 6 }, (_, i) => ({
    key: generateAgentKey(),
    node: network.createNode(`a${i}`),
  }));
  for (const { node } of agents)
    network.openChannel(node, hub, { capacitySat: 5_000_000, pushSat: 2_500_000 });
  // Fixed registration times: the three oldest (the default seeds) are the first three agents.
  const registrations: LedgerEvent[] = [];
  for (const [i, agent] of agents.entries()) {
    const { body } = await createAgentRegistration(agent.key, { nodeKeys: [agent.node.nodeKey] });
    registrations.push(
      signObject(agent.key, { v: 1, type: 'agent.registered', created: 1_000 + i, body }) as LedgerEvent,
    );
  }
  const receipts: LedgerEvent[] = [];
  const ratings: LedgerEvent[] = [];
  for (let round = 0; round < 3; round++) {
    for (let p = 0; p < 3; p++) {
      for (let q = 3; q < 6; q++) {
        const payer = agents[p] as { key: AgentKey; node: SimNode };
        const provider = agents[q] as { key: AgentKey; node: SimNode };
        const amountMsat = (q - 2) * 100_000;
        const invoice = await provider.node.createInvoice({ amountMsat });
        const { preimage } = await payer.node.payInvoice(invoice.paymentRequest);
        const receipt = createReceipt(provider.key, {
          service: 'api',
          invoice: invoice.paymentRequest,
          paymentHash: invoice.paymentHash,
          preimage,
          amountMsat,
          payer: payer.key.id,
          status: 200,
        });
        receipts.push(receipt);
        ratings.push(rateReceipt(payer.key, parseEnvelope(receipt).id, q === 5 && round === 2 ? -2 : 2));
      }
    }
  }
  return { agents, registrations, receipts, ratings };
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
});
