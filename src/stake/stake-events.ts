import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isDecimal,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  toHex,
} from '../core/index.js';
import { type AgentKey, objectId, type SignedObject } from '../identity/index.js';
import {
  type EventTypeDefinition,
  type LedgerEvent,
  signEvent,
  type VerifyContext,
} from '../ledger/index.js';
import { paymentHashOf } from '../lightning/index.js';
import {
  isDoubleSigning,
  type StakeStatementBody,
  type VerifiedStatement,
  verifyStakeStatement,
} from './statement.js';

/** Why a custodian ended a stake without slashing it. */
export type ReleaseReason = 'released' | 'expired' | 'renewed';

/** Body of `stake.locked`, signed by the custodian once the staker's payment is held. */
export interface StakeLockedBody {
  /** The staker's signed statement. */
  readonly statement: SignedObject;
  /** Block height at which the held HTLC expires: the stake cannot outlive it. */
  readonly expiryHeight: number;
}

/** Body of `stake.released`: the custodian canceled the hold invoice, the sats went back to the staker. */
export interface StakeReleasedBody {
  readonly lock: string;
  readonly reason: ReleaseReason;
}

/**
 * Body of `stake.slashed`: the custodian settled a custodial stake's hold invoice because the staker signed a
 * statement conflicting with the locked one. The preimage shows the custodian could settle; the conflicting statement
 * is the proof of the offence, checkable by anyone.
 */
export interface StakeSlashedBody {
  readonly lock: string;
  readonly preimage: string;
  readonly conflicting: SignedObject;
}

/** One share of a settled stake: who is owed how many whole sats (decimal). */
export interface StakeShare {
  /** An agent id, or any key's id (a juror's one-time payout key): whoever signs a claim with that key is paid. */
  readonly to: string;
  readonly sat: string;
}

/**
 * Body of `stake.settled`: the custodian settled a custodial stake's hold invoice on a decision (`cause`, the event
 * whose outcome owes it: a dispute's opening) and owes `shares` of it, paid one by one (`stake.paid`). The stake layer
 * checks the custodian could settle and that the shares add up to the stake; whether they are what the decision owes
 * is judged by the layer that reads the decision (see `bondSettlements` in disputes).
 */
export interface StakeSettledBody {
  readonly lock: string;
  readonly preimage: string;
  readonly cause: string;
  readonly shares: readonly StakeShare[];
}

/** Body of `stake.paid`: the custodian paid one share of a settlement over Lightning (the payee's invoice's hash). */
export interface StakePaidBody {
  readonly settlement: string;
  readonly to: string;
  readonly sat: string;
  readonly paymentHash: string;
}

/** Most shares one settlement pays: the widest panel's majority, the winner and the staker, with room to spare. */
export const MAX_SHARES = 32;

const REASONS: readonly ReleaseReason[] = ['released', 'expired', 'renewed'];

function invalid(type: string, message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `${type}: ${message}`);
}

/** The statement inside a `stake.locked` event, verified. */
export function lockedStatement(event: LedgerEvent): VerifiedStatement {
  return verifyStakeStatement((event.body as unknown as StakeLockedBody).statement);
}

/**
 * The staker and statement body of a `stake.locked` the ledger verified already (stored, or past `verify`): read
 * without checking the staker's signature again, which readers of many stakes (snapshots) would pay for each lock.
 */
export function storedStatement(event: LedgerEvent): { staker: string; body: StakeStatementBody } {
  const { author, body } = (event.body as unknown as StakeLockedBody).statement as unknown as {
    author: string;
    body: StakeStatementBody;
  };
  return { staker: author, body };
}

/** The `stake.locked` event `lock` refers to; it must be the author's own. */
async function referencedLock(event: LedgerEvent, context: VerifyContext): Promise<LedgerEvent> {
  const body = event.body as { lock: unknown };
  if (!isLowerHex(body.lock, 32)) invalid(event.type, 'lock is an event id');
  const lock = await context.get(body.lock);
  if (lock === undefined)
    throw new AgoraError(ErrorCode.MissingReference, `${event.type}: no stake.locked ${body.lock} yet`);
  if (lock.type !== 'stake.locked') invalid(event.type, `${body.lock} is not a stake.locked`);
  if (lock.author !== event.author) invalid(event.type, "only the stake's custodian can end it");
  return lock;
}

