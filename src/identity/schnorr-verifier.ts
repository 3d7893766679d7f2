import { schnorr } from '@noble/curves/secp256k1.js';
import * as secp256k1Wasm from 'tiny-secp256k1';

/** Checks BIP-340 signatures. Implementations must agree on every input, valid or not. */
export interface SchnorrVerifier {
  readonly name: string;
  /** True when `signature` (64 bytes) signs the 32-byte `message` under the x-only `publicKey`. Never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

function wellSized(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === 64 && message.length === 32 && publicKey.length === 32;
}

/** Pure-JavaScript verifier (@noble/curves): portable and audited, about 1k signatures/s here. */
export const nobleVerifier: SchnorrVerifier = {
  name: 'noble',
  verify(signature, message, publicKey) {
    if (!wellSized(signature, message, publicKey)) return false;
    try {
      return schnorr.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};

/** libsecp256k1 compiled to WebAssembly (tiny-secp256k1): about five times faster, for bulk verification. */
export const wasmVerifier: SchnorrVerifier = {
  name: 'wasm',
  verify(signature, message, publicKey) {
    if (!wellSized(signature, message, publicKey)) return false;
    try {
      // tiny-secp256k1 throws rather than returning false for a public key that is not on the curve.
      return secp256k1Wasm.verifySchnorr(message, publicKey, signature);
    } catch {
      return false;
    }
  },
};

/** The verifier used when none is given. */
export const defaultVerifier: SchnorrVerifier = wasmVerifier;
