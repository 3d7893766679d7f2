// Attack (issue 24): signatures are remembered once verified or made in this process, so that none is checked
// twice (a receipt verified by its payer, then by the ledger). The memory must never vouch for what was not checked:
// a signer claiming another agent's id, or a remembered signature with a byte changed anywhere, is verified in full
// and refused.
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  type AgentKey,
  defaultSchnorr,
  generateAgentKey,
  SchnorrPool,
  signObject,
  verifyObject,
} from '../../src/identity/index.js';
import { Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { registration, testRegistry } from '../ledger/fixtures.js';

const victim = generateAgentKey();
const attacker = generateAgentKey();
/** The attacker's secret behind the victim's id: what signing "as" the victim without its key looks like. */
const impostor: AgentKey = { secretKey: attacker.secretKey, publicKey: victim.publicKey, id: victim.id };
const pool = new SchnorrPool(1);
afterAll(() => pool.close());

describe('attack: a remembered signature vouching for something unchecked', () => {
  it('a signature made with one key and claimed under another id is refused by the ledger', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    try {
      // Signed in this process: were it remembered under the claimed author, the ledger would skip its check.
      const forged = registration(impostor);
      await rejectedAgoraError(ledger.append(forged), ErrorCode.InvalidSignature);
      expect(() => verifyObject(forged as never)).toThrow(/bad signature/);
      await ledger.append(registration(victim));
    } finally {
      await ledger.close();
    }
  });

  it('a remembered signature with one bit changed in its signature, message or key is refused', async () => {
    const message = crypto.getRandomValues(new Uint8Array(32));
    const signature = defaultSchnorr.sign(message, victim.secretKey);
    expect(defaultSchnorr.verify(signature, message, victim.publicKey)).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1, 2), fc.nat(511), async (field, bit) => {
        const parts = [signature, message, victim.publicKey].map((part) => Uint8Array.from(part));
        const target = parts[field] as Uint8Array;
        const at = (bit >> 3) % target.length;
        target[at] = (target[at] as number) ^ (1 << (bit & 7));
        const [s, m, k] = parts as [Uint8Array, Uint8Array, Uint8Array];
        expect(defaultSchnorr.verify(s, m, k)).toBe(false);
        expect(await pool.verifyMany([{ signature: s, message: m, publicKey: k }])).toEqual([false]);
      }),
      { numRuns: 60 },
    );
  });

  it('an event verified once, then changed, is verified again and refused', () => {
    const event = signObject(victim, { v: 1, type: 'test.ref', created: 1, body: { ref: 'a'.repeat(64) } });
    verifyObject(event);
    const changed = { ...event, body: { ref: 'b'.repeat(64) } } as LedgerEvent & typeof event;
    expect(() => verifyObject(changed)).toThrow(/bad signature/);
  });
});
