import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { generateAgentKey, nobleSchnorr, SchnorrPool, verifyObject } from '../../src/identity/index.js';
import { rateReceipt, signRatings } from '../../src/receipts/index.js';
import { rejectedAgoraError } from '../helpers.js';

const keys = Array.from({ length: 4 }, () => generateAgentKey());
const pools = [new SchnorrPool(0), new SchnorrPool(1), new SchnorrPool(2)];
afterAll(async () => {
  for (const pool of pools) await pool.close();
});

describe('signing many at once over a worker pool', () => {
  it('gives, in order, signatures an independent implementation accepts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pools), fc.nat(40), async (pool, count) => {
        const jobs = Array.from({ length: count }, (_, i) => ({
          message: crypto.getRandomValues(new Uint8Array(32)),
          secretKey: (keys[i % keys.length] as (typeof keys)[number]).secretKey,
          auxRand: crypto.getRandomValues(new Uint8Array(32)),
        }));
        const signatures = await pool.signMany(jobs);
        expect(signatures).toHaveLength(count);
        signatures.forEach((signature, i) => {
          const key = keys[i % keys.length] as (typeof keys)[number];
          expect(
            nobleSchnorr.verify(signature, (jobs[i] as (typeof jobs)[number]).message, key.publicKey),
          ).toBe(true);
        });
      }),
      { numRuns: 12 },
    );
  });

  it('refuses a secret out of range or a message of the wrong size, with INVALID_KEY', async () => {
    const pool = pools[1] as SchnorrPool;
    const message = new Uint8Array(32);
    const auxRand = new Uint8Array(32);
    await rejectedAgoraError(
      pool.signMany([{ message, secretKey: new Uint8Array(32), auxRand }]),
      ErrorCode.InvalidKey,
    );
    await rejectedAgoraError(
      pool.signMany([
        { message: new Uint8Array(31), secretKey: (keys[0] as (typeof keys)[0]).secretKey, auxRand },
      ]),
      ErrorCode.InvalidKey,
    );
  });

  it('signs ratings as rateReceipt does, but for the signature', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const receipt = 'ab'.repeat(32);
    const [signed] = await signRatings(
      [{ payer: keys[0] as (typeof keys)[0], receipt, rating: -2, created: 1_800_000_000 }],
      pools[1],
    );
    const one = rateReceipt(keys[0] as (typeof keys)[0], receipt, -2, { clock });
    const { sig: _a, ...content } = signed as NonNullable<typeof signed>;
    const { sig: _b, ...expected } = one;
    expect(content).toEqual(expected);
    verifyObject(signed as never, nobleSchnorr);
    await expect(
      signRatings([{ payer: keys[0] as (typeof keys)[0], receipt, rating: 3, created: 1 }]),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });
});
