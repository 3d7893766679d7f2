// A receipt was checked against the provider's latest registration as this replica saw it: two replicas that received
// a node-key rotation in different orders ended with different ledgers.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, toHex } from '../../src/core/index.js';
import { generateAgentKey, signObject, zkIdentity } from '../../src/identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { createReceipt, receiptRatingType, receiptType } from '../../src/receipts/index.js';
import { rejectedAgoraError } from '../helpers.js';

const T = 1_800_000_000;

describe('a provider rotating its node key', () => {
  it('leaves every replica with the same receipts, whatever order the rotation arrives in', async () => {
    const network = new SimNetwork({ seed: 'rotation' });
    const [oldNode, newNode] = [network.createNode('old'), network.createNode('new')];
    const provider = generateAgentKey();
    const payer = generateAgentKey();
    const { commitment } = await zkIdentity(provider);
    const registration = (created: number, nodeKey: string) =>
      signObject(provider, {
        v: 1,
        type: 'agent.registered',
        created,
        body: { zkCommitment: commitment.toString(), nodeKeys: [nodeKey] },
      }) as LedgerEvent;
    const [before, after] = [registration(T + 10, oldNode.nodeKey), registration(T + 50, newNode.nodeKey)];
    let n = 0;
    const receipt = async (node: typeof oldNode, created: number) => {
      const preimage = toHex(new Uint8Array(32).fill(++n));
      const invoice = await node.createInvoice({ amountMsat: 10_000, preimage });
      return createReceipt(
        provider,
        {
          service: 'api',
          invoice: invoice.paymentRequest,
          paymentHash: invoice.paymentHash,
          preimage,
          amountMsat: 10_000,
          payer: payer.id,
          status: 200,
        },
        { clock: new ManualClock(created * 1000) },
      );
    };
    // Sold through the old node before the rotation; and through the new node before it was registered.
    const [sold, early] = [await receipt(oldNode, T + 30), await receipt(newNode, T + 40)];
    const ledger = () =>
      Ledger.fromLevel(new MemoryLevel(), {
        registry: new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]),
      });
    const ids = async (l: Ledger) => {
      const all: string[] = [];
      for await (const { id } of l.events()) all.push(id);
      return all.sort();
    };
    const orders = [
      [before, sold, after],
      [before, after, sold],
      [after, before, sold],
    ];
    const stored: string[][] = [];
    for (const order of orders) {
      const replica = await ledger();
      for (const event of order) await replica.append(event);
      // The new node was not registered at the early receipt's time: it waits, on every replica.
      await rejectedAgoraError(replica.append(early), ErrorCode.MissingReference);
      stored.push(await ids(replica));
      await replica.close();
    }
    expect(stored[0]).toHaveLength(3);
    expect(stored[1]).toEqual(stored[0]);
    expect(stored[2]).toEqual(stored[0]);
  });
});
