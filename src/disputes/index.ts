export { absentJurors, absentPenalties } from './absent-penalty.js';
export {
  type BondProgress,
  bondProgress,
  type DisputeBondsSettled,
  type RefusedInstruction,
  settleDisputeBonds,
} from './bond-payouts.js';
export {
  appealBond,
  bondAmount,
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeAttended,
  createDisputeDrawn,
  createDisputeOpened,
  createDisputeRevealed,
  type DisputeAnsweredBody,
  type DisputeAppealedBody,
  type DisputeAttendedBody,
  type DisputeDrawnBody,
  type DisputeOpenedBody,
  type DisputeRevealedBody,
  type DisputeVoteBody,
  disputeAnsweredType,
  disputeAppealedType,
  disputeAttendedType,
  disputeDrawnType,
  disputeEventTypes,
  disputeOpenedType,
  disputeParties,
  disputeRevealedType,
  disputeVoteType,
  JUROR_CHOICES,
  type JurorChoice,
  type JurorElectorate,
  type JurorWeighting,
  jurorStatement,
  receiptParties,
  roundScope,
  type SeedBlockRule,
  sealBallot,
} from './dispute-events.js';
export {
  disputeFacts,
  reputationWithDisputes,
  UPHELD_CLAIM_WEIGHT,
} from './dispute-reputation.js';
export {
  type AppealTerms,
  appealTerms,
  type Bond,
  type BondContext,
  type BondStanding,
  bondOwner,
  bondStanding,
  type DisputeRound,
  type DisputeStatus,
  type DisputeView,
  drawFor,
  listDisputes,
  panelTree,
  type ReadDisputeOptions,
  type RevealedVote,
  readDispute,
  type SeedBlocks,
} from './dispute-state.js';
export {
  answerInTime,
  type DisputeAnchors,
  type OpeningTiming,
  openingTiming,
} from './dispute-time.js';
export {
  checkElectorate,
  draftElectorate,
  type ElectorateOptions,
  type ElectorateVerdict,
  type EligibleJuror,
} from './electorate.js';
export {
  castJurorVote,
  type JurorVoteInput,
  revealJurorVote,
  type SealedJurorVote,
} from './juror-vote.js';
export {
  type Candidate,
  drawPanel,
  drawSeed,
} from './lottery.js';
export { disputeLosses } from './outcomes.js';
export {
  type BondInstruction,
  settlement,
} from './settlement.js';
export {
  DISPUTE_TERMS,
  disputeHorizon,
  maxAppealSeedHeight,
  panelSize,
  type RoundTimes,
  reachableSeedHeight,
  roundTimes,
  SEED_REACH_MARGIN,
} from './terms.js';
