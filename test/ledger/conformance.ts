import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, ErrorCode, toHex } from '../../src/core/index.js';
import { generateAgentKey, objectId, signObject } from '../../src/identity/index.js';
import {
  decodeRegistrationRecord,
  type Ledger,
  type LedgerEvent,
  type StoredEvent,
} from '../../src/ledger/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { anonymous, reference, registration } from './fixtures.js';

/** A place where ledgers can be opened, reopened and finally thrown away. */
export interface LedgerHarness {
  open(): Promise<Ledger>;
  destroy(): Promise<void>;
}

/** What a store implementation can do; tests that need a capability are skipped without it. */
export interface LedgerSupports {
  /** Data survives close and reopen. */
  reopen: boolean;
}

async function collect(iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** The conformance suite every ledger store passes. */
export function ledgerConformance(
  name: string,
  factory: () => Promise<LedgerHarness>,
  supports: LedgerSupports,
): void {
  describe(`ledger conformance: ${name}`, () => {
    let harness: LedgerHarness;
    let ledger: Ledger;
    const alice = generateAgentKey();
    const bob = generateAgentKey();

    beforeEach(async () => {
      harness = await factory();
      ledger = await harness.open();
    });
    afterEach(async () => {
      await ledger.close();
      await harness.destroy();
    });

    it('appends, gets and stores an event appended twice only once', async () => {
      const event = registration(alice);
      const first = await ledger.append(event);
      expect(first).toMatchObject({ seq: 1, added: true });
      const second = await ledger.append(structuredClone(event));
      expect(second).toEqual({ id: first.id, seq: 1, added: false });
      expect(ledger.stats()).toEqual({ events: 1, lastSeq: 1, types: { 'agent.registered': 1 } });
      const stored = await ledger.get(first.id);
      expect(stored?.event).toEqual(event);
      expect(await ledger.has(first.id)).toBe(true);
      expect(await ledger.get('00'.repeat(32))).toBeUndefined();
    });

    it('stores a duplicate inside one batch once', async () => {
      const event = registration(alice);
      const results = await ledger.appendBatch([event, event]);
      expect(results.map((r) => r.added)).toEqual([true, false]);
      expect(results[0]?.seq).toBe(results[1]?.seq);
      expect(ledger.stats().events).toBe(1);
    });

    it('rejects a tampered body, a tampered signature and the wrong key', async () => {
      const event = registration(alice);
      const body = { ...(event.body as object), zkCommitment: '12345' };
      const sig = `${event.sig?.slice(0, 127)}${event.sig?.endsWith('0') ? '1' : '0'}`;
      const byBob = registration(bob);
      for (const tampered of [
        { ...event, body },
        { ...event, sig },
        { ...byBob, author: alice.id },
      ]) {
        expect((await rejectedAgoraError(ledger.append(tampered))).code).toBe(ErrorCode.InvalidSignature);
      }
      expect(ledger.stats().events).toBe(0);
    });

    it('rejects malformed envelopes and unknown types with typed errors', async () => {
      const event = registration(alice);
      const { sig: _sig, ...withoutSig } = event;
      const cases: [unknown, string][] = [
        [null, ErrorCode.InvalidEvent],
        ['text', ErrorCode.InvalidEvent],
        [{ ...event, v: 2 }, ErrorCode.InvalidEvent],
        [{ ...event, extra: 1 }, ErrorCode.InvalidEvent],
        [{ ...event, created: -1 }, ErrorCode.InvalidEvent],
        [{ ...event, created: 1.5 }, ErrorCode.InvalidEvent],
        [{ ...event, author: event.author?.toUpperCase() }, ErrorCode.InvalidEvent],
        [{ ...event, body: undefined }, ErrorCode.InvalidEvent],
        [{ ...event, body: { text: 'x'.repeat(70_000) } }, ErrorCode.InvalidEvent],
        [{ ...event, proof: { ok: true } }, ErrorCode.InvalidEvent],
        [{ ...event, sig: undefined }, ErrorCode.InvalidEvent],
        [withoutSig, ErrorCode.InvalidSignature],
        [signObject(alice, { v: 1, type: 'test.unknown', created: 1, body: {} }), ErrorCode.UnknownEventType],
        [
          signObject(alice, { v: 1, type: 'agent.registered', created: 1, body: { nodeKeys: [] } }),
          ErrorCode.InvalidEvent,
        ],
        [{ ...anonymous(0, 0), proof: { ok: false } }, ErrorCode.InvalidEvent],
        [{ ...anonymous(0, 0), author: alice.id }, ErrorCode.InvalidEvent],
      ];
      for (const [input, code] of cases) {
        expect(
          (await rejectedAgoraError(ledger.append(input))).code,
          String(JSON.stringify(input)).slice(0, 80),
        ).toBe(code);
      }
      expect(ledger.stats().events).toBe(0);
    });

    it('writes a batch atomically: one bad event and nothing is stored, the bad one is named', async () => {
      const good = [registration(alice), registration(bob)];
      const bad = { ...registration(alice), created: 5 };
      const error = await rejectedAgoraError(ledger.appendBatch([...good, bad]));
      expect(error.code).toBe(ErrorCode.InvalidSignature);
      expect(error.details.index).toBe(2);
      expect(ledger.stats().events).toBe(0);
      expect(await collect(ledger.events())).toEqual([]);
    });

    it('lets an event refer to an earlier event of the same batch, and refuses dangling references', async () => {
      const target = registration(alice);
      const targetId = toHex(objectId(target as never));
      const results = await ledger.appendBatch([target, reference(bob, targetId)]);
      expect(results.map((r) => r.added)).toEqual([true, true]);
      expect((await collect(ledger.byIndex('ref', targetId))).length).toBe(1);
      const dangling = await rejectedAgoraError(ledger.append(reference(alice, '11'.repeat(32))));
      expect(dangling.code).toBe(ErrorCode.MissingReference);
      const reversed = await rejectedAgoraError(
        ledger.appendBatch([reference(bob, toHex(objectId(registration(bob) as never)))]),
      );
      expect(reversed.code).toBe(ErrorCode.MissingReference);
    });

    it('iterates in append order, by type and by index, with afterSeq, limit and reverse', async () => {
      const a = registration(alice);
      const b = registration(bob);
      const [ra, rb] = await ledger.appendBatch([a, b]);
      const ref = reference(alice, rb?.id as string);
      await ledger.append(ref);
      await ledger.appendBatch([anonymous(7, 0), anonymous(7, 1)]);
      const all = await collect(ledger.events());
      expect(all.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(all[0]?.id).toBe(ra?.id);
      expect((await collect(ledger.events({ type: 'agent.registered' }))).map((s) => s.seq)).toEqual([1, 2]);
      expect((await collect(ledger.events({ type: 'test.anon', reverse: true }))).map((s) => s.seq)).toEqual([
        5, 4,
      ]);
      expect((await collect(ledger.events({ afterSeq: 3 }))).map((s) => s.seq)).toEqual([4, 5]);
      expect((await collect(ledger.events({ limit: 2 }))).map((s) => s.seq)).toEqual([1, 2]);
      expect((await collect(ledger.byIndex('author', alice.id))).map((s) => s.seq)).toEqual([1, 3]);
      expect((await collect(ledger.byIndex('ref', rb?.id as string))).map((s) => s.event)).toEqual([ref]);
      expect((await collect(ledger.byIndex('nodeKey', `02${'ab'.repeat(32)}`))).length).toBe(2);
      expect((await collect(ledger.byIndex('batch', '7'))).length).toBe(2);
      expect(ledger.stats()).toEqual({
        events: 5,
        lastSeq: 5,
        types: { 'agent.registered': 2, 'test.anon': 2, 'test.ref': 1 },
      });
    });

    it('exports canonical JSON lines that import into another ledger with the same events', async () => {
      const events: LedgerEvent[] = [registration(alice), registration(bob), anonymous(1, 1)];
      await ledger.appendBatch(events);
      const lines: string[] = [];
      for await (const line of ledger.exportLines()) lines.push(line);
      expect(lines).toEqual(events.map((e) => canonicalJson(e)));
      const other = await factory();
      const copy = await other.open();
      try {
        const clean = { refused: [], waiting: [] };
        expect(await copy.importLines(['', ...lines, ''])).toEqual({
          lines: 3,
          added: 3,
          duplicates: 0,
          ...clean,
        });
        expect(await copy.importLines(lines)).toEqual({ lines: 3, added: 0, duplicates: 3, ...clean });
        const ids = async (l: Ledger) => (await collect(l.events())).map((s) => s.id);
        expect(await ids(copy)).toEqual(await ids(ledger));
      } finally {
        await copy.close();
        await other.destroy();
      }
    });

    it('imports every valid line whatever the order, sets bad lines aside and reports what still waits', async () => {
      const events = Array.from({ length: 5 }, () => registration(alice));
      const lines = events.map((e) => canonicalJson(e));
      const tampered = { ...events[3], created: 1 };
      const refers = (i: number) => canonicalJson(reference(bob, toHex(objectId(events[i] as never))));
      const orphan = canonicalJson(reference(bob, '11'.repeat(32)));
      for (const [bad, reason] of [
        [canonicalJson(tampered), ErrorCode.InvalidSignature],
        ['{"v":1,', ErrorCode.InvalidJson],
      ] as const) {
        const harness2 = await factory();
        const target = await harness2.open();
        try {
          // References come before what they name, a bad line stands in the middle, one reference never resolves.
          const input = [
            refers(4),
            refers(0),
            lines[0],
            lines[1],
            '',
            orphan,
            lines[2],
            bad,
            lines[4],
            lines[3],
          ];
          const result = await target.importLines(input as string[], { chunkSize: 2 });
          expect(result).toMatchObject({ lines: 9, added: 7, duplicates: 0 });
          expect(result.refused).toEqual([expect.objectContaining({ line: 8, reason })]);
          expect(result.waiting).toEqual([
            expect.objectContaining({ line: 6, reason: ErrorCode.MissingReference }),
          ]);
          expect(target.stats().events).toBe(7);
        } finally {
          await target.close();
          await harness2.destroy();
        }
      }
    });

    it('writes the fixed-width records of a batch with it, and reads them back in order from any position', async () => {
      const readRecords = async (afterSeq?: number) => {
        const out: { seq: number; id: string; author: string; created: number }[] = [];
        for await (const { size, seqs, bytes } of ledger.records(
          'agent.registered',
          afterSeq === undefined ? {} : { afterSeq },
        ))
          seqs.forEach((seq, i) => {
            const r = decodeRegistrationRecord(bytes, i * size);
            out.push({ seq, id: toHex(r.id), author: toHex(r.author), created: r.created });
          });
        return out;
      };
      const first = [registration(alice), registration(bob)];
      await ledger.appendBatch(first);
      await ledger.append(reference(alice, toHex(objectId(first[0] as never))));
      // A failed batch leaves no record behind.
      await rejectedAgoraError(
        ledger.appendBatch([registration(bob), { ...registration(alice), created: 5 }]),
      );
      const later = registration(bob);
      await ledger.append(later);
      const expected = [...first, later].map((event, i) => ({
        seq: [1, 2, 4][i] as number,
        id: toHex(objectId(event as never)),
        author: event.author as string,
        created: event.created,
      }));
      expect(await readRecords()).toEqual(expected);
      for (const after of [0, 1, 2, 3, 4])
        expect(await readRecords(after)).toEqual(expected.filter((r) => r.seq > after));
      // A type without records is refused; a type the ledger does not accept has none.
      await rejectedAgoraError(
        (async () => {
          for await (const _ of ledger.records('test.ref'));
        })(),
        ErrorCode.InvalidArgument,
      );
      for await (const _ of ledger.records('test.unknown')) throw new Error('records of an unknown type');
      if (supports.reopen) {
        await ledger.close();
        ledger = await harness.open();
        expect(await readRecords(1)).toEqual(expected.slice(1));
      }
    });

    it('serializes concurrent appends so idempotency holds', async () => {
      const event = registration(alice);
      const results = await Promise.all(Array.from({ length: 5 }, () => ledger.append(event)));
      expect(results.filter((r) => r.added).length).toBe(1);
      expect(ledger.stats().events).toBe(1);
    });

    it('refuses work once closed', async () => {
      await ledger.close();
      expect(ledger.isOpen).toBe(false);
      expect((await rejectedAgoraError(ledger.append(registration(alice)))).code).toBe(
        ErrorCode.StoreUnavailable,
      );
      // A failing store stops an import: it is not a bad line to set aside.
      await rejectedAgoraError(
        ledger.importLines([canonicalJson(registration(alice))]),
        ErrorCode.StoreUnavailable,
      );
      ledger = await harness.open();
    });

    it.runIf(supports.reopen)('keeps events, order, indexes and counts across close and reopen', async () => {
      await ledger.appendBatch([registration(alice), registration(bob)]);
      await ledger.close();
      ledger = await harness.open();
      expect(ledger.stats()).toEqual({ events: 2, lastSeq: 2, types: { 'agent.registered': 2 } });
      const { seq } = await ledger.append(registration(alice));
      expect(seq).toBe(3);
      expect((await collect(ledger.byIndex('author', alice.id))).map((s) => s.seq)).toEqual([1, 3]);
    });
  });
}
