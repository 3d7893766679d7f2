import { bech32 } from '@scure/base';
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { recover, signRecoverable } from 'tiny-secp256k1';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateAgentKey,
  type RecoveryJob,
  SchnorrPool,
  type SignatureCheck,
  signObject,
  wasmSchnorr,
} from '../../src/identity/index.js';
import { forgetKnownSignatures } from '../../src/identity/known-signatures.js';
import {
  agentRegisteredType,
  EventRegistry,
  type EventTypeDefinition,
  Ledger,
  type LedgerEvent,
} from '../../src/ledger/index.js';
import { receiptType } from '../../src/receipts/index.js';
import { nodeKeys, quickRegistration, signedReceipt } from '../fixtures/signed-receipts.js';
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

/** What appending `batch` (after `before`) to a fresh ledger over `pool` gives: how many stored, or the refusal. */
async function batchOutcome(
  types: EventTypeDefinition[],
  pool: SchnorrPool,
  before: readonly LedgerEvent[],
  batch: readonly LedgerEvent[],
): Promise<{ ok: number } | { code: string; index: number }> {
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: new EventRegistry(types), pool });
  try {
    if (before.length > 0) await ledger.appendBatch(before);
    return { ok: (await ledger.appendBatch(batch)).length };
  } catch (error) {
    return {
      code: (error as { code: string }).code,
      index: (error as { details: { index: number } }).details.index,
    };
  } finally {
    await ledger.close();
  }
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
        fc.boolean(),
        async (picks, p, background) => {
          const checks = picks.map(([i, t]) => tampered(valid[i] as SignatureCheck, t));
          const expected = checks.map((c) => wasmSchnorr.verify(c.signature, c.message, c.publicKey));
          // Signed in this process: forgotten, the valid ones are checked too (on the workers).
          forgetKnownSignatures();
          const pool = pools[p] as SchnorrPool;
          expect(
            await (background ? pool.checkInBackground(checks).verdicts() : pool.verifyMany(checks)),
          ).toEqual(expected);
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
        const outcome = (pool: SchnorrPool) => batchOutcome([agentRegisteredType], pool, [], batch);
        const single = await outcome(new SchnorrPool(0));
        expect(await outcome(pools[0] as SchnorrPool)).toEqual(single);
        expect(single).toEqual(
          bad.length === 0 ? { ok: events.length } : { code: 'INVALID_SIGNATURE', index: Math.min(...bad) },
        );
      }),
      { numRuns: 15 },
    );
  });

  it('recovers, in order, the keys single-threaded recovery gives, tampered signatures included', async () => {
    const jobs: RecoveryJob[] = valid.slice(0, 40).map(({ message }, i) => {
      const key = keys[i % keys.length] as (typeof keys)[number];
      const { signature, recoveryId } = signRecoverable(message, key.secretKey);
      return { hash: message, signature, recoveryId };
    });
    const here = (job: RecoveryJob) => {
      try {
        return recover(job.hash, job.signature, job.recoveryId, true) ?? null;
      } catch {
        return null;
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(jobs.length - 1), fc.nat(1023), fc.constantFrom('flip', 'id', 'none')), {
          maxLength: 200,
        }),
        fc.nat(pools.length - 1),
        async (picks, p) => {
          const tamperedJobs = picks.map(([i, bit, kind]): RecoveryJob => {
            const job = jobs[i] as RecoveryJob;
            if (kind === 'none') return job;
            if (kind === 'id')
              return { ...job, recoveryId: ((job.recoveryId + 1 + (bit % 3)) % 4) as 0 | 1 | 2 | 3 };
            const signature = Uint8Array.from(job.signature);
            signature[(bit >> 3) % 64] = (signature[(bit >> 3) % 64] as number) ^ (1 << (bit & 7));
            return { ...job, signature };
          });
          const got = await (pools[p] as SchnorrPool).recoverMany(tamperedJobs);
          expect(got.map((k) => k && [...k])).toEqual(
            tamperedJobs.map((job) => here(job)).map((k) => k && [...k]),
          );
        },
      ),
      { numRuns: 20 },
    );
  });

  it('a batch of receipts with tampered invoices gets the same verdict with and without workers', async () => {
    const provider = generateAgentKey();
    const node = nodeKeys('pool-prop');
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.tuple(fc.nat(63), fc.nat(104 - 1), fc.nat(4)), { nil: undefined }),
        async (bad) => {
          // Fresh invoices each run: none is decoded yet, so the pooled run recovers every payee on the workers (64: the
          // fewest the pool sends to them).
          const batch = Array.from({ length: 64 }, (_, i): LedgerEvent => {
            const receipt = signedReceipt(provider, node, provider.id, 1_700_000_100 + i, 1_000 + i);
            if (bad === undefined || bad[0] !== i) return receipt;
            // One bit of the invoice's signature (or recovery id) changed, checksum made right: another payee.
            const body = receipt.body as { invoice: string };
            const { prefix, words } = bech32.decode(body.invoice as `${string}1${string}`, false);
            const at = words.length - 1 - bad[1];
            words[at] = (words[at] as number) ^ (1 << bad[2]);
            const { sig: _sig, author: _author, ...unsigned } = receipt;
            return signObject(provider, {
              ...unsigned,
              body: { ...body, invoice: bech32.encode(prefix, words, false) },
            }) as LedgerEvent;
          });
          const registered = [quickRegistration(provider, 1_700_000_000, [node.nodeKey])];
          const outcome = (pool: SchnorrPool) =>
            batchOutcome([agentRegisteredType, receiptType], pool, registered, batch);
          const pooled = await outcome(pools[1] as SchnorrPool);
          expect(await outcome(new SchnorrPool(0))).toEqual(pooled);
          expect(pooled).toEqual(
            bad === undefined ? { ok: 64 } : { code: expect.any(String), index: bad[0] },
          );
        },
      ),
      { numRuns: 4 },
    );
  });

  it('answers calls made at once, checks in the background, checks and recoveries, each as the calling thread would', async () => {
    const jobs: RecoveryJob[] = valid.map(({ message }, i) => {
      const key = keys[i % keys.length] as (typeof keys)[number];
      const { signature, recoveryId } = signRecoverable(message, key.secretKey);
      return { hash: message, signature, recoveryId };
    });
    const checks = [
      ...valid,
      ...valid.map((check) => tampered(check, { field: 'message', kind: 'flip', bit: 3 })),
    ];
    const expected = checks.map((c) => wasmSchnorr.verify(c.signature, c.message, c.publicKey));
    forgetKnownSignatures();
    const pool = pools[0] as SchnorrPool;
    const [background, plain, recovered] = await Promise.all([
      pool.checkInBackground(checks).verdicts(),
      pool.verifyMany(checks.slice().reverse()),
      pool.recoverMany(jobs),
    ]);
    expect(background).toEqual(expected);
    expect(plain).toEqual(expected.slice().reverse());
    expect(recovered.map((k) => k && [...k])).toEqual(
      jobs.map((job) => [...(recover(job.hash, job.signature, job.recoveryId, true) as Uint8Array)]),
    );
  });

  it('finishes checks left in the background on its workers before anyone asks for the verdicts', async () => {
    const checks = valid.map((check, i) =>
      i % 5 === 0 ? tampered(check, { field: 'signature', kind: 'flip', bit: i }) : check,
    );
    const expected = checks.map((c) => wasmSchnorr.verify(c.signature, c.message, c.publicKey));
    forgetKnownSignatures();
    const started = (pools[0] as SchnorrPool).checkInBackground(checks);
    // Nobody asks for the verdicts meanwhile: the pieces are left to the worker, and the verdicts are still exact.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await started.verdicts()).toEqual(expected);
  });
});
