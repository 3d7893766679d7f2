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
  createShareClaim,
  type ShareClaimBody,
  type VerifiedShareClaim,
  verifyShareClaim,
} from './share-claim.js';
export {
  checkShares,
  createStakeLocked,
  createStakePaid,
  createStakeReleased,
  createStakeSettled,
  createStakeSlashed,
  lockedStatement,
  MAX_SHARES,
  type ReleaseReason,
  STAKE_PAYMENT_INDEX,
  STAKE_SHARE_INDEX,
  type StakeLockedBody,
  type StakePaidBody,
  type StakeReleasedBody,
  type StakeSettledBody,
  type StakeShare,
  type StakeSlashedBody,
  stakeEventTypes,
  stakeLockedType,
  stakePaidType,
  stakePaymentKey,
  stakeReleasedType,
  stakeSettledType,
  stakeSlashedType,
  storedStatement,
} from './stake-events.js';
export { type LockedStake, type LockStakeRequest, lockStake, nextStakeSequence } from './staker.js';
export {
  otherLockEndings,
  readLock,
  readStake,
  readStakes,
  type StakeEnding,
  type StakeRecord,
  type StakeState,
  type StoredLock,
  stakeEndings,
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
