import fc from 'fast-check';
import { recover, signRecoverable } from 'tiny-secp256k1';
import { describe, expect, it } from 'vitest';
import { nativeSecp256k1Path } from '../../src/identity/ecdsa-recover.js';
import { generateAgentKey, recoverPublicKey } from '../../src/identity/index.js';

/** The WebAssembly build's answer: the reference every recovery must give. */
function wasm(hash: Uint8Array, signature: Uint8Array, recoveryId: 0 | 1 | 2 | 3): Uint8Array | null {
  try {
    return recover(hash, signature, recoveryId, true) ?? null;
  } catch {
    return null;
  }
}

const key = generateAgentKey();

describe('ECDSA public-key recovery', () => {
  it('loads the native libsecp256k1 binding on this platform', () => {
    // The speed this module exists for: without it every recovery falls back to WebAssembly (same answers).
    expect(nativeSecp256k1Path).toMatch(/secp256k1/);
  });

  it('recovers what the WebAssembly build recovers, on valid, tampered and arbitrary signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(511),
        fc.constantFrom('none', 'flip', 'recoveryId', 'random', 'zeroR', 'maxS'),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (hash, bit, kind, noise) => {
          const signed = signRecoverable(hash, key.secretKey);
          let signature = Uint8Array.from(signed.signature);
          let recoveryId = signed.recoveryId as 0 | 1 | 2 | 3;
          if (kind === 'flip') signature[bit >> 3] = (signature[bit >> 3] as number) ^ (1 << (bit & 7));
          if (kind === 'recoveryId') recoveryId = ((recoveryId + 1 + (bit % 3)) % 4) as 0 | 1 | 2 | 3;
          if (kind === 'random') signature = noise;
          if (kind === 'zeroR') signature.fill(0, 0, 32);
          if (kind === 'maxS') signature.fill(0xff, 32, 64);
          const got = recoverPublicKey({ hash, signature, recoveryId });
          expect(got === null ? null : Array.from(got)).toEqual(
            ((r) => (r === null ? null : Array.from(r)))(wasm(hash, signature, recoveryId)),
          );
          if (kind === 'none')
            expect(Array.from(got as Uint8Array)).toEqual(
              Array.from(recover(hash, signed.signature, signed.recoveryId, true) as Uint8Array),
            );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('recovers nothing from inputs of the wrong size', () => {
    const hash = new Uint8Array(32).fill(1);
    const { signature, recoveryId } = signRecoverable(hash, key.secretKey);
    expect(recoverPublicKey({ hash: hash.subarray(1), signature, recoveryId: recoveryId as 0 })).toBeNull();
    expect(
      recoverPublicKey({ hash, signature: signature.subarray(1), recoveryId: recoveryId as 0 }),
    ).toBeNull();
    expect(recoverPublicKey({ hash, signature, recoveryId: 4 as 0 })).toBeNull();
  });
});
