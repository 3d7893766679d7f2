export {
  allPieces,
  anonymitySets,
  anonymousPieces,
  candidatesByWeight,
  choosePieceRule,
  chooseWeightScale,
  clientAnonymity,
  DEFAULT_MIN_ANONYMITY,
  denominationCounts,
  exactReveal,
  type MemberWeight,
  PROOF_BUDGET,
  pieceReveal,
  proposalPieceRule,
  proposalWeightScale,
  type RevealRule,
  type RuleCost,
  requiredAnonymity,
  ruleCost,
  SCALE_SEARCH_LOSS_BP,
  scaleMembers,
  smallestSet,
  type VoteAnonymity,
} from './anonymity.js';
export { type AssumedRule, type ProposalAnonymity, voteAnonymity } from './anonymity-ledger.js';
export { batchedProofChecks, type VerifierSource } from './batched-proofs.js';
export {
  DECOMPOSITION_BUDGET,
  type DecompositionOptions,
  decomposeGroup,
  type GroupDecomposition,
  type MemberCast,
} from './cast-decomposition.js';
export {
  CHECKPOINT_FIELDS,
  type CheckpointDeclaration,
  checkCheckpointParts,
  createSnapshotSources,
  isCheckpointDeclaration,
  MAX_SOURCE_PARTS,
  SNAPSHOT_SOURCES,
  SOURCE_IDS_PER_EVENT,
  snapshotEventTypes,
  snapshotSourcesType,
} from './checkpoint.js';
export {
  type ApprovalBallot,
  BASIS_POINTS,
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  countApproval,
  countRanked,
  countSingle,
  countWeighted,
  type DecisionRules,
  decide,
  isYesNo,
  type Outcome,
  parseBallot,
  type RankedBallot,
  type RunoffRound,
  type SingleBallot,
  SPLIT_TOTAL,
  type Tally,
  type WeightedBallot,
  YES_NO_OPTIONS,
} from './counting/index.js';
export {
  anchorDeadline,
  type DecisionAnchor,
  type DecisionTiming,
  decisionTiming,
  proposalTimeProblem,
} from './decision-time.js';
export {
  createDelegation,
  type Delegation,
  delegateWeights,
  delegationSetType,
  type ResolvedDelegations,
  readDelegations,
  resolveDelegations,
} from './delegation.js';
export { type ClosedProposal, GovernedState, type ProposalState, proposalState } from './governed-state.js';
export { clientCasts, type LinkedBallot, linkedBallots } from './linked-ballots.js';
export { acceptedStakes, acceptsCustodian, networkScores, networkSeeds } from './network-trust.js';
export {
  canonicalPieces,
  DEFAULT_PIECE_RULE,
  denominationsOf,
  isPieceRule,
  isWeightScale,
  MAX_EXPONENT,
  MAX_PIECES,
  type PieceRule,
  pieceNumber,
  piecesOf,
  pieceWeight,
  scaledWeight,
  UNIT_SCALE,
  type VotePiece,
} from './pieces.js';
export {
  type CastPiece,
  castPrivateVote,
  LATE_VOTE_SHARE,
  type PrivateVote,
  type PrivateVoteInput,
  publicationTimes,
} from './private-vote.js';
export {
  cancelProposal,
  checkProposal,
  createProposal,
  type ProposalAction,
  type ProposalBody,
  type ProposalRules,
  type ProposerStanding,
  proposalCanceledType,
  proposalCreatedType,
  proposalCreatedTypeFor,
  proposerStanding,
  readProposal,
} from './proposal.js';
export { type Publication, publishedBy } from './publication.js';
export { redatePiece } from './redate.js';
export {
  acceptedSnapshots,
  checkReputationSnapshot,
  createReputationSnapshot,
  credentialHolder,
  credentialSnapshot,
  REPUTATION_SNAPSHOT,
  REPUTATION_SNAPSHOT_TYPES,
  type ReputationSnapshotBody,
  type ReputationSnapshotVerdict,
  reputationSnapshotType,
} from './reputation-snapshot.js';
export {
  computeSnapshot,
  MAX_WEIGHT,
  type Snapshot,
  type SnapshotInput,
  type WeightMode,
} from './snapshot.js';
export {
  checkSnapshot,
  draftProposal,
  type ProposalTerms,
  type SnapshotVerdict,
  snapshotDispute,
  snapshotFromLedger,
  snapshotSources,
  verifiedSnapshot,
} from './snapshot-ledger.js';
export {
  checkRuleKind,
  checkStandingRule,
  type DisputeLoss,
  disputeLosers,
  type RuleFacts,
  STANDING_RULE_KINDS,
  type StandingRule,
  type StandingRuleKind,
} from './standing-rules.js';
export {
  type ProposalResult,
  type StoredVote,
  tallyProposal,
  votingCloses,
} from './tally-ledger.js';
export {
  ballotHash,
  type CastVoteInput,
  castVote,
  findVote,
  nullifierOf,
  pieceRuleOf,
  type VoteBody,
  voteCastType,
} from './vote.js';
