import { randomBytes } from 'node:crypto';
import {
  AgoraError,
  type Clock,
  ErrorCode,
  isAgoraError,
  isLowerHex,
  parseJson,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import type { AgentKey, SignedObject } from '../identity/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import { type InvoiceStatus, type LightningBackend, paymentHashOf } from '../lightning/index.js';
import {
  createStakeLocked,
  createStakeReleased,
  createStakeSlashed,
  lockedStatement,
  type ReleaseReason,
} from './stake-events.js';
import { readStake, readStakes, type StakeRecord, stakeState } from './stakes.js';
import { type CustodyMode, isDoubleSigning, MAX_STAKE_SAT, verifyStakeStatement } from './statement.js';

/** What a staker asks a custodian for. */
export interface StakeOfferRequest {
  readonly staker: string;
  readonly amountSat: number;
  readonly mode: CustodyMode;
  /** Unix seconds the stake is to stay locked until. */
  readonly until: number;
  /** Non-custodial stakes only: the hash of the staker's own preimage. */
  readonly paymentHash?: string;
}

/** The hold invoice a custodian issues for a stake. */
export interface StakeOffer {
  readonly custodian: string;
  readonly paymentRequest: string;
  readonly paymentHash: string;
  /** Blocks the held HTLC must stay valid for: the time to `until` plus a safety margin. */
  readonly cltvExpiry: number;
}

/** A custodian as a staker sees it (in process, or behind a network client). */
export interface StakeCustodianApi {
  readonly id: string;
  offer(request: StakeOfferRequest): Promise<StakeOffer>;
  /** Waits until the staker's payment is held, then attests the lock; returns the `stake.locked` event. */
  accept(statement: SignedObject): Promise<LedgerEvent>;
}

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
}

/** An offer not yet attested: kept until the lock is in the ledger, so a restart can finish or undo it. */
interface OfferRecord {
  request: StakeOfferRequest;
  paymentHash: string;
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

const MAX_CLTV = 2016;

/**
 * The custodian side of stakes (DESIGN.md 5): issues hold invoices, attests `stake.locked` once a payment is held,
 * releases (cancel) and slashes (settle, custodial stakes only). Every step is written to the ledger's local store
 * before it is carried out and repeated on {@link open} after a crash; releasing and slashing are idempotent.
 */
export class StakeCustodian implements StakeCustodianApi {
  private readonly key: AgentKey;
  private readonly backend: LightningBackend;
  private readonly ledger: Ledger;
  private readonly clock: Clock;
  private readonly blockSeconds: number;
  private readonly safetyBlocks: number;
  private readonly acceptTimeoutMs: number;
  private readonly store: ReturnType<Ledger['localStore']>;

  private constructor(options: StakeCustodianOptions) {
    this.key = options.key;
    this.backend = options.backend;
    this.ledger = options.ledger;
    this.clock = options.clock ?? systemClock;
    this.blockSeconds = options.blockSeconds ?? 600;
    this.safetyBlocks = options.safetyBlocks ?? 24;
    this.acceptTimeoutMs = options.acceptTimeoutMs ?? 60_000;
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

  /** Issues a hold invoice for a stake. Custodial: the custodian draws the preimage and keeps it to slash with. */
  async offer(request: StakeOfferRequest): Promise<StakeOffer> {
    const { amountSat, mode, until } = request;
    if (!Number.isSafeInteger(amountSat) || amountSat <= 0 || amountSat > MAX_STAKE_SAT)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a stake is a positive whole number of sats');
    if (mode !== 'custodial' && mode !== 'non-custodial')
      throw new AgoraError(ErrorCode.InvalidArgument, 'mode is custodial or non-custodial');
    if (!isLowerHex(request.staker, 32))
      throw new AgoraError(ErrorCode.InvalidArgument, 'the staker is an agent id (32 bytes of hex)');
    if (request.paymentHash !== undefined && !isLowerHex(request.paymentHash, 32))
      throw new AgoraError(ErrorCode.InvalidArgument, 'a payment hash is 32 bytes of lower-case hex');
    if ((mode === 'custodial') !== (request.paymentHash === undefined))
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        'a non-custodial stake brings its own payment hash; a custodial one lets the custodian choose',
      );
    const now = unixSeconds(this.clock);
    if (!Number.isSafeInteger(until) || until <= now)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a stake is locked until a future time');
    const cltvExpiry = Math.ceil((until - now) / this.blockSeconds) + this.safetyBlocks;
    if (cltvExpiry > MAX_CLTV)
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        `a hold invoice cannot outlive ${MAX_CLTV} blocks: stake for less and renew`,
      );
    const preimage = mode === 'custodial' ? toHex(randomBytes(32)) : undefined;
    const paymentHash = preimage === undefined ? (request.paymentHash as string) : paymentHashOf(preimage);
    // Written before the invoice exists, so a crash leaves nothing the custodian does not know about.
    if (preimage !== undefined) await this.ledger.localPut(this.store, `secret:${paymentHash}`, preimage);
    await this.put(`offer:${paymentHash}`, { request, paymentHash, cltvExpiry });
    const invoice = await this.backend.createHoldInvoice({
      paymentHash,
      amountMsat: amountSat * 1000,
      cltvExpiry,
      description: `agora402 stake ${amountSat} sat until ${until}`,
    });
    return { custodian: this.id, paymentRequest: invoice.paymentRequest, paymentHash, cltvExpiry };
  }

