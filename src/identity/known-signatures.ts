import { xOnlyPublicKeyOf } from './bip340-sign.js';
import type { SchnorrBackend } from './schnorr.js';

/**
 * BIP-340 signatures this process has verified or made, so that the same signature is never checked twice: a
 * payment's receipt is verified by the payer, then by the ledger it is stored in; a rating or a payer proof made in
 * this process (the simulator runs every actor in one) is known valid before anyone checks it. Verification is a
 * pure function of (signature, message, key), so remembering a verdict by all three exactly is as strict as
 * verifying again: a single byte changed anywhere misses and is verified in full. Only valid verdicts are kept; the
 * set is bounded, oldest forgotten first.
 */
const MAX_KNOWN = 16_384;
const known = new Set<string>();

/** The exact bytes of a check as one string: 128 bytes, each to one UTF-16 code unit. */
function keyOf(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): string {
  return String.fromCharCode(...signature, ...message, ...publicKey);
}

function wellSized(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return signature.length === 64 && message.length === 32 && publicKey.length === 32;
}

/** True when this exact signature of this message under this key verified (or was made) in this process. */
export function isKnownSignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return wellSized(signature, message, publicKey) && known.has(keyOf(signature, message, publicKey));
}

/** Records a signature found valid. Callers must have verified it, or made it with the key's own secret. */
export function rememberSignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): void {
  if (!wellSized(signature, message, publicKey)) return;
  const key = keyOf(signature, message, publicKey);
  if (known.has(key)) return;
  if (known.size >= MAX_KNOWN) known.delete(known.values().next().value as string);
  known.add(key);
}

/**
 * Forgets every signature remembered: for measurements, where storing the same signed events again must check their
 * signatures again, as a replica that never saw them does. Not part of the package's API.
 */
export function forgetKnownSignatures(): void {
  known.clear();
}

/**
 * Records a signature just made with `secretKey`, under the public key that secret really gives (derived from its
 * bytes, never an id a caller claims).
 */
export function rememberSignedBy(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void {
  const publicKey = xOnlyPublicKeyOf(secretKey);
  if (publicKey !== undefined) rememberSignature(signature, message, publicKey);
}

/**
 * `backend` with a memory: `verify` answers a signature already known valid without the curve arithmetic and
 * remembers those it finds valid; `sign` remembers what it makes, under the public key of the secret it signed with.
 * Verdicts are those of `backend` on every input.
 */
export function remembering(backend: SchnorrBackend): SchnorrBackend {
  return {
    name: backend.name,
    sign(message, secretKey, auxRand) {
      const signature = backend.sign(message, secretKey, auxRand);
      rememberSignedBy(signature, message, secretKey);
      return signature;
    },
    verify(signature, message, publicKey) {
      if (isKnownSignature(signature, message, publicKey)) return true;
      const valid = backend.verify(signature, message, publicKey);
      if (valid) rememberSignature(signature, message, publicKey);
      return valid;
    },
  };
}
