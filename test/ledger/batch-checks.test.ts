import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, isJsonObject } from '../../src/core/index.js';
import { generateAgentKey, SchnorrPool, signObject } from '../../src/identity/index.js';
import { forgetKnownSignatures } from '../../src/identity/known-signatures.js';
import { EventRegistry, type EventTypeDefinition, Ledger, type LedgerEvent } from '../../src/ledger/index.js';

// A ledger batch's signatures are checked on the pool while the types' `verify` runs over the batch: the event
// reported is still the first that fails any check, whichever check finds it first.

/** A signed test type refused when its body says `bad`. */
const noteType: EventTypeDefinition = {
  type: 'test.note',
  auth: 'signature',
  verify(event) {
    if (isJsonObject(event.body) && event.body.bad === true)
      throw new AgoraError(ErrorCode.InvalidEvent, 'test.note: bad');
  },
};

const author = generateAgentKey();
const notes = Array.from({ length: 150 }, (_, i) =>
  signObject(author, { v: 1, type: 'test.note', created: 1_700_000_000 + i, body: { n: i } }),
) as LedgerEvent[];
const badNotes = notes.map(
  (_, i) =>
    signObject(author, {
      v: 1,
      type: 'test.note',
      created: 1_700_000_000 + i,
      body: { n: i, bad: true },
    }) as LedgerEvent,
);

/** `event` with one hex digit of its signature changed. */
function badlySigned(event: LedgerEvent): LedgerEvent {
  const sig = event.sig as string;
  return { ...event, sig: `${sig.slice(0, 20)}${sig[20] === '0' ? '1' : '0'}${sig.slice(21)}` };
}

async function outcome(pool: SchnorrPool, before: readonly LedgerEvent[], batch: readonly LedgerEvent[]) {
  // This process made the signatures: forgotten, every one is checked (on the pool's workers too).
  forgetKnownSignatures();
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: new EventRegistry([noteType]), pool });
  try {
    if (before.length > 0) await ledger.appendBatch(before);
    return { stored: (await ledger.appendBatch(batch)).filter((r) => r.added).length };
  } catch (error) {
    return { code: (error as AgoraError).code, index: (error as AgoraError).details?.index };
  } finally {
    await ledger.close();
  }
}

const pool = new SchnorrPool(1);
afterAll(() => pool.close());

describe('a ledger batch checked on the pool while its events are verified', () => {
  it('reports the first event failing either check, as the calling thread alone does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...notes.keys()], { maxLength: 3 }),
        fc.subarray([...notes.keys()], { maxLength: 3 }),
        async (badSignatures, badBodies) => {
          const batch = notes.map((note, i) => {
            const event = badBodies.includes(i) ? (badNotes[i] as LedgerEvent) : note;
            return badSignatures.includes(i) ? badlySigned(event) : event;
          });
          const first = Math.min(...badSignatures, ...badBodies);
          const expected =
            first === Number.POSITIVE_INFINITY
              ? { stored: notes.length }
              : {
                  code: badSignatures.includes(first) ? ErrorCode.InvalidSignature : ErrorCode.InvalidEvent,
                  index: first,
                };
          expect(await outcome(new SchnorrPool(0), [], batch)).toEqual(expected);
          expect(await outcome(pool, [], batch)).toEqual(expected);
        },
      ),
      {
        numRuns: 25,
        examples: [
          [[40], [7]],
          [[7], [40]],
          [[], []],
        ],
      },
    );
  });

  it('refuses a stored event sent again with a broken signature, not taking it for a copy', async () => {
    // The id does not cover the signature, so the copy is found stored; its signature is still checked.
    for (const p of [new SchnorrPool(0), pool])
      expect(
        await outcome(p, notes, [badlySigned(notes[100] as LedgerEvent), ...notes.slice(0, 99)]),
      ).toEqual({
        code: ErrorCode.InvalidSignature,
        index: 0,
      });
  });
});
