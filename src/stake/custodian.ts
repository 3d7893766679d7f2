import { randomBytes } from 'node:crypto';
import {
  AgoraError,
  type Clock,
  ErrorCode,
  isAgoraError,
  parseJson,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import type { AgentKey, SignedObject } from '../identity/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import {
  decodeInvoice,
  type InvoiceStatus,
  isExpired,
  type LightningBackend,
  paymentHashOf,
} from '../lightning/index.js';
import { type StakeOfferBody, type VerifiedOffer, verifyStakeOffer } from './offer.js';
import { verifyShareClaim } from './share-claim.js';
import {
  checkShares,
  createStakeLocked,
  createStakePaid,
  createStakeReleased,
  createStakeSettled,
  createStakeSlashed,
  lockedStatement,
  type ReleaseReason,
  STAKE_PAYMENT_INDEX,
  STAKE_SHARE_INDEX,
  type StakeSettledBody,
  type StakeShare,
  stakePaymentKey,
} from './stake-events.js';
import { readStake, readStakes, type StakeRecord, stakeState } from './stakes.js';
import { isDoubleSigning, verifyStakeStatement } from './statement.js';

/** The hold invoice a custodian issues for a stake offer. */
export interface StakeOffer {
  readonly custodian: string;
  readonly paymentRequest: string;
  readonly paymentHash: string;
  /** Blocks the held HTLC must stay valid for: the time to `until` plus a safety margin. */
  readonly cltvExpiry: number;
  /** Unix seconds: the offer's own `expires`, after which the invoice takes no payment. */
  readonly expires: number;
}

/** A custodian as a staker sees it (in process, or behind a network client). */
export interface StakeCustodianApi {
  readonly id: string;
  /** Issues a hold invoice for a staker's signed offer (see {@link createStakeOffer}). */
  offer(offer: SignedObject): Promise<StakeOffer>;
  /** Waits until the staker's payment is held, then attests the lock; returns the `stake.locked` event. */
  accept(statement: SignedObject): Promise<LedgerEvent>;
  /** Pays a share of one of its settlements to the invoice in the payee's signed claim; returns `stake.paid`. */
  payShare(claim: SignedObject): Promise<LedgerEvent>;
}

