export {
  type ApprovalBallot,
  type BallotOf,
  type Counted,
  type CountingMethod,
  parseBallot,
  type RankedBallot,
  type SingleBallot,
  SPLIT_TOTAL,
  type WeightedBallot,
} from './ballot.js';
export { count } from './count.js';
export {
  BASIS_POINTS,
  type DecisionRules,
  decide,
  isYesNo,
  type Outcome,
  YES_NO_OPTIONS,
} from './outcome.js';
export { countApproval, countSingle, countWeighted } from './plurality.js';
export { countRanked } from './runoff.js';
export type { RunoffRound, Tally } from './tally.js';
