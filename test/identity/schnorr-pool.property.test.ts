import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, it } from 'vitest';
import { generateAgentKey, SchnorrPool, type SignatureCheck, wasmSchnorr } from '../../src/identity/index.js';
import { agentRegisteredType, EventRegistry, Ledger } from '../../src/ledger/index.js';
import { registration } from '../ledger/fixtures.js';

const keys = Array.from({ length: 8 }, () => generateAgentKey());
// Valid checks to tamper with: signatures of random messages by a few keys.
const valid: SignatureCheck[] = Array.from({ length: 160 }, (_, i) => {
  const key = keys[i % keys.length] as (typeof keys)[number];
  const message = crypto.getRandomValues(new Uint8Array(32));
  return { signature: wasmSchnorr.sign(message, key.secretKey), message, publicKey: key.publicKey };
});

/** A tampering: flip one bit of one field, swap in another key, or cut a field short. */
const tamper = fc.record({
  field: fc.constantFrom('signature', 'message', 'publicKey'),
  kind: fc.constantFrom('flip', 'otherKey', 'truncate', 'none'),
  bit: fc.nat(511),
});

function tampered(check: SignatureCheck, t: { field: string; kind: string; bit: number }): SignatureCheck {
  if (t.kind === 'none') return check;
  if (t.kind === 'otherKey')
    return { ...check, publicKey: (keys[t.bit % keys.length] as (typeof keys)[number]).publicKey };
  const field = t.field as keyof SignatureCheck;
  const bytes = Uint8Array.from(check[field]);
  if (t.kind === 'truncate') return { ...check, [field]: bytes.subarray(0, bytes.length - 1) };
  const at = (t.bit >> 3) % bytes.length;
  bytes[at] = (bytes[at] as number) ^ (1 << (t.bit & 7));
  return { ...check, [field]: bytes };
}

const pools = [new SchnorrPool(1), new SchnorrPool(2)];
afterAll(async () => {
  for (const pool of pools) await pool.close();
});

describe('signature checks over a worker pool', () => {
  it('gives, in order, the verdicts of single-threaded verification, tampered signatures included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(valid.length - 1), tamper), { minLength: 0, maxLength: 300 }),
        fc.nat(pools.length - 1),
        async (picks, p) => {
          const checks = picks.map(([i, t]) => tampered(valid[i] as SignatureCheck, t));
          const expected = checks.map((c) => wasmSchnorr.verify(c.signature, c.message, c.publicKey));
          expect(await (pools[p] as SchnorrPool).verifyMany(checks)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a ledger batch gets the same verdict and names the same bad event with and without workers', async () => {
    const author = generateAgentKey();
    const events = Array.from({ length: 120 }, () => registration(author));
    await fc.assert(
      fc.asyncProperty(fc.subarray([...events.keys()], { maxLength: 3 }), async (bad) => {
        const batch = events.map((event, i) => {
          if (!bad.includes(i)) return event;
          const sig = event.sig as string;
          return { ...event, sig: `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}` };
        });
        const outcome = async (pool: SchnorrPool) => {
          const ledger = await Ledger.fromLevel(new MemoryLevel(), {
            registry: new EventRegistry([agentRegisteredType]),
            pool,
          });
          try {
            const results = await ledger.appendBatch(batch);
            return { ok: results.length };
          } catch (error) {
            return {
              code: (error as { code: string }).code,
              index: (error as { details: { index: number } }).details.index,
            };
          } finally {
            await ledger.close();
          }
        };
        const single = await outcome(new SchnorrPool(0));
        expect(await outcome(pools[0] as SchnorrPool)).toEqual(single);
        expect(single).toEqual(
          bad.length === 0 ? { ok: events.length } : { code: 'INVALID_SIGNATURE', index: Math.min(...bad) },
        );
      }),
      { numRuns: 15 },
    );
  });
});
