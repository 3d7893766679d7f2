export { ARTIFACTS_DIR, loadPanelArtifacts, loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
export type { ProverEngine, ProverOptions } from './circuit-prover.js';
export { releaseCurve } from './curve-lifetime.js';
export { Groth16Prover } from './groth16-prover.js';
export {
  type Member,
  type MembershipPath,
  MembershipTree,
  PANEL_LEVELS,
  rootOfPath,
  TREE_ARITY,
  TREE_LEVELS,
} from './membership-tree.js';
export {
  PanelProver,
  type PanelStatement,
  type PanelWitness,
  panelSignalsOf,
} from './panel-proof.js';
export { Verifier } from './verifier.js';
export {
  ballotField,
  exponentOf,
  type Groth16Proof,
  MAX_PIECE_INDEX,
  Prover,
  publicSignalsOf,
  toField,
  type VoteProof,
  type VoteStatement,
  type VoteWitness,
} from './vote-proof.js';
