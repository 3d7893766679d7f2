export { type AgentKey, agentKeyFromSecret, generateAgentKey } from './agent-key.js';
export { type AgentStateStore, fileAgentState, memoryAgentState } from './agent-state.js';
export { recoverPublicKey } from './ecdsa-recover.js';
export { loadAgentKey, saveAgentKey } from './key-file.js';
export { BN254_SCALAR_FIELD, getPoseidon, type Poseidon } from './poseidon.js';
export {
  defaultSchnorr,
  fastSchnorr,
  nativeSchnorr,
  nobleSchnorr,
  type SchnorrBackend,
  type SchnorrVerifier,
  wasmSchnorr,
} from './schnorr.js';
export {
  type BackgroundChecks,
  type RecoveryJob,
  SchnorrPool,
  type SignatureCheck,
  type SigningJob,
  sharedSchnorrPool,
} from './schnorr-pool.js';
export {
  type AgoraObject,
  isTypeName,
  objectId,
  objectIdWithContent,
  type SignedObject,
  signObject,
  signObjects,
  verifyObject,
} from './signed-object.js';
export { type ZkIdentity, zkIdentity, zkSecret } from './zk-identity.js';
