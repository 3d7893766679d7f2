import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { schnorr } from '@noble/curves/secp256k1.js';
import * as secp256k1Wasm from 'tiny-secp256k1';
import { signWithKeyPair } from './bip340-sign.js';
import { remembering } from './known-signatures.js';

/** Checks BIP-340 signatures. Implementations must agree on every input, valid or not. */
export interface SchnorrVerifier {
  readonly name: string;
  /** True when `signature` (64 bytes) signs the 32-byte `message` under the x-only `publicKey`. Never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** Makes and checks BIP-340 signatures; every implementation gives byte-identical signatures for equal inputs. */
export interface SchnorrBackend extends SchnorrVerifier {
  /** Signs a 32-byte message; `auxRand` (32 bytes) defaults to fresh CSPRNG bytes, as BIP-340 recommends. */
  sign(message: Uint8Array, secretKey: Uint8Array, auxRand?: Uint8Array): Uint8Array;
}

function wellSized(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === 64 && message.length === 32 && publicKey.length === 32;
}

/** Pure JavaScript (@noble/curves): portable and audited; about 1k verifications and 600 signatures/s here. */
export const nobleSchnorr: SchnorrBackend = {
  name: 'noble',
  sign: (message, secretKey, auxRand = randomBytes(32)) => schnorr.sign(message, secretKey, auxRand),
  verify(signature, message, publicKey) {
    if (!wellSized(signature, message, publicKey)) return false;
    try {
      return schnorr.verify(signature, message, publicKey);
    } catch {
      return false;
    }
  },
};

/**
 * libsecp256k1 compiled to WebAssembly (tiny-secp256k1): about 5x faster verifying and 10x signing. Signing derives
 * each key pair once and keeps it (see bip340-sign.ts): the same signatures at about 0.6x the cost.
 */
export const wasmSchnorr: SchnorrBackend = {
  name: 'wasm',
  sign: (message, secretKey, auxRand = randomBytes(32)) => signWithKeyPair(message, secretKey, auxRand),
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

/** The part of bcrypto's native BIP-340 module this file uses (libsecp256k1's `schnorrsig`, compiled). */
interface NativeBip340 {
  verify(message: Buffer, signature: Buffer, publicKey: Buffer): boolean;
}

const require = createRequire(import.meta.url);

/**
 * Where bcrypto's native BIP-340 module is, or undefined where it cannot load: bcrypto is an optional dependency
 * whose binding is compiled at install (its install script must be allowed, and a compiler present). Its native
 * module is required by path, never the package's entry, which falls back to pure JavaScript silently.
 */
export const nativeSchnorrPath: string | undefined = (() => {
  try {
    const path = require.resolve('bcrypto/lib/native/schnorr.js');
    require(path);
    return path;
  } catch {
    return undefined;
  }
})();

/** A Buffer over the same bytes (bcrypto's binding takes Buffers only): no copy. */
function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * libsecp256k1 compiled natively (bcrypto's binding), where it loaded: verifying costs about a fifth of
 * {@link wasmSchnorr} here (39 against 200 us); signing is {@link wasmSchnorr}'s. Undefined where the binding is
 * not built. Verdicts are libsecp256k1's, as {@link wasmSchnorr}'s are: the BIP-340 vectors and a property test
 * against noble hold them equal.
 */
export const nativeSchnorr: SchnorrBackend | undefined = (() => {
  if (nativeSchnorrPath === undefined) return undefined;
  const bip340 = require(nativeSchnorrPath) as NativeBip340;
  return {
    name: 'native',
    sign: wasmSchnorr.sign,
    verify(signature, message, publicKey) {
      if (!wellSized(signature, message, publicKey)) return false;
      try {
        return bip340.verify(bufferOf(message), bufferOf(signature), bufferOf(publicKey));
      } catch {
        return false;
      }
    },
  };
})();

/** The fastest verifier this process has: {@link nativeSchnorr} where it loaded, else {@link wasmSchnorr}. */
export const fastSchnorr: SchnorrBackend = nativeSchnorr ?? wasmSchnorr;

/**
 * The backend used when none is given: {@link fastSchnorr}, remembering the signatures it verified or made so that
 * none is checked twice in a process (a receipt verified by its payer, then by the ledger).
 */
export const defaultSchnorr: SchnorrBackend = remembering(fastSchnorr);
