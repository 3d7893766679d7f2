import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  EventRegistry,
  EventSet,
  type EventTypeDefinition,
  Ledger,
  type StoredEvent,
} from '../../src/ledger/index.js';
import { Reputation } from '../../src/reputation/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { economy, registry } from './economy.js';

/** Every score of `ids` under `reputation`. */
const scores = (reputation: Reputation, ids: readonly string[]) => ids.map((id) => reputation.score(id));

/** Makes `db` what format 2 wrote: no record blocks (all, or every other one), format '2'. */
async function toFormat2(db: MemoryLevel<string, string>, keep: (i: number) => boolean): Promise<void> {
  await db.open();
  const records = db.sublevel<string, Uint8Array>('record', { valueEncoding: 'view' });
  let i = 0;
  for await (const key of records.keys()) if (!keep(i++)) await records.del(key);
  await db.sublevel<string, string>('meta', { valueEncoding: 'utf8' }).put('format', '2');
  await db.close();
}

describe('the trust index (fixed-width records written at ingest)', () => {
  it('gives the scores the events give, and is rebuilt when a format-2 store is opened, whole or half-upgraded', async () => {
    const { agents, registrations, receipts, ratings } = await economy();
    const ids = agents.map(({ key }) => key.id);
    const db = new MemoryLevel<string, string>();
    const ledger = await Ledger.fromLevel(db, { registry: registry() });
    // Several batches: several record blocks per type, and ratings appended apart from their receipts.
    await ledger.appendBatch(registrations);
    await ledger.appendBatch(receipts.slice(0, 10));
    await ledger.appendBatch([...receipts.slice(10), ...ratings.slice(0, 9)]);
    await ledger.appendBatch(ratings.slice(9));
    const fromRecords = await Reputation.fromLedger(ledger, { seedCount: 3 });
    // The same ledger read through its events (a reader without records).
    const events: StoredEvent[] = [];
    for await (const stored of ledger.events()) events.push(stored);
    const withoutRecords = {
      get: (id: string) => ledger.get(id),
      events: (options?: Parameters<Ledger['events']>[0]) => ledger.events(options),
      byIndex: (name: string, value: string) => ledger.byIndex(name, value),
      stats: () => ledger.stats(),
    };
    const fromEvents = await Reputation.fromLedger(withoutRecords, { seedCount: 3 });
    expect(scores(fromRecords, ids)).toEqual(scores(fromEvents, ids));
    expect(scores(fromRecords, ids).some((s) => s > 0)).toBe(true);
    // An EventSet (a checkpoint's events) encodes the same records on demand: same scores.
    const set = new EventSet(events, registry());
    expect(scores(await Reputation.fromLedger(set, { seedCount: 3 }), ids)).toEqual(scores(fromEvents, ids));
    // afterSeq: the records of the events appended after it, and no others.
    const after: number[] = [];
    for await (const block of ledger.records('receipt', { afterSeq: 12 })) after.push(...block.seqs);
    expect(after).toEqual(events.filter((e) => e.seq > 12 && e.event.type === 'receipt').map((e) => e.seq));
    await ledger.close();

    for (const keep of [() => false, (i: number) => i % 2 === 0]) {
      await toFormat2(db, keep);
      const upgraded = await Ledger.fromLevel(db, { registry: registry() });
      expect(scores(await Reputation.fromLedger(upgraded, { seedCount: 3 }), ids)).toEqual(
        scores(fromEvents, ids),
      );
      await upgraded.close();
      await db.open();
      expect(await db.sublevel<string, string>('meta', { valueEncoding: 'utf8' }).get('format')).toBe('3');
      await db.close();
    }
  });

  it('refuses a damaged record block with STORE_UNAVAILABLE instead of misreading it', async () => {
    const { registrations, receipts } = await economy();
    const db = new MemoryLevel<string, string>();
    const ledger = await Ledger.fromLevel(db, { registry: registry() });
    await ledger.appendBatch([...registrations, ...receipts]);
    const records = db.sublevel<string, Uint8Array>('record', { valueEncoding: 'view' });
    for await (const [key, value] of records.iterator({ gte: 'receipt\x00', lt: 'receipt\x00\uffff' }))
      await records.put(key, value.subarray(0, value.length - 1));
    await rejectedAgoraError(Reputation.fromLedger(ledger), ErrorCode.StoreUnavailable);
    await ledger.close();
  });
});

describe('a record codec that breaks its width', () => {
  it('refuses the event (INVALID_EVENT) and stores nothing of the batch', async () => {
    const { registrations, receipts } = await economy();
    const base = registry();
    const broken = new EventRegistry(
      base.types().map((type) => {
        const definition = base.get(type);
        if (type !== 'receipt') return definition;
        return {
          ...definition,
          record: {
            size: 146,
            encode: (event, id) => definition.record?.encode(event, id).subarray(1) as Uint8Array,
          },
        } satisfies EventTypeDefinition;
      }),
    );
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: broken });
    await ledger.appendBatch(registrations);
    const error = await rejectedAgoraError(ledger.appendBatch(receipts.slice(0, 3)), ErrorCode.InvalidEvent);
    expect(error.details.index).toBe(0);
    expect(ledger.stats().types.receipt).toBeUndefined();
    await ledger.close();
  });
});
