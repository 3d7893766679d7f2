export { ARTIFACTS_DIR, loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
export { releaseCurve, usingCurve } from './curve-lifetime.js';
export { inG2Subgroup } from './g2-subgroup.js';
export {
  type Member,
  type MembershipPath,
  MembershipTree,
  rootOfPath,
  TREE_ARITY,
  TREE_LEVELS,
} from './membership-tree.js';
export { Verifier } from './verifier.js';
export {
  ballotField,
  exponentOf,
  MAX_PIECE_INDEX,
  Prover,
  publicSignalsOf,
  toField,
  type VoteProof,
  type VoteStatement,
  type VoteWitness,
} from './vote-proof.js';
