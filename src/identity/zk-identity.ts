import { bytesToNumberBE } from '@noble/curves/utils.js';
import { taggedHash } from '../core/index.js';
import type { AgentKey } from './agent-key.js';
import { BN254_SCALAR_FIELD, getPoseidon } from './poseidon.js';

/** The agent's anonymous voting identity: a secret known only to it and the commitment published for it. */
export interface ZkIdentity {
  /** `taggedHash("agora402/zk-secret", secretKey) mod r`. Never leaves the agent. */
  readonly secret: bigint;
  /** `Poseidon(secret)`: public, goes into `agent.registered` and, with a weight, into membership trees. */
  readonly commitment: bigint;
}

/**
 * The ZK secret, derived from the agent's key so that one backup restores both identities.
 */
export function zkSecret(key: AgentKey): bigint {
  return bytesToNumberBE(taggedHash('agora402/zk-secret', key.secretKey)) % BN254_SCALAR_FIELD;
}

/** Derives the agent's {@link ZkIdentity}. */
export async function zkIdentity(key: AgentKey): Promise<ZkIdentity> {
  const secret = zkSecret(key);
  const poseidon = await getPoseidon();
  return Object.freeze({ secret, commitment: poseidon.hash([secret]) });
}