/** What a custodian holds stakes with: its key, its Lightning node and the ledger it records them in. */
export interface StakeCustodianOptions {
  readonly key: AgentKey;
  readonly backend: LightningBackend;
  readonly ledger: Ledger;
  readonly clock?: Clock;
  /** Expected seconds per block, to turn `until` into a CLTV delta; default 600. */
  readonly blockSeconds?: number;
  /** Blocks added to every CLTV delta, so the hold outlives `until`; default 24 (LDK's least final CLTV delta). */
  readonly safetyBlocks?: number;
  /** How long {@link StakeCustodian.accept} waits for the held payment; default 60,000 ms. */
  readonly acceptTimeoutMs?: number;
  /** Latest `expires` an offer may carry, in seconds from now (the window in which it can be used); default 600. */
  readonly offerSeconds?: number;
  /** Open offers (invoice issued, lock not attested yet) one staker may have; default 4. */
  readonly maxOffersPerStaker?: number;
  /** Open offers in all; default 1,000. */
  readonly maxOffers?: number;
  /** Where custodial preimages come from; default the system's CSPRNG (a simulation seeds its own). */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/**
 * An open offer: written only once its hold invoice exists, so the record is the proof that this custodian created
 * that invoice for that offer, and only such invoices are ever canceled or attested through it. Kept until the lock
 * is in the ledger, so a restart can finish or undo it.
 */
interface OfferRecord {
  /** The id of the staker's signed offer. */
  offerId: string;
  staker: string;
  terms: StakeOfferBody;
  paymentHash: string;
  /** The invoice this offer created. */
  paymentRequest: string;
  cltvExpiry: number;
  statement?: SignedObject;
  lock?: LedgerEvent;
}

/** An ending decided but perhaps not carried out: the Lightning action is repeated until the event is stored. */
interface EndingRecord {
  event: LedgerEvent;
  paymentHash: string;
  /** Settle (slash) with this preimage; cancel when absent. */
  preimage?: string;
}

/**
 * A share being paid: written before the payment is sent, so a restart pays the same invoice again (a second payment
 * of one invoice is refused by the node: `ALREADY_SETTLED`, taken as paid) and then records it.
 */
interface PaymentRecord {
  settlement: string;
  to: string;
  sat: string;
  paymentRequest: string;
  paymentHash: string;
}

/** Failures after which nothing was paid: the record goes, and the payee may claim again with another invoice. */
const NOT_PAID: readonly string[] = [
  ErrorCode.PaymentFailed,
  ErrorCode.NoRoute,
  ErrorCode.InsufficientBalance,
  ErrorCode.InvoiceExpired,
  ErrorCode.InvalidInvoice,
];

const MAX_CLTV = 2016;

/**
 * The custodian side of stakes: issues hold invoices for signed offers, attests `stake.locked` once a
 * payment is held, releases (cancel) and slashes (settle, custodial stakes only). One payment backs one offer: an
 * offer for a payment hash this custodian knows already is refused with no side effect, and `accept` attests only the
 * invoice its own offer created. Every step is written to the ledger's local store and repeated on {@link open} after
 * a crash; releasing and slashing are idempotent.
 */
export class StakeCustodian implements StakeCustodianApi {
  private readonly key: AgentKey;
  private readonly backend: LightningBackend;
  private readonly ledger: Ledger;
  private readonly clock: Clock;
  private readonly blockSeconds: number;
  private readonly safetyBlocks: number;
  private readonly acceptTimeoutMs: number;
  private readonly offerSeconds: number;
  private readonly maxOffersPerStaker: number;
  private readonly maxOffers: number;
  private readonly randomBytes: (length: number) => Uint8Array;
  private readonly store: ReturnType<Ledger['localStore']>;
  /** Offers one at a time: the checks for a known payment hash and the bounds see every earlier offer's record. */
  private offering: Promise<unknown> = Promise.resolve();
  /** Payment hashes whose `accept` is waiting: expiring them would cancel an invoice being attested. */
  private readonly accepting = new Set<string>();

  private constructor(options: StakeCustodianOptions) {
    this.key = options.key;
    this.backend = options.backend;
    this.ledger = options.ledger;
    this.clock = options.clock ?? systemClock;
    this.blockSeconds = options.blockSeconds ?? 600;
    this.safetyBlocks = options.safetyBlocks ?? 24;
    this.acceptTimeoutMs = options.acceptTimeoutMs ?? 60_000;
    this.offerSeconds = options.offerSeconds ?? 600;
    this.maxOffersPerStaker = options.maxOffersPerStaker ?? 4;
    this.maxOffers = options.maxOffers ?? 1_000;
    this.randomBytes = options.randomBytes ?? randomBytes;
    this.store = options.ledger.localStore('stake-custodian');
  }

  /** Opens a custodian and recovers whatever a crash interrupted (see {@link recover}). */
  static async open(options: StakeCustodianOptions): Promise<StakeCustodian> {
    const custodian = new StakeCustodian(options);
    await custodian.recover();
    return custodian;
  }

  get id(): string {
    return this.key.id;
  }

  /**
   * Issues a hold invoice for a staker's signed offer (see {@link createStakeOffer}). Custodial: the custodian draws
   * the preimage and keeps it to slash with. Refused, with nothing written and no invoice created: an offer for
   * another custodian, expired or expiring later than `offerSeconds` from now, made already, for a payment hash this
   * custodian knows (an open offer, a stake, an ending, or any invoice on its node: `ALREADY_EXISTS`), or beyond the
   * bounds on open offers (`LIMIT_REACHED`).
   */
  async offer(signed: SignedObject): Promise<StakeOffer> {
    const offer = verifyStakeOffer(signed);
    const { until, expires } = offer.body;
    if (offer.body.custodian !== this.id)
      throw new AgoraError(ErrorCode.InvalidArgument, 'the offer is made to another custodian');
    const now = unixSeconds(this.clock);
    if (expires <= now) throw new AgoraError(ErrorCode.InvalidArgument, 'the offer has expired');
    if (expires > now + this.offerSeconds)
      throw new AgoraError(ErrorCode.InvalidArgument, `an offer expires within ${this.offerSeconds} s`);
    if (until <= now)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a stake is locked until a future time');
    const cltvExpiry = Math.ceil((until - now) / this.blockSeconds) + this.safetyBlocks;
    if (cltvExpiry > MAX_CLTV)
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        `a hold invoice cannot outlive ${MAX_CLTV} blocks: stake for less and renew`,
      );
    const run = this.offering.then(() => this.issue(offer, cltvExpiry));
    // The chain goes on after a refused offer; its caller gets the refusal through `run`.
    this.offering = run.catch(() => undefined);
    return run;
  }

