import { readFileSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/core/index.js';
import { agentKeyFromSecret, nativeSchnorr, nobleSchnorr, wasmSchnorr } from '../../src/identity/index.js';

interface Bip340Vector {
  index: string;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  valid: boolean;
  comment: string;
}

const vectors: Bip340Vector[] = readFileSync(new URL('./vectors/bip340.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [index, secretKey, publicKey, auxRand, message, signature, result, comment] = line
      .split(',')
      .map((field) => field ?? '') as string[];
    return {
      index,
      secretKey,
      publicKey,
      auxRand,
      message,
      signature,
      valid: result === 'TRUE',
      comment,
    } as Bip340Vector;
  });

/** Every verifier this machine has: the native one only where bcrypto's binding was built at install. */
const verifiers = [nobleSchnorr, wasmSchnorr, ...(nativeSchnorr === undefined ? [] : [nativeSchnorr])];

describe.each(verifiers)('$name verifier', (verifier) => {
  it.each(vectors)('BIP-340 vector $index ($comment)', ({ publicKey, message, signature, valid }) => {
    expect(verifier.verify(fromHex(signature), fromHex(message), fromHex(publicKey))).toBe(valid);
  });

  it('returns false, never throws, on wrongly sized input', () => {
    expect(verifier.verify(new Uint8Array(63), new Uint8Array(32), new Uint8Array(32))).toBe(false);
    expect(verifier.verify(new Uint8Array(64), new Uint8Array(31), new Uint8Array(32))).toBe(false);
    expect(verifier.verify(new Uint8Array(64), new Uint8Array(32), new Uint8Array(33))).toBe(false);
  });
});

describe('signing', () => {
  it.each(vectors.filter((v) => v.secretKey !== ''))('reproduces BIP-340 vector $index', (vector) => {
    const key = agentKeyFromSecret(fromHex(vector.secretKey));
    expect(key.id).toBe(vector.publicKey.toLowerCase());
    const signature = schnorr.sign(fromHex(vector.message), key.secretKey, fromHex(vector.auxRand));
    expect(toHex(signature)).toBe(vector.signature.toLowerCase());
  });
});

describe('the native, WASM and noble verifiers', () => {
  const signed = fc
    .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
    .filter(([secret]) => {
      try {
        schnorr.getPublicKey(secret);
        return true;
      } catch {
        return false;
      }
    })
    .map(([secret, message]) => ({
      message,
      publicKey: schnorr.getPublicKey(secret),
      signature: schnorr.sign(message, secret),
    }));

  it('agree on valid signatures', () => {
    fc.assert(
      fc.property(signed, ({ message, publicKey, signature }) => {
        for (const verifier of verifiers) expect(verifier.verify(signature, message, publicKey)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('agree on tampered signatures, messages and keys', () => {
    fc.assert(
      fc.property(
        signed,
        fc.constantFrom('signature', 'message', 'publicKey'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        ({ message, publicKey, signature }, part, at, bit) => {
          const input = { message, publicKey, signature };
          const tampered = Uint8Array.from(input[part as keyof typeof input]);
          const byte = at % tampered.length;
          tampered[byte] = (tampered[byte] as number) ^ (1 << bit);
          const args = { ...input, [part]: tampered };
          for (const verifier of verifiers)
            expect(verifier.verify(args.signature, args.message, args.publicKey)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('agree on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (signature, message, publicKey) => {
          const noble = nobleSchnorr.verify(signature, message, publicKey);
          for (const verifier of verifiers)
            expect(verifier.verify(signature, message, publicKey)).toBe(noble);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('WASM and noble signers', () => {
  it('make byte-identical signatures for the same key, message and aux randomness', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (secret, message, aux) => {
          fc.pre(secret.some((b) => b !== 0) && secret.some((b) => b !== 0xff));
          const wasm = wasmSchnorr.sign(message, secret, aux);
          expect(toHex(wasm)).toBe(toHex(nobleSchnorr.sign(message, secret, aux)));
          expect(nobleSchnorr.verify(wasm, message, schnorr.getPublicKey(secret))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('use fresh aux randomness by default, so two signatures of one message differ and both verify', () => {
    const secret = new Uint8Array(32).fill(9);
    const message = new Uint8Array(32).fill(1);
    const publicKey = schnorr.getPublicKey(secret);
    for (const backend of [wasmSchnorr, nobleSchnorr]) {
      const [a, b] = [backend.sign(message, secret), backend.sign(message, secret)];
      expect(toHex(a)).not.toBe(toHex(b));
      expect(wasmSchnorr.verify(a, message, publicKey) && wasmSchnorr.verify(b, message, publicKey)).toBe(
        true,
      );
    }
  });
});
