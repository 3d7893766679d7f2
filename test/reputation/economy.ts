// Real payments on the sim network, with the provider's receipt and the payer's rating for each: shared by the
// reputation and CLI tests.
import { type AgentKey, generateAgentKey, signObject } from '../../src/identity/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  type LedgerEvent,
  parseEnvelope,
} from '../../src/ledger/index.js';
import { SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { createReceipt, rateReceipt, receiptRatingType, receiptType } from '../../src/receipts/index.js';

export const registry = () => new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]);

/** Real payments on the sim network, with the provider's receipt and the payer's rating for each. */
export async function economy() {
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
  /** Who paid for each receipt, by index. */
  const payers: AgentKey[] = [];
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
        payers.push(payer.key);
        ratings.push(rateReceipt(payer.key, parseEnvelope(receipt).id, q === 5 && round === 2 ? -2 : 2));
      }
    }
  }
  return { agents, registrations, receipts, ratings, payers };
}
