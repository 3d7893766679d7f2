// A receipt was checked against the provider's latest registration as this replica saw it: two replicas that received
// a node-key rotation in different orders ended with different ledgers.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { receiptRatingType, receiptType } from '../../src/receipts/index.js';
import { receiptAt, registrationAt } from '../fixtures/receipts.js';
import { rejectedAgoraError } from '../helpers.js';

const T = 1_800_000_000;

describe('a provider rotating its node key', () => {
  it('leaves every replica with the same receipts, whatever order the rotation arrives in', async () => {
    const network = new SimNetwork({ seed: 'rotation' });
    const [oldNode, newNode] = [network.createNode('old'), network.createNode('new')];
    const provider = generateAgentKey();
    const payer = generateAgentKey();
    const [before, after] = [
      await registrationAt(provider, T + 10, [oldNode.nodeKey]),
      await registrationAt(provider, T + 50, [newNode.nodeKey]),
    ];
    // Sold through the old node before the rotation; and through the new node before it was registered.
    const [sold, early] = [
      await receiptAt(provider, oldNode, payer, T + 30),
      await receiptAt(provider, newNode, payer, T + 40),
    ];
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
