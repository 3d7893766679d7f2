import { randomBytes } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../../core/index.js';

/** Where the simulated network gets its keys, preimages and payment secrets. */
export interface RandomSource {
  bytes(length: number): Uint8Array;
}

/** The platform CSPRNG. */
export const systemRandom: RandomSource = { bytes: (length) => new Uint8Array(randomBytes(length)) };

/**
 * A reproducible stream: block i is `HMAC-SHA256(sha256(seed), "agora402/sim" || i)`. The same seed and the same
 * sequence of calls give the same keys, preimages and invoices: simulations can be replayed exactly.
 */
export function seededRandom(seed: string): RandomSource {
  const key = sha256(utf8(seed));
  let counter = 0;
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let at = 0; at < length; at += 32) {
        const block = hmac(sha256, key, utf8(`agora402/sim${counter++}`));
        out.set(block.subarray(0, Math.min(32, length - at)), at);
      }
      return out;
    },
  };
}
