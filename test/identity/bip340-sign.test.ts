import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { signSchnorr, verifySchnorr, xOnlyPointFromScalar } from 'tiny-secp256k1';
import { describe, expect, it } from 'vitest';
import { ErrorCode, fromHex, toHex } from '../../src/core/index.js';
import { signWithKeyPair, xOnlyPublicKeyOf } from '../../src/identity/bip340-sign.js';

const vectors = readFileSync(new URL('./vectors/bip340.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','))
  .filter(([, secretKey]) => secretKey !== '')
  .map(([index, secretKey, , auxRand, message, signature]) => ({
    index,
    secretKey: secretKey as string,
    auxRand: auxRand as string,
    message: message as string,
    signature: (signature as string).toLowerCase(),
  }));

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('BIP-340 signing with a kept key pair', () => {
  it.each(vectors)('reproduces BIP-340 vector $index', ({ secretKey, auxRand, message, signature }) => {
    expect(toHex(signWithKeyPair(fromHex(message), fromHex(secretKey), fromHex(auxRand)))).toBe(signature);
  });

  it("makes libsecp256k1's signature, byte for byte, for any key, message and aux", () => {
    fc.assert(
      fc.property(bytes32, bytes32, bytes32, (secret, message, aux) => {
        fc.pre(xOnlyPublicKeyOf(secret) !== undefined);
        const ours = signWithKeyPair(message, secret, aux);
        expect(toHex(ours)).toBe(toHex(signSchnorr(message, secret, aux)));
        // Signing again with the key pair kept gives the same bytes.
        expect(toHex(signWithKeyPair(message, secret, aux))).toBe(toHex(ours));
        expect(verifySchnorr(message, xOnlyPointFromScalar(secret) as Uint8Array, ours)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('derives the key pair again when the secret buffer changes after its first use', () => {
    const secret = new Uint8Array(32).fill(3);
    const message = new Uint8Array(32).fill(5);
    const aux = new Uint8Array(32).fill(6);
    signWithKeyPair(message, secret, aux);
    secret.fill(4);
    expect(toHex(signWithKeyPair(message, secret, aux))).toBe(toHex(signSchnorr(message, secret, aux)));
    expect(toHex(xOnlyPublicKeyOf(secret) as Uint8Array)).toBe(
      toHex(xOnlyPointFromScalar(secret) as Uint8Array),
    );
  });

  it('refuses a secret out of range with INVALID_KEY, and wrongly sized input', () => {
    const message = new Uint8Array(32);
    for (const secret of [new Uint8Array(32), new Uint8Array(32).fill(0xff), new Uint8Array(31).fill(1)]) {
      expect(() => signWithKeyPair(message, secret, new Uint8Array(32))).toThrow(
        expect.objectContaining({ code: ErrorCode.InvalidKey }),
      );
      expect(xOnlyPublicKeyOf(secret)).toBeUndefined();
    }
    const secret = new Uint8Array(32).fill(1);
    expect(() => signWithKeyPair(new Uint8Array(31), secret, new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
    expect(() => signWithKeyPair(message, secret, new Uint8Array(33))).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidArgument }),
    );
  });
});