/**
 * The index under which a custodian's locks of one payment hash are found (value: {@link stakePaymentKey}). One held
 * payment backs one stake: among the `stake.locked` events of one custodian for one payment hash only the one with
 * the lowest event id is a stake. The verifier stores every rival (refusing one would make what a replica stores
 * depend on the order the rivals arrived in), kept as evidence of the custodian's equivocation; readers
 * ({@link readStakes}, {@link readStake}) count the lowest id only. Every replica holding the same locks thus counts
 * the same one, whatever order they arrived in. A dispute bond reads its rivals by publication besides (`readLock`):
 * one listed after the dispute event that put the bond up does not unmake it for that event.
 */
export const STAKE_PAYMENT_INDEX = 'stake-payment';

/** The {@link STAKE_PAYMENT_INDEX} value of a custodian's lock of `paymentHash`. */
export function stakePaymentKey(custodian: string, paymentHash: string): string {
  return `${custodian}:${paymentHash}`;
}

const stakeIndex = (event: LedgerEvent): [string, string][] => [
  ['stake', (event.body as { lock: string }).lock],
];

/**
 * `stake.locked`: by the custodian named in the staker's statement; of several locks of one payment only the lowest
 * id counts (see {@link STAKE_PAYMENT_INDEX}). Indexed by staker, by stake (its own id) and by payment.
 */
export const stakeLockedType: EventTypeDefinition = {
  type: 'stake.locked',
  auth: 'signature',
  verify(event) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['statement', 'expiryHeight']))
      invalid(event.type, 'body is {statement, expiryHeight}');
    if (!Number.isSafeInteger(body.expiryHeight) || (body.expiryHeight as number) <= 0)
      invalid(event.type, 'expiryHeight is a block height');
    const { body: statement } = verifyStakeStatement(body.statement);
    if (statement.custodian !== event.author) invalid(event.type, 'the statement names another custodian');
    if (statement.until <= event.created) invalid(event.type, 'the stake ends before it is locked');
  },
  indexes(event) {
    // Indexes are taken after `verify` (or of stored events): the statement was checked there.
    const { staker, body } = storedStatement(event);
    return [
      ['staker', staker],
      ['stake', toHex(objectId(event as never))],
      [STAKE_PAYMENT_INDEX, stakePaymentKey(event.author as string, body.paymentHash)],
    ];
  },
};

/** `stake.released`: by the lock's custodian. */
export const stakeReleasedType: EventTypeDefinition = {
  type: 'stake.released',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['lock', 'reason']))
      invalid(event.type, 'body is {lock, reason}');
    if (!REASONS.includes(body.reason as ReleaseReason))
      invalid(event.type, `reason is one of ${REASONS.join(', ')}`);
    await referencedLock(event, context);
  },
  indexes: stakeIndex,
};

/** `stake.slashed`: by the custodian of a custodial lock, with the preimage and the staker's double-signing. */
export const stakeSlashedType: EventTypeDefinition = {
  type: 'stake.slashed',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['lock', 'preimage', 'conflicting']))
      invalid(event.type, 'body is {lock, preimage, conflicting}');
    const locked = lockedStatement(await referencedLock(event, context));
    if (locked.body.mode !== 'custodial') invalid(event.type, 'a non-custodial stake cannot be slashed');
    if (!isLowerHex(body.preimage, 32) || paymentHashOf(body.preimage) !== locked.body.paymentHash)
      invalid(event.type, "the preimage does not unlock the stake's payment hash");
    const conflicting = verifyStakeStatement(body.conflicting);
    if (!isDoubleSigning(locked, conflicting))
      invalid(event.type, 'the conflicting statement is not a double-signing by the staker');
  },
  indexes: stakeIndex,
};

/**
 * Checks a list of shares: 1 to {@link MAX_SHARES} of `{to, sat}`, distinct payees, positive whole sats adding up to
 * `totalSat`. Throws `fail`'s error otherwise.
 */