  /** The serialized part of {@link offer}: checks against every record, then the invoice, then the records. */
  private async issue(offer: VerifiedOffer, cltvExpiry: number): Promise<StakeOffer> {
    const { amountSat, until, expires } = offer.body;
    await this.expireOffers();
    if ((await this.store.get(`seen:${offer.id}`)) !== undefined)
      throw new AgoraError(ErrorCode.AlreadyExists, 'this offer was made already: sign a new one');
    const open = await this.entries<OfferRecord>('offer:');
    if (open.length >= this.maxOffers)
      throw new AgoraError(ErrorCode.LimitReached, 'this custodian has too many open offers: retry later');
    if (open.filter((record) => record.staker === offer.staker).length >= this.maxOffersPerStaker)
      throw new AgoraError(
        ErrorCode.LimitReached,
        `a staker may have ${this.maxOffersPerStaker} open offers: finish or let one expire`,
      );
    const preimage = offer.body.paymentHash === undefined ? toHex(this.randomBytes(32)) : undefined;
    const paymentHash = preimage === undefined ? (offer.body.paymentHash as string) : paymentHashOf(preimage);
    if (preimage === undefined) await this.refuseKnown(paymentHash);
    const now = unixSeconds(this.clock);
    // Nothing is written before the invoice exists: a refused or failed creation leaves no record behind. A crash
    // between creation and the records below leaves an invoice nobody can pay (its request was never handed out),
    // and it expires with the offer.
    const invoice = await this.backend.createHoldInvoice({
      paymentHash,
      amountMsat: amountSat * 1000,
      cltvExpiry,
      expirySeconds: expires - now,
      description: `agora402 stake ${amountSat} sat until ${until}`,
    });
    const record: OfferRecord = {
      offerId: offer.id,
      staker: offer.staker,
      terms: offer.body,
      paymentHash,
      paymentRequest: invoice.paymentRequest,
      cltvExpiry,
    };
    try {
      await this.ledger.localPutMany(this.store, [
        [`offer:${paymentHash}`, JSON.stringify(record)],
        [`seen:${offer.id}`, String(expires)],
        ...(preimage === undefined ? [] : [[`secret:${paymentHash}`, preimage] as const]),
      ]);
    } catch (error) {
      // This invoice is ours (created just now) and its request was never handed out: cancel it, then report the
      // store's failure, which is the one the caller can act on.
      await this.cancel(paymentHash);
      throw error;
    }
    return {
      custodian: this.id,
      paymentRequest: invoice.paymentRequest,
      paymentHash,
      cltvExpiry,
      expires,
    };
  }

  /** `ALREADY_EXISTS` when this custodian knows `paymentHash`: an open offer, an ending, a stake, or its node. */
  private async refuseKnown(paymentHash: string): Promise<void> {
    const known = async () => {
      if ((await this.store.get(`offer:${paymentHash}`)) !== undefined) return true;
      if ((await this.store.get(`end:${paymentHash}`)) !== undefined) return true;
      for await (const _ of this.ledger.byIndex(STAKE_PAYMENT_INDEX, stakePaymentKey(this.id, paymentHash), {
        limit: 1,
      }))
        return true;
      return (await this.lookup(paymentHash)) !== undefined;
    };
    if (await known())
      throw new AgoraError(
        ErrorCode.AlreadyExists,
        `payment hash ${paymentHash} is known already: draw another`,
      );
  }

