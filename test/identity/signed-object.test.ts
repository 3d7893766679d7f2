import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError, toHex } from '../../src/core/index.js';
import {
  agentKeyFromSecret,
  generateAgentKey,
  nobleSchnorr,
  objectId,
  signObject,
  verifyObject,
  wasmSchnorr,
} from '../../src/identity/index.js';
import { thrownAgoraError } from '../helpers.js';

const alice = generateAgentKey();
const bob = generateAgentKey();
const draft = { v: 1, type: 'test.note', created: 1_700_000_000, body: { text: 'hello', sats: 21 } };

describe('signed objects', () => {
  it('sign then verify returns the id with either verifier', () => {
    const signed = signObject(alice, draft);
    expect(signed.author).toBe(alice.id);
    const id = toHex(objectId(signed));
    expect(toHex(verifyObject(signed, wasmSchnorr))).toBe(id);
    expect(toHex(verifyObject(signed, nobleSchnorr))).toBe(id);
  });

  it('the id ignores sig and proof and property order, and depends on the type tag', () => {
    const signed = signObject(alice, draft);
    const reordered = {
      sig: signed.sig,
      body: { sats: 21, text: 'hello' },
      author: signed.author,
      type: 'test.note',
      created: draft.created,
      v: 1,
    };
    expect(toHex(objectId(reordered))).toBe(toHex(objectId(signed)));
    expect(toHex(objectId({ ...signed, proof: { any: 'thing' } }))).toBe(toHex(objectId(signed)));
    expect(toHex(objectId({ ...signed, type: 'test.other' }))).not.toBe(toHex(objectId(signed)));
  });

  it('rejects a tampered body', () => {
    const signed = signObject(alice, draft);
    thrownAgoraError(
      () => verifyObject({ ...signed, body: { text: 'hello', sats: 22 } }),
      ErrorCode.InvalidSignature,
    );
  });

  it('rejects a tampered envelope field', () => {
    const signed = signObject(alice, draft);
    thrownAgoraError(
      () => verifyObject({ ...signed, created: (signed.created as number) + 1 }),
      ErrorCode.InvalidSignature,
    );
  });

  it('rejects a tampered signature', () => {
    const signed = signObject(alice, draft);
    const flipped = (Number.parseInt(signed.sig[10] as string, 16) ^ 1).toString(16);
    const sig = `${signed.sig.slice(0, 10)}${flipped}${signed.sig.slice(11)}`;
    thrownAgoraError(() => verifyObject({ ...signed, sig }), ErrorCode.InvalidSignature);
  });

  it('rejects the wrong key: a signature by bob claimed for alice', () => {
    const byBob = signObject(bob, draft);
    thrownAgoraError(() => verifyObject({ ...byBob, author: alice.id }), ErrorCode.InvalidSignature);
  });

  it('rejects malformed author and sig fields', () => {
    const signed = signObject(alice, draft);
    thrownAgoraError(() => verifyObject({ ...signed, author: 'zz' }), ErrorCode.InvalidSignature);
    thrownAgoraError(
      () => verifyObject({ ...signed, sig: signed.sig.toUpperCase() }),
      ErrorCode.InvalidSignature,
    );
    thrownAgoraError(() => verifyObject({ ...signed, type: 'Bad Type' }), ErrorCode.InvalidEvent);
  });

  it('refuses to sign what canonical JSON cannot carry', () => {
    thrownAgoraError(
      () => signObject(alice, { ...draft, body: { n: Number.NaN } }),
      ErrorCode.NotCanonicalizable,
    );
  });

  it('never throws untyped errors on random objects', () => {
    fc.assert(
      fc.property(fc.object(), (value) => {
        try {
          verifyObject(value as never);
        } catch (error) {
          expect(isAgoraError(error)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('agent keys', () => {
  it('refuses secret keys outside the curve order', () => {
    thrownAgoraError(() => agentKeyFromSecret(new Uint8Array(32)), ErrorCode.InvalidKey);
    thrownAgoraError(() => agentKeyFromSecret(new Uint8Array(32).fill(0xff)), ErrorCode.InvalidKey);
    thrownAgoraError(() => agentKeyFromSecret(new Uint8Array(31).fill(1)), ErrorCode.InvalidKey);
  });

  it('derives the BIP-340 public key', () => {
    const secret = new Uint8Array(32);
    secret[31] = 3;
    expect(agentKeyFromSecret(secret).id).toBe(
      'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9',
    );
  });
});