export function checkShares(shares: unknown, totalSat: bigint, fail: (message: string) => never): void {
  if (
    !Array.isArray(shares) ||
    shares.length === 0 ||
    shares.length > MAX_SHARES ||
    !shares.every(
      (share) =>
        isJsonObject(share) &&
        hasExactKeys(share, ['to', 'sat']) &&
        isLowerHex(share.to, 32) &&
        isDecimal(share.sat) &&
        BigInt(share.sat) > 0n,
    )
  )
    fail(`shares are 1 to ${MAX_SHARES} of {to (an id), sat (positive decimal)}`);
  const list = shares as StakeShare[];
  if (new Set(list.map((share) => share.to)).size !== list.length)
    fail('a payee appears twice in the shares');
  if (list.reduce((sum, share) => sum + BigInt(share.sat), 0n) !== totalSat)
    fail(`the shares add up to the stake, ${totalSat} sats`);
}

/** `stake.settled`: by the custodian of a custodial lock, with its preimage and shares adding up to the stake. */
export const stakeSettledType: EventTypeDefinition = {
  type: 'stake.settled',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['lock', 'preimage', 'cause', 'shares']))
      invalid(event.type, 'body is {lock, preimage, cause, shares}');
    if (!isLowerHex(body.cause, 32)) invalid(event.type, 'cause is an event id');
    const locked = lockedStatement(await referencedLock(event, context));
    if (locked.body.mode !== 'custodial') invalid(event.type, 'a non-custodial stake cannot be settled');
    if (!isLowerHex(body.preimage, 32) || paymentHashOf(body.preimage) !== locked.body.paymentHash)
      invalid(event.type, "the preimage does not unlock the stake's payment hash");
    checkShares(body.shares, BigInt(locked.body.amountSat), (message) => invalid(event.type, message));
  },
  indexes: stakeIndex,
};

/** The index under which the payments of one share are found: `<settlement id>:<payee>`. */
export const STAKE_SHARE_INDEX = 'stake-share';

/** `stake.paid`: by the custodian that settled, for one of the settlement's shares, its amount exactly. */
export const stakePaidType: EventTypeDefinition = {
  type: 'stake.paid',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['settlement', 'to', 'sat', 'paymentHash']))
      invalid(event.type, 'body is {settlement, to, sat, paymentHash}');
    if (!isLowerHex(body.settlement, 32) || !isLowerHex(body.paymentHash, 32))
      invalid(event.type, 'settlement and paymentHash are 32 bytes of hex');
    const settled = await context.get(body.settlement);
    if (settled === undefined)
      throw new AgoraError(
        ErrorCode.MissingReference,
        `${event.type}: no stake.settled ${body.settlement} yet`,
      );
    if (settled.type !== 'stake.settled') invalid(event.type, `${body.settlement} is not a stake.settled`);
    if (settled.author !== event.author)
      invalid(event.type, 'only the custodian that settled pays its shares');
    const share = (settled.body as unknown as StakeSettledBody).shares.find((s) => s.to === body.to);
    if (share === undefined || share.sat !== body.sat)
      invalid(event.type, "the payment is not one of the settlement's shares");
  },
  indexes(event) {
    const body = event.body as unknown as StakePaidBody;
    return [[STAKE_SHARE_INDEX, `${body.settlement}:${body.to}`]];
  },
};

/** The stake event types, for a registry. */
export const stakeEventTypes: readonly EventTypeDefinition[] = [
  stakeLockedType,
  stakeReleasedType,
  stakeSlashedType,
  stakeSettledType,
  stakePaidType,
];

/** Signs a `stake.locked` as the custodian. */
export function createStakeLocked(
  custodian: AgentKey,
  body: StakeLockedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(custodian, 'stake.locked', body as unknown as JsonObject, options);
}

/** Signs a `stake.released` as the custodian. */
export function createStakeReleased(
  custodian: AgentKey,
  body: StakeReleasedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(custodian, 'stake.released', body as unknown as JsonObject, options);
}

/** Signs a `stake.slashed` as the custodian. */
export function createStakeSlashed(
  custodian: AgentKey,
  body: StakeSlashedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(custodian, 'stake.slashed', body as unknown as JsonObject, options);
}

/** Signs a `stake.settled` as the custodian. */
export function createStakeSettled(
  custodian: AgentKey,
  body: StakeSettledBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(custodian, 'stake.settled', body as unknown as JsonObject, options);
}

/** Signs a `stake.paid` as the custodian. */
export function createStakePaid(
  custodian: AgentKey,
  body: StakePaidBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(custodian, 'stake.paid', body as unknown as JsonObject, options);
}