  /** Waits for the staker's held payment, checks it against the offer and the statement, and attests the lock. */
  async accept(statement: SignedObject): Promise<LedgerEvent> {
    const verified = verifyStakeStatement(statement);
    const offer = await this.get<OfferRecord>(`offer:${verified.body.paymentHash}`);
    if (offer === undefined)
      throw new AgoraError(ErrorCode.NotFound, `no open stake offer for ${verified.body.paymentHash}`);
    const { request } = offer;
    const body = verified.body;
    if (
      verified.staker !== request.staker ||
      body.custodian !== this.id ||
      body.mode !== request.mode ||
      body.amountSat !== request.amountSat ||
      body.until !== request.until
    )
      throw new AgoraError(ErrorCode.InvalidArgument, 'the statement does not match the offer');
    await this.put(`offer:${offer.paymentHash}`, { ...offer, statement });
    let status: InvoiceStatus;
    try {
      status = await this.heldPayment(offer.paymentHash);
    } catch (error) {
      await this.backend.cancelInvoice(offer.paymentHash).catch(() => {});
      await this.forgetOffer(offer);
      throw error;
    }
    return this.attest({ ...offer, statement }, status);
  }

  /**
   * Releases a stake: cancels its hold invoice, so the sats go back, and records `stake.released`. Before the
   * stake's `until` only a renewal (a newer lock of the same staker, locked longer) may release it.
   */
  async release(lockId: string, options: { renewedBy?: string } = {}): Promise<LedgerEvent> {
    const stake = await this.activeStake(lockId);
    let reason: ReleaseReason = 'released';
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
    const preimage = await this.store.get(`secret:${stake.statement.paymentHash}`);
    if (preimage === undefined)
      throw new AgoraError(
        ErrorCode.NotFound,
        `the preimage of stake ${lockId} is not in this custodian's store`,
      );
    const event = createStakeSlashed(
      this.key,
      { lock: lockId, preimage, conflicting },
      { clock: this.clock },
    );
    return this.carryOut({ event, paymentHash: stake.statement.paymentHash, preimage });
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
   * Finishes what a crash interrupted: endings decided but not stored are carried out again; an offer whose payment is
   * held and whose statement arrived is attested; any other offer is canceled (its staker's call failed with the
   * restart). Then {@link sync}.
   */
  async recover(): Promise<void> {
    for (const ending of await this.entries<EndingRecord>('end:')) await this.carryOut(ending);
    for (const offer of await this.entries<OfferRecord>('offer:')) {
      if (offer.lock !== undefined) {
        await this.ledger.append(offer.lock);
        await this.forgetOffer(offer, true);
        continue;
      }
      const status = await this.lookup(offer.paymentHash);
      if (offer.statement !== undefined && status?.state === 'ACCEPTED') {
        await this.attest(offer as OfferRecord & { statement: SignedObject }, status);
      } else {
        if (status !== undefined && status.state !== 'CANCELED')
          await this.backend.cancelInvoice(offer.paymentHash).catch(() => {});
        await this.forgetOffer(offer);
      }
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

  private async attest(
    offer: OfferRecord & { statement: SignedObject },
    status: InvoiceStatus,
  ): Promise<LedgerEvent> {
    if (status.amountPaidMsat < offer.request.amountSat * 1000 || status.htlcExpiryHeight === undefined) {
      await this.backend.cancelInvoice(offer.paymentHash).catch(() => {});
      await this.forgetOffer(offer);
      throw new AgoraError(ErrorCode.PaymentFailed, 'the held payment is short of the stake');
    }
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
    else
      await this.backend.cancelInvoice(record.paymentHash).catch((error: unknown) => {
        // Already gone (canceled by the node at its deadline, or never known after a node reset): nothing is held.
        if (!isAgoraError(error, ErrorCode.UnknownInvoice)) throw error;
      });
    await this.ledger.append(record.event);
    await this.ledger.localPut(this.store, key, undefined);
    await this.ledger.localPut(this.store, `secret:${record.paymentHash}`, undefined);
    return record.event;
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
