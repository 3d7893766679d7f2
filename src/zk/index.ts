export { ARTIFACTS_DIR, loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
export { BatchVerifier, inG2Subgroup } from './batch-verifier.js';
export { releaseCurve, usingCurve } from './curve-lifetime.js';
export {
  type Member,
  type MembershipPath,
  MembershipTree,
  rootOfPath,
  TREE_ARITY,
  TREE_LEVELS,
} from './membership-tree.js';
export {
  ballotField,
  Prover,
  publicSignalsOf,
  toField,
  Verifier,
  type VoteProof,
  type VoteStatement,
  type VoteWitness,
} from './vote-proof.js';
