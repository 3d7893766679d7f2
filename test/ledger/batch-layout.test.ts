import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { generateAgentKey, SchnorrPool } from '../../src/identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger, type LedgerStore } from '../../src/ledger/index.js';
import { receiptRatingType, receiptType } from '../../src/receipts/index.js';
import { nodeKeys, quickRegistration, signedReceipt } from '../fixtures/signed-receipts.js';

// A batch goes to a UTF-8 store directly, keys prefixed by their section (abstract-level's per-operation sections cost
// about 5 times as much): what is stored must be byte for byte what naming the sections gives, on any store.

const provider = generateAgentKey();
const node = nodeKeys('batch-layout');
const events = [
  quickRegistration(provider, 1_700_000_000, [node.nodeKey]),
  ...Array.from({ length: 20 }, (_, i) =>
    signedReceipt(provider, node, provider.id, 1_700_000_100 + i, 1_000 + i),
  ),
];

/** Every entry of `store` after the events are appended through a ledger on `ledgerStore`, as hex key and value. */
async function stored(store: MemoryLevel<string, string>, ledgerStore: LedgerStore): Promise<string[]> {
  const ledger = await Ledger.fromLevel(ledgerStore, {
    registry: new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]),
    pool: new SchnorrPool(0),
  });
  await ledger.appendBatch(events);
  await ledger.close();
  await store.open();
  const entries: string[] = [];
  for await (const [key, value] of store.iterator({ keyEncoding: 'view', valueEncoding: 'view' }))
    entries.push(`${Buffer.from(key).toString('hex')}=${Buffer.from(value).toString('hex')}`);
  await store.close();
  return entries;
}

describe('a batch written to a UTF-8 store directly', () => {
  it('stores what writing it section by section stores, on a store with other encodings and under a sublevel', async () => {
    const text = new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' });
    // A store whose own value encoding is not UTF-8 takes the operations section by section.
    const other = new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'json' });
    const parent = new MemoryLevel<string, string>({ keyEncoding: 'utf8', valueEncoding: 'utf8' });
    const direct = await stored(text, text as unknown as LedgerStore);
    expect(direct.length).toBeGreaterThan(events.length * 5);
    expect(await stored(other, other as unknown as LedgerStore)).toEqual(direct);
    // Under a sublevel, each section's own prefix is added here and the sublevel's by the sublevel.
    const under = await stored(parent, parent.sublevel('ledger') as unknown as LedgerStore);
    const prefix = Buffer.from('!ledger!').toString('hex');
    expect(under.every((entry) => entry.startsWith(prefix))).toBe(true);
    expect(under.map((entry) => entry.slice(prefix.length))).toEqual(direct);
  });
});
