export {
  StakeCustodian,
  type StakeCustodianApi,
  type StakeCustodianOptions,
  type StakeOffer,
} from './custodian.js';
export { StakeCustodianClient, stakeCustodianHandler } from './custodian-http.js';
export {
  createStakeOffer,
  type StakeOfferBody,
  type VerifiedOffer,
  verifyStakeOffer,
} from './offer.js';
export {
  createStakeLocked,
  createStakeReleased,
  createStakeSlashed,
  lockedStatement,
  type ReleaseReason,
  STAKE_PAYMENT_INDEX,
  type StakeLockedBody,
  type StakeReleasedBody,
  type StakeSlashedBody,
  stakeEventTypes,
  stakeLockedType,
  stakePaymentKey,
  stakeReleasedType,
  stakeSlashedType,
  storedStatement,
} from './stake-events.js';
export { type LockedStake, type LockStakeRequest, lockStake, nextStakeSequence } from './staker.js';
export {
  readStake,
  readStakes,
  type StakeEnding,
  type StakeRecord,
  type StakeState,
  stakeState,
  stakeWeights,
} from './stakes.js';
export {
  type CustodyMode,
  createStakeStatement,
  isDoubleSigning,
  MAX_STAKE_SAT,
  type StakeStatementBody,
  type VerifiedStatement,
  verifyStakeStatement,
} from './statement.js';
