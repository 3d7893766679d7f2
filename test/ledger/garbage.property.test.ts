import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, ErrorCode, isAgoraError, toHex } from '../../src/core/index.js';
import { generateAgentKey, objectId } from '../../src/identity/index.js';
import { Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { registration, testRegistry } from './fixtures.js';

let ledger: Ledger;
beforeAll(async () => {
  ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
});
afterAll(async () => {
  await ledger.close();
});

const valid = canonicalJson(registration(generateAgentKey()));

/** A valid event line with one character replaced, inserted or removed. */
const mutatedLine = fc
  .tuple(
    fc.nat(valid.length - 1),
    fc.constantFrom('replace', 'insert', 'delete'),
    fc.string({ minLength: 1, maxLength: 1 }),
  )
  .map(([at, how, char]) => {
    if (how === 'delete') return valid.slice(0, at) + valid.slice(at + 1);
    if (how === 'insert') return valid.slice(0, at) + char + valid.slice(at);
    return valid.slice(0, at) + char + valid.slice(at + 1);
  });

describe('the ledger on garbage', () => {
  it('parseEnvelope gives only typed errors on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseEnvelope(value);
        } catch (error) {
          expect(isAgoraError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('parseEnvelope gives only typed errors on event-shaped objects with random fields', () => {
    const eventLike = fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.jsonValue()),
        type: fc.oneof(fc.constantFrom('agent.registered', 'test.anon'), fc.string()),
        created: fc.oneof(fc.nat(), fc.double(), fc.string()),
        author: fc.oneof(fc.string(), fc.jsonValue()),
        body: fc.jsonValue(),
        sig: fc.oneof(fc.string(), fc.jsonValue()),
        proof: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(eventLike, (value) => {
        try {
          parseEnvelope(value);
        } catch (error) {
          expect(isAgoraError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('parseEnvelope gives every accepted event its full canonical JSON and the id of its content', () => {
    const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map(toHex);
    const signedLike = fc.record(
      {
        v: fc.constant(1),
        type: fc.constantFrom('agent.registered', 'receipt', 'a.b_c'),
        created: fc.nat(),
        author: hex(32),
        body: fc.jsonValue(),
        sig: hex(64),
        proof: fc.jsonValue(),
      },
      { requiredKeys: ['v', 'type', 'created', 'body'] },
    );
    fc.assert(
      fc.property(signedLike, (value) => {
        let envelope: ReturnType<typeof parseEnvelope>;
        try {
          envelope = parseEnvelope(value);
        } catch (error) {
          expect(isAgoraError(error), String(error)).toBe(true);
          return;
        }
        expect(envelope.canonical).toBe(canonicalJson(value));
        expect(envelope.id).toBe(toHex(objectId(value as never)));
      }),
      { numRuns: 1000 },
    );
  });

  it('import of mutated or random lines fails only with IMPORT_FAILED naming line 1, and stores nothing bad', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedLine, fc.string()), async (line) => {
        const before = ledger.stats().events;
        try {
          const result = await ledger.importLines([line]);
          // A mutation may leave the event intact (e.g. whitespace inserted between tokens): then it is accepted.
          expect(result.lines).toBe(line.trim() === '' ? 0 : 1);
        } catch (error) {
          expect(isAgoraError(error, ErrorCode.ImportFailed), String(error)).toBe(true);
          expect((error as { details: { line: number } }).details.line).toBe(1);
          expect(ledger.stats().events).toBe(before);
        }
      }),
      { numRuns: 300 },
    );
    expect(ledger.stats().events).toBeLessThanOrEqual(1);
  });
});
