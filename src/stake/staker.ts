import { randomBytes } from 'node:crypto';
import { AgoraError, type Clock, ErrorCode, systemClock, toHex, unixSeconds } from '../core/index.js';
import { type AgentKey, objectId, type SignedObject } from '../identity/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import { decodeInvoice, type LightningBackend, paymentHashOf } from '../lightning/index.js';
import type { StakeCustodianApi, StakeOffer } from './custodian.js';
import { createStakeOffer } from './offer.js';
import { readStakes } from './stakes.js';
import { type CustodyMode, createStakeStatement } from './statement.js';

/** A stake the staker has locked. */
export interface LockedStake {
  /** The custodian's `stake.locked` event, and its id. */
  readonly lock: LedgerEvent;
  readonly lockId: string;
  /** What the staker signed. */
  readonly statement: SignedObject;
  /** Non-custodial stakes: the preimage only the staker knows (never to be revealed). */
  readonly preimage?: string;
  /**
   * How the held payment ended: `returned` when the custodian canceled it (release, expiry), `slashed` when it
   * settled. Pending while the stake is locked; never rejects.
   */
  readonly ended: Promise<'returned' | 'slashed'>;
}

/** What a staker locks: how much, until when, with which custodian and from which node. */
export interface LockStakeRequest {
  readonly key: AgentKey;
  /** The staker's Lightning node. */
  readonly backend: LightningBackend;
  readonly custodian: StakeCustodianApi;
  readonly amountSat: number;
  /** Unix seconds the stake stays locked until (at least the close of the votes it is to weigh in). */
  readonly until: number;
  readonly mode?: CustodyMode;
  /** The staker's stake number: a fresh one for every stake (see {@link nextStakeSequence}). */
  readonly sequence: number;
  /** Seconds the signed offer stays usable (its `expires`); default 300, within a custodian's default 600. */
  readonly offerSeconds?: number;
  readonly clock?: Clock;
  /** Where the preimage and the offer's nonce come from; default the system's CSPRNG (a simulation seeds its own). */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/** One more than the highest sequence of `staker`'s stakes in `ledger` (0 for a first stake). */
export async function nextStakeSequence(ledger: Ledger, staker: string): Promise<number> {
  const stakes = await readStakes(ledger, { staker });
  return stakes.reduce((next, stake) => Math.max(next, stake.statement.sequence + 1), 0);
}

/**
 * Checks the custodian's invoice against what was asked: the custodian, amount and payment hash (for a non-custodial
 * stake, the hash of the staker's own preimage: another hash would let the custodian settle). `INVALID_INVOICE`.
 */
function checkOffer(offer: StakeOffer, custodian: string, amountSat: number, paymentHash?: string): void {
  const invoice = decodeInvoice(offer.paymentRequest);
  if (
    offer.custodian !== custodian ||
    invoice.paymentHash !== offer.paymentHash ||
    invoice.amountMsat !== amountSat * 1000 ||
    (paymentHash !== undefined && offer.paymentHash !== paymentHash)
  )
    throw new AgoraError(ErrorCode.InvalidInvoice, "the custodian's invoice does not match the offer");
}

/**
 * Locks a stake: signs an offer and asks the custodian for a hold invoice, checks it, signs the statement, pays (the payment stays held) and waits
 * for the custodian's `stake.locked`. Resolves once the lock is attested; the sats stay locked until the
 * custodian releases (or slashes) the stake.
 */
export async function lockStake(request: LockStakeRequest): Promise<LockedStake> {
  const mode = request.mode ?? 'non-custodial';
  const random = request.randomBytes ?? randomBytes;
  const preimage = mode === 'non-custodial' ? toHex(random(32)) : undefined;
  const paymentHash = preimage === undefined ? undefined : paymentHashOf(preimage);
  const clock = request.clock ?? systemClock;
  const signed = createStakeOffer(
    request.key,
    {
      custodian: request.custodian.id,
      mode,
      amountSat: request.amountSat,
      until: request.until,
      expires: unixSeconds(clock) + (request.offerSeconds ?? 300),
      nonce: toHex(random(16)),
      ...(paymentHash === undefined ? {} : { paymentHash }),
    },
    { clock },
  );
  const offer = await request.custodian.offer(signed);
  checkOffer(offer, request.custodian.id, request.amountSat, paymentHash);
  const statement = createStakeStatement(
    request.key,
    {
      custodian: request.custodian.id,
      mode,
      paymentHash: offer.paymentHash,
      amountSat: request.amountSat,
      until: request.until,
      sequence: request.sequence,
    },
    { clock, ...(request.randomBytes === undefined ? {} : { auxRand: request.randomBytes(32) }) },
  );
  const payment = request.backend.payInvoice(offer.paymentRequest);
  const ended = payment.then(
    () => 'slashed' as const,
    () => 'returned' as const,
  );
  // A payment that fails before it is held (no route, no balance) must not leave the custodian waiting.
  const failedEarly = payment.then(
    () => new Promise<never>(() => {}),
    (cause: unknown) => {
      throw cause instanceof AgoraError
        ? cause
        : new AgoraError(ErrorCode.PaymentFailed, 'the stake payment failed', { cause });
    },
  );
  const lock = await Promise.race([request.custodian.accept(statement), failedEarly]);
  return {
    lock,
    lockId: toHex(objectId(lock as never)),
    statement,
    ...(preimage === undefined ? {} : { preimage }),
    ended,
  };
}