  /**
   * Cancels the open offers past their `expires` (none whose `accept` is waiting) and forgets the offers seen before
   * that: {@link offer} calls it, and a serving custodian should call it now and then, as after {@link releaseDue}.
   * Returns the payment hashes whose offers it canceled.
   */
  async expireOffers(): Promise<string[]> {
    const now = unixSeconds(this.clock);
    const expired: string[] = [];
    for (const offer of await this.entries<OfferRecord>('offer:')) {
      if (offer.terms.expires > now || offer.lock !== undefined || this.accepting.has(offer.paymentHash))
        continue;
      await this.dropOffer(offer);
      expired.push(offer.paymentHash);
    }
    const stale: [string, undefined][] = [];
    for await (const [key, expires] of this.store.iterator({ gte: 'seen:', lt: 'seen:\uffff' }))
      if (Number(expires) <= now) stale.push([key, undefined]);
    if (stale.length > 0) await this.ledger.localPutMany(this.store, stale);
    return expired;
  }

  /**
   * Waits for the staker's held payment, checks it against the offer that created its invoice and the statement, and
   * attests the lock. The statement must be signed by the staker who signed the offer, with the offer's terms and
   * payment hash.
   */
  async accept(statement: SignedObject): Promise<LedgerEvent> {
    const verified = verifyStakeStatement(statement);
    const body = verified.body;
    if (body.custodian !== this.id)
      throw new AgoraError(ErrorCode.InvalidArgument, 'the statement names another custodian');
    const offer = await this.get<OfferRecord>(`offer:${body.paymentHash}`);
    if (offer === undefined || offer.lock !== undefined)
      throw new AgoraError(ErrorCode.NotFound, `no open stake offer for ${body.paymentHash}`);
    const { terms } = offer;
    if (
      verified.staker !== offer.staker ||
      body.mode !== terms.mode ||
      body.amountSat !== terms.amountSat ||
      body.until !== terms.until
    )
      throw new AgoraError(ErrorCode.InvalidArgument, 'the statement does not match the offer');
    if (terms.expires <= unixSeconds(this.clock))
      throw new AgoraError(ErrorCode.InvoiceExpired, `the offer for ${body.paymentHash} has expired`);
    if (this.accepting.has(offer.paymentHash))
      throw new AgoraError(
        ErrorCode.InvalidState,
        `the offer for ${body.paymentHash} is being accepted already`,
      );
    this.accepting.add(offer.paymentHash);
    try {
      const withStatement = { ...offer, statement };
      await this.put(`offer:${offer.paymentHash}`, withStatement);
      let status: InvoiceStatus;
      try {
        status = await this.heldPayment(offer.paymentHash);
      } catch (error) {
        // No payment came (the wait timed out, the invoice was canceled or expired): undo the offer. Any other
        // failure (the node unreachable, a defect) says nothing about the payment, which may be held: keep the
        // record, with its statement, so that recovery attests a held payment or cancels an unpaid invoice.
        if (isAgoraError(error, ErrorCode.PaymentFailed)) await this.dropOffer(offer);
        throw error;
      }
      const refused = await this.refusal(withStatement, status);
      if (refused !== undefined) throw refused;
      return await this.attest(withStatement, status as InvoiceStatus & { htlcExpiryHeight: number });
    } finally {
      this.accepting.delete(offer.paymentHash);
    }
  }

  /**
   * Releases a stake: cancels its hold invoice, so the sats go back, and records `stake.released`. Before the
   * stake's `until` only a renewal (a newer lock of the same staker, locked longer) may release it, or a decision that
   * frees it (`decided`: a bond whose dispute its winner won; the caller read that from the ledger, see
   * `settleDisputeBonds`).
   */
  async release(
    lockId: string,
    options: { renewedBy?: string; decided?: boolean } = {},
  ): Promise<LedgerEvent> {
    const stake = await this.activeStake(lockId);
    let reason: ReleaseReason = 'released';
    if (options.decided === true) return this.end(stake, reason);
    if (options.renewedBy !== undefined) {
      const renewal = await readStake(this.ledger, options.renewedBy);
      if (
        renewal === undefined ||
        renewal.staker !== stake.staker ||
        renewal.custodian !== this.id ||
        stakeState(renewal, unixSeconds(this.clock)) !== 'locked' ||
        renewal.statement.until <= stake.statement.until
      )
        throw new AgoraError(
          ErrorCode.InvalidState,
          `${options.renewedBy} is no longer-running stake of the same staker with this custodian`,
        );
      reason = 'renewed';
    } else if (stake.statement.until > unixSeconds(this.clock)) {
      throw new AgoraError(
        ErrorCode.InvalidState,
        `stake ${lockId} is promised locked until ${stake.statement.until}`,
      );
    }
    return this.end(stake, reason);
  }

