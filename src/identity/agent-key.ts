import { schnorr } from '@noble/curves/secp256k1.js';
import { AgoraError, ErrorCode, toHex } from '../core/index.js';

/**
 * An agent's secp256k1 key pair. The public id is the 32-byte x-only key in hex (BIP-340), the same shape as
 * Lightning node keys without their parity byte and as Nostr keys.
 */
export interface AgentKey {
  /** 32-byte secret scalar. Keep it secret: it also derives the agent's ZK identity. */
  readonly secretKey: Uint8Array;
  /** 32-byte x-only public key. */
  readonly publicKey: Uint8Array;
  /** Lower-case hex of `publicKey`: the agent's id everywhere in agora402. */
  readonly id: string;
}

/** Builds the key pair of a 32-byte secret key; throws {@link AgoraError} `INVALID_KEY` if it is out of range. */
export function agentKeyFromSecret(secretKey: Uint8Array): AgentKey {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new AgoraError(ErrorCode.InvalidKey, 'a secret key is 32 bytes');
  }
  let publicKey: Uint8Array;
  try {
    publicKey = schnorr.getPublicKey(secretKey);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidKey, 'secret key is outside the secp256k1 range', { cause });
  }
  return Object.freeze({ secretKey: Uint8Array.from(secretKey), publicKey, id: toHex(publicKey) });
}

/** A fresh key pair from the platform's CSPRNG. */
export function generateAgentKey(): AgentKey {
  return agentKeyFromSecret(schnorr.utils.randomSecretKey());
}
