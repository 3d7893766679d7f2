export {
  createSnapshotSources,
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
  createDelegation,
  type Delegation,
  delegateWeights,
  delegationSetType,
  type ResolvedDelegations,
  readDelegations,
  resolveDelegations,
} from './delegation.js';
export { type ClosedProposal, GovernedState, type ProposalState, proposalState } from './governed-state.js';
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
  type VoteBody,
  voteCastType,
} from './vote.js';