  /** Releases every stake of this custodian whose `until` has passed (after the votes it weighed in). */
  async releaseDue(): Promise<LedgerEvent[]> {
    const now = unixSeconds(this.clock);
    const released: LedgerEvent[] = [];
    for (const stake of await readStakes(this.ledger, { custodian: this.id }))
      if (stake.ending === undefined && stake.statement.until <= now)
        released.push(await this.end(stake, 'released'));
    return released;
  }

  /**
   * Slashes a custodial stake whose staker signed `conflicting`, a statement with the same sequence: settles the
   * hold invoice (the sats move to the custodian) and records `stake.slashed` with the evidence.
   */
  async slash(lockId: string, conflicting: SignedObject): Promise<LedgerEvent> {
    const stake = await this.activeStake(lockId);
    if (stake.statement.mode !== 'custodial')
      throw new AgoraError(ErrorCode.InvalidState, 'a non-custodial stake cannot be slashed');
    const locked = (await this.ledger.get(lockId)) as { event: LedgerEvent };
    const evidence = verifyStakeStatement(conflicting);
    if (!isDoubleSigning(lockedStatement(locked.event), evidence))
      throw new AgoraError(ErrorCode.InvalidArgument, 'the statement does not conflict with the stake');
    const preimage = await this.preimageOf(stake);
    const event = createStakeSlashed(
      this.key,
      { lock: lockId, preimage, conflicting },
      { clock: this.clock },
    );
    return this.carryOut({ event, paymentHash: stake.statement.paymentHash, preimage });
  }

  /**
   * Settles a custodial stake on a decision and records `stake.settled` with the `shares` it owes (adding up to the
   * stake): the hold invoice is settled (the sats move to this custodian), then each payee has its share paid with
   * {@link payShare}. `cause` is the event whose outcome owes it (a dispute's opening); the caller computed the
   * shares from the ledger (see `settleDisputeBonds`). Idempotent: a stake this custodian settled already for the same
   * cause gives that `stake.settled` back; crash-safe as releases are (the ending is recorded first, redone by
   * {@link recover}).
   */
  async settle(lockId: string, shares: readonly StakeShare[], cause: string): Promise<LedgerEvent> {
    const found = await readStake(this.ledger, lockId);
    if (found?.custodian === this.id && found.ending?.kind === 'settled') {
      const ending = (await this.ledger.get(found.ending.id))?.event as LedgerEvent;
      if ((ending.body as unknown as StakeSettledBody).cause === cause) return ending;
    }
    const stake = await this.activeStake(lockId);
    if (stake.statement.mode !== 'custodial')
      throw new AgoraError(ErrorCode.InvalidState, 'a non-custodial stake cannot be settled');
    checkShares(shares, BigInt(stake.statement.amountSat), (message) => {
      throw new AgoraError(ErrorCode.InvalidArgument, `cannot settle stake ${lockId}: ${message}`);
    });
    const preimage = await this.preimageOf(stake);
    const event = createStakeSettled(
      this.key,
      { lock: lockId, preimage, cause, shares: shares.map(({ to, sat }) => ({ to, sat })) },
      { clock: this.clock },
    );
    return this.carryOut({ event, paymentHash: stake.statement.paymentHash, preimage });
  }

