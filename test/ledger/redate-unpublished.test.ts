// `Ledger.redateUnpublished`: an own anonymous event never published replaced by its copy under another date, in one
// atomic write, so the ledger reads as if it had only ever held the copy (the re-dated vote piece of issue 17's third
// review). The one removal a ledger makes: refused for signed events and missing ones.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { anonymous, registration, testRegistry } from './fixtures.js';

const ids = async (iterable: AsyncIterable<{ id: string }>) => {
  const found: string[] = [];
  for await (const { id } of iterable) found.push(id);
  return found;
};

describe('Ledger.redateUnpublished', () => {
  it('replaces the event by its copy: order, type, indexes and counts as if only the copy was stored', async () => {
    const db = new MemoryLevel<string, string>();
    const ledger = await Ledger.fromLevel(db, { registry: testRegistry() });
    const key = generateAgentKey();
    await ledger.appendBatch([registration(key), anonymous(5, 0), anonymous(5, 1)]);
    const original = parseEnvelope(anonymous(5, 0)).id;
    const copy = await ledger.redateUnpublished(original, 1_700_000_500);
    expect(copy).toEqual({
      id: parseEnvelope({ ...anonymous(5, 0), created: 1_700_000_500 }).id,
      seq: 4,
      added: true,
    });
    expect(await ledger.has(original)).toBe(false);
    expect((await ledger.get(copy.id))?.event.created).toBe(1_700_000_500);
    const other = parseEnvelope(anonymous(5, 1)).id;
    expect(await ids(ledger.byIndex('batch', '5'))).toEqual([other, copy.id]);
    expect(await ids(ledger.events({ type: 'test.anon' }))).toEqual([other, copy.id]);
    expect((await ids(ledger.events())).length).toBe(3);
    expect(ledger.stats()).toEqual({
      events: 3,
      lastSeq: 4,
      types: { 'agent.registered': 1, 'test.anon': 2 },
    });
    // Reopened: the same.
    await ledger.close();
    const again = await Ledger.fromLevel(db, { registry: testRegistry() });
    expect(again.stats().types).toEqual({ 'agent.registered': 1, 'test.anon': 2 });
    expect(await ids(again.byIndex('batch', '5'))).toEqual([other, copy.id]);
    // The original received again (it was public after all): stored anew, beside its copy.
    expect((await again.append(anonymous(5, 0))).added).toBe(true);
    expect(await ids(again.byIndex('batch', '5'))).toEqual([other, copy.id, original]);
    await again.close();
  });

  it('refuses a signed event, a missing one and its own date', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const key = generateAgentKey();
    const [signed] = await ledger.appendBatch([registration(key), anonymous(6, 0)]);
    const piece = parseEnvelope(anonymous(6, 0)).id;
    await expect(ledger.redateUnpublished(signed?.id as string, 1)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    await expect(ledger.redateUnpublished('ab'.repeat(32), 1)).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    await expect(ledger.redateUnpublished(piece, 1_700_000_000)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
    expect(await ledger.has(piece)).toBe(true);
    await ledger.close();
  });
});
