import { createRequire } from 'node:module';
import { recover as wasmRecover } from 'tiny-secp256k1';

/** An ECDSA public-key recovery: 32-byte hash, 64-byte compact signature, recovery id (a BOLT 11 invoice's payee). */
export interface RecoveryJob {
  readonly hash: Uint8Array;
  readonly signature: Uint8Array;
  readonly recoveryId: 0 | 1 | 2 | 3;
}

/** The part of the `secp256k1` package's native binding this module uses (libsecp256k1 itself, compiled). */
interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recoveryId: number, hash: Uint8Array, compressed: boolean): Uint8Array;
}

const require = createRequire(import.meta.url);

/**
 * Where the native libsecp256k1 binding is, or undefined where it cannot load (no prebuilt binary for this platform):
 * its own `bindings.js`, never the package's entry, which falls back to pure-JavaScript `elliptic` silently.
 */
export const nativeSecp256k1Path: string | undefined = (() => {
  try {
    const path = require.resolve('secp256k1/bindings.js');
    require(path);
    return path;
  } catch {
    return undefined;
  }
})();

const native: NativeSecp256k1 | undefined =
  nativeSecp256k1Path === undefined ? undefined : (require(nativeSecp256k1Path) as NativeSecp256k1);

/**
 * Recovers the compressed public key of a job with libsecp256k1, or null when none is recovered. The native binding
 * (about 6x faster here) and the WebAssembly build are the same library, so they agree on every input: a signature
 * out of range, a recovery id whose point does not exist, a key that would be infinity all give null with either.
 * A recovery is what checking a BOLT 11 invoice costs, so a ledger storing receipts spends most of its time here.
 */
export function recoverPublicKey({ hash, signature, recoveryId }: RecoveryJob): Uint8Array | null {
  if (hash.length !== 32 || signature.length !== 64 || !(recoveryId >= 0 && recoveryId <= 3)) return null;
  try {
    if (native !== undefined) return native.ecdsaRecover(signature, recoveryId, hash, true);
    return wasmRecover(hash, signature, recoveryId, true);
  } catch {
    return null;
  }
}