  /**
   * Pays one share of a settlement this custodian recorded, to the invoice in a claim signed by the share's payee
   * (see `createShareClaim`), and records `stake.paid`. The invoice must be for the share's amount exactly and not
   * expired (`INVALID_ARGUMENT`, `INVOICE_EXPIRED`); a claim by anyone the settlement does not owe is `NOT_FOUND`.
   * Idempotent: a share paid already gives its `stake.paid` back. Crash-safe: the payment is recorded before it is
   * sent and {@link recover} sends the same invoice again (the node refuses a second payment of it). A payment that
   * surely failed (no route, no balance) forgets the claim, so the payee may claim again; one whose outcome is unknown
   * keeps it for recovery and throws.
   */
  async payShare(claim: SignedObject): Promise<LedgerEvent> {
    const { payee, body } = verifyShareClaim(claim);
    const settled = await this.ledger.get(body.settlement);
    if (settled?.event.type !== 'stake.settled' || settled.event.author !== this.id)
      throw new AgoraError(ErrorCode.NotFound, `no settlement ${body.settlement} by this custodian`);
    const share = (settled.event.body as unknown as StakeSettledBody).shares.find((s) => s.to === payee);
    if (share === undefined)
      throw new AgoraError(ErrorCode.NotFound, `settlement ${body.settlement} owes nothing to ${payee}`);
    const paid = await this.paymentOf(body.settlement, payee);
    if (paid !== undefined) return paid;
    const invoice = decodeInvoice(body.paymentRequest);
    if (invoice.amountMsat === undefined || BigInt(invoice.amountMsat) !== BigInt(share.sat) * 1000n)
      throw new AgoraError(ErrorCode.InvalidArgument, `the invoice must be for the share, ${share.sat} sats`);
    if (isExpired(invoice, unixSeconds(this.clock)))
      throw new AgoraError(ErrorCode.InvoiceExpired, "the claim's invoice has expired");
    const key = `pay:${body.settlement}:${payee}`;
    const pending = await this.get<PaymentRecord>(key);
    if (pending !== undefined && pending.paymentRequest !== body.paymentRequest)
      throw new AgoraError(ErrorCode.InvalidState, `the share of ${payee} is being paid to another invoice`);
    const record: PaymentRecord = {
      settlement: body.settlement,
      to: payee,
      sat: share.sat,
      paymentRequest: body.paymentRequest,
      paymentHash: invoice.paymentHash,
    };
    await this.put(key, record);
    return this.pay(record);
  }

  /** The `stake.paid` of one share, if the ledger holds one. */
  private async paymentOf(settlement: string, to: string): Promise<LedgerEvent | undefined> {
    for await (const { event } of this.ledger.byIndex(STAKE_SHARE_INDEX, `${settlement}:${to}`, { limit: 1 }))
      if (event.type === 'stake.paid' && event.author === this.id) return event;
    return undefined;
  }

  /** Sends a recorded payment (again, after a crash), then records `stake.paid` and forgets the record. */
  private async pay(record: PaymentRecord): Promise<LedgerEvent> {
    const key = `pay:${record.settlement}:${record.to}`;
    try {
      await this.backend.payInvoice(record.paymentRequest);
    } catch (error) {
      if (!isAgoraError(error, ErrorCode.AlreadySettled)) {
        if (isAgoraError(error) && NOT_PAID.includes(error.code))
          await this.ledger.localPut(this.store, key, undefined);
        throw error;
      }
    }
    const event = createStakePaid(
      this.key,
      { settlement: record.settlement, to: record.to, sat: record.sat, paymentHash: record.paymentHash },
      { clock: this.clock },
    );
    await this.ledger.append(event);
    await this.ledger.localPut(this.store, key, undefined);
    return event;
  }

  /**
   * Brings the ledger in line with the Lightning node: a stake whose hold the node canceled (its CLTV deadline
   * came near) is recorded as `expired`. Call it after new blocks.
   */
  async sync(): Promise<LedgerEvent[]> {
    const ended: LedgerEvent[] = [];
    for (const stake of await readStakes(this.ledger, { custodian: this.id })) {
      if (stake.ending !== undefined) continue;
      const status = await this.lookup(stake.statement.paymentHash);
      if (status === undefined || status.state === 'CANCELED') ended.push(await this.end(stake, 'expired'));
    }
    return ended;
  }

  /**
   * Finishes what a crash interrupted: endings decided but not stored are carried out again, and share payments sent
   * but not recorded are sent again (see {@link payShare}); an offer whose payment is
   * held and whose statement arrived is attested; any other offer is canceled (its staker's call failed with the
   * restart). Only invoices this custodian's offers created are touched: an offer record is written only once its
   * invoice exists. Then {@link sync}. A Lightning action that fails keeps its record for the next try and throws.
   */
  async recover(): Promise<void> {
    for (const ending of await this.entries<EndingRecord>('end:')) await this.carryOut(ending);
    for (const payment of await this.entries<PaymentRecord>('pay:'))
      if ((await this.paymentOf(payment.settlement, payment.to)) === undefined)
        // A payment that surely failed was forgotten: its payee claims again; any other failure stops recovery.
        await this.pay(payment).catch((error: unknown) => {
          if (!(isAgoraError(error) && NOT_PAID.includes(error.code))) throw error;
        });
      else await this.ledger.localPut(this.store, `pay:${payment.settlement}:${payment.to}`, undefined);
    for (const offer of await this.entries<OfferRecord>('offer:')) {
      if (offer.lock !== undefined) {
        await this.ledger.append(offer.lock);
        await this.forgetOffer(offer, true);
        continue;
      }
      if (offer.offerId === undefined) {
        // Written by an older version before its invoice existed: the invoice may be someone else's. Leave it alone.
        await this.forgetOffer(offer);
        continue;
      }
      const status = await this.lookup(offer.paymentHash);
      if (status === undefined)
        await this.forgetOffer(offer); // the node lost it: nothing is held
      else if (offer.statement === undefined || status.state !== 'ACCEPTED') {
        if (status.paymentRequest === offer.paymentRequest) await this.dropOffer(offer);
        else await this.forgetOffer(offer); // another invoice under this hash: not ours to touch
      } else if ((await this.refusal(offer, status)) === undefined)
        await this.attest(
          offer as OfferRecord & { statement: SignedObject },
          status as InvoiceStatus & { htlcExpiryHeight: number },
        );
    }
    await this.sync();
  }

  private async heldPayment(paymentHash: string): Promise<InvoiceStatus> {
    const subscription = this.backend.subscribeInvoice(paymentHash);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AgoraError(ErrorCode.PaymentFailed, 'the stake payment did not arrive in time')),
        this.acceptTimeoutMs,
      );
    });
    const held = (async () => {
      for await (const status of subscription) {
        if (status.state === 'ACCEPTED') return status;
        if (status.state !== 'OPEN')
          throw new AgoraError(ErrorCode.PaymentFailed, `the stake invoice is ${status.state}`);
      }
      throw new AgoraError(ErrorCode.PaymentFailed, 'the stake invoice ended without a payment');
    })();
    try {
      return await Promise.race([held, timeout]);
    } finally {
      clearTimeout(timer);
      await subscription.return?.();
    }
  }

  /**
   * Why the held payment on `offer`'s invoice cannot be attested, after undoing the offer (a foreign invoice is only
   * forgotten, never touched; a short payment is canceled); undefined when it can.
   */
  private async refusal(offer: OfferRecord, status: InvoiceStatus): Promise<AgoraError | undefined> {
    if (status.paymentRequest !== offer.paymentRequest) {
      // Another invoice under this hash (the node was reset, and someone else created one): not ours to touch.
      await this.forgetOffer(offer);
      return new AgoraError(
        ErrorCode.InvalidState,
        `the invoice for ${offer.paymentHash} is not this offer's`,
      );
    }
    if (status.amountPaidMsat < offer.terms.amountSat * 1000 || status.htlcExpiryHeight === undefined) {
      await this.dropOffer(offer);
      return new AgoraError(ErrorCode.PaymentFailed, 'the held payment is short of the stake');
    }
    return undefined;
  }

  /** Signs and appends the lock of a held payment that {@link refusal} let through. */
  private async attest(
    offer: OfferRecord & { statement: SignedObject },
    status: InvoiceStatus & { htlcExpiryHeight: number },
  ): Promise<LedgerEvent> {
    const lock = createStakeLocked(
      this.key,
      { statement: offer.statement, expiryHeight: status.htlcExpiryHeight },
      { clock: this.clock },
    );
    // The signed lock is kept first: a crash before it is stored appends this same event on recovery.
    await this.put(`offer:${offer.paymentHash}`, { ...offer, lock });
    await this.ledger.append(lock);
    await this.forgetOffer(offer, true);
    return lock;
  }

  private async end(stake: StakeRecord, reason: ReleaseReason): Promise<LedgerEvent> {
    const event = createStakeReleased(this.key, { lock: stake.id, reason }, { clock: this.clock });
    return this.carryOut({ event, paymentHash: stake.statement.paymentHash });
  }

  private async carryOut(record: EndingRecord): Promise<LedgerEvent> {
    const key = `end:${record.paymentHash}`;
    await this.put(key, record);
    if (record.preimage !== undefined) await this.backend.settleHoldInvoice(record.preimage);
    else await this.cancel(record.paymentHash);
    await this.ledger.append(record.event);
    await this.ledger.localPut(this.store, key, undefined);
    await this.ledger.localPut(this.store, `secret:${record.paymentHash}`, undefined);
    return record.event;
  }

  /** The preimage this custodian drew for a custodial stake: what settles its hold invoice. */
  private async preimageOf(stake: StakeRecord): Promise<string> {
    const preimage = await this.store.get(`secret:${stake.statement.paymentHash}`);
    if (preimage === undefined)
      throw new AgoraError(
        ErrorCode.NotFound,
        `the preimage of stake ${stake.id} is not in this custodian's store`,
      );
    return preimage;
  }

  private async activeStake(lockId: string): Promise<StakeRecord> {
    const found = await readStake(this.ledger, lockId);
    const stake = found?.custodian === this.id ? found : undefined;
    if (stake === undefined)
      throw new AgoraError(ErrorCode.NotFound, `no stake ${lockId} with this custodian`);
    if (stake.ending !== undefined)
      throw new AgoraError(ErrorCode.InvalidState, `stake ${lockId} was ${stake.ending.kind} already`);
    return stake;
  }

  private async lookup(paymentHash: string): Promise<InvoiceStatus | undefined> {
    try {
      return await this.backend.lookupInvoice(paymentHash);
    } catch (error) {
      if (isAgoraError(error, ErrorCode.UnknownInvoice)) return undefined;
      throw error;
    }
  }

  /**
   * Undoes an offer that will not be attested: cancels the invoice it created (a held payment goes back), then forgets
   * it. When the cancel fails the record stays, so {@link recover} or {@link expireOffers} tries again.
   */
  private async dropOffer(offer: OfferRecord): Promise<void> {
    await this.cancel(offer.paymentHash);
    await this.forgetOffer(offer);
  }

  /**
   * Cancels one of this custodian's invoices (callers only pass hashes of invoices it created: an offer's, a
   * stake's); canceling again is a no-op. An invoice the node no longer knows (canceled at its deadline, or lost in a
   * node reset) holds nothing. Any other failure is a typed error: the caller keeps its record for another try.
   */
  private async cancel(paymentHash: string): Promise<void> {
    try {
      await this.backend.cancelInvoice(paymentHash);
    } catch (error) {
      if (isAgoraError(error, ErrorCode.UnknownInvoice)) return;
      throw new AgoraError(
        isAgoraError(error) ? error.code : ErrorCode.BackendUnreachable,
        `cannot cancel the stake invoice ${paymentHash}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private async forgetOffer(offer: OfferRecord, keepSecret = false): Promise<void> {
    await this.ledger.localPut(this.store, `offer:${offer.paymentHash}`, undefined);
    if (!keepSecret) await this.ledger.localPut(this.store, `secret:${offer.paymentHash}`, undefined);
  }

  private put(key: string, value: object): Promise<void> {
    return this.ledger.localPut(this.store, key, JSON.stringify(value));
  }

  private async get<T>(key: string): Promise<T | undefined> {
    const text = await this.store.get(key);
    return text === undefined ? undefined : (parseJson(text) as T);
  }

  private async entries<T>(prefix: string): Promise<T[]> {
    const found: T[] = [];
    for await (const value of this.store.values({ gte: prefix, lt: `${prefix}\uffff` }))
      found.push(parseJson(value) as T);
    return found;
  }
}
