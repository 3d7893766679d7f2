import { AgoraError, AsyncQueue, ErrorCode } from '../core/index.js';
import type { InvoiceState, InvoiceStatus, InvoiceSubscription } from './backend.js';
import { checkHash32 } from './hashes.js';

/** What a node remembers about one invoice it issued. */
export interface InvoiceRecord {
  readonly paymentHash: string;
  readonly paymentSecret: string;
  readonly paymentRequest: string;
  readonly amountMsat: number;
  readonly expiresAt: number;
  /** Hold invoices are settled by hand; their preimage is unknown until then. */
  readonly hold: boolean;
  /** Minimum final CLTV delta the invoice asked for. */
  readonly finalCltv: number;
  preimage: string | undefined;
  state: InvoiceState;
  amountPaidMsat: number;
  settledAt?: number;
  /** For an ACCEPTED invoice: the block height at which its held HTLC expires. */
  htlcExpiryHeight?: number;
}

const FINAL: ReadonlySet<InvoiceState> = new Set(['SETTLED', 'CANCELED']);

/**
 * The invoices of one node and their lifecycle (OPEN -> ACCEPTED -> SETTLED | CANCELED), with lazy expiry of
 * unpaid invoices and per-invoice subscriptions. Backends that keep invoice state themselves share it.
 */
export class InvoiceBook {
  private readonly records = new Map<string, InvoiceRecord>();
  private readonly subscribers = new Map<string, Set<AsyncQueue<InvoiceStatus>>>();

  /** `now` gives unix seconds. */
  constructor(private readonly now: () => number) {}

  /** Adds an OPEN invoice; `ALREADY_EXISTS` if one has this payment hash. */
  add(record: Omit<InvoiceRecord, 'state' | 'amountPaidMsat'>): InvoiceRecord {
    if (this.records.has(record.paymentHash)) {
      throw new AgoraError(ErrorCode.AlreadyExists, `an invoice for ${record.paymentHash} exists already`);
    }
    const full: InvoiceRecord = { ...record, state: 'OPEN', amountPaidMsat: 0 };
    this.records.set(record.paymentHash, full);
    return full;
  }

  /** The record, brought up to date with the clock; undefined if unknown. */
  find(paymentHash: string): InvoiceRecord | undefined {
    const record = this.records.get(paymentHash);
    if (record !== undefined) this.refresh(record);
    return record;
  }

  /** The record, brought up to date; `UNKNOWN_INVOICE` if unknown, `INVALID_ARGUMENT` if not a hash. */
  get(paymentHash: string): InvoiceRecord {
    const record = this.find(checkHash32(paymentHash, 'paymentHash'));
    if (record === undefined)
      throw new AgoraError(ErrorCode.UnknownInvoice, `no invoice for payment hash ${paymentHash}`);
    return record;
  }

  /** Cancels an unpaid invoice whose expiry has passed. */
  private refresh(record: InvoiceRecord): void {
    if (record.state === 'OPEN' && this.now() >= record.expiresAt) this.transition(record, 'CANCELED');
  }

  /** Expires every unpaid invoice past its expiry. */
  expireOpen(): void {
    for (const record of this.records.values()) this.refresh(record);
  }

  status(record: InvoiceRecord): InvoiceStatus {
    const status: { -readonly [K in keyof InvoiceStatus]: InvoiceStatus[K] } = {
      paymentHash: record.paymentHash,
      state: record.state,
      amountMsat: record.amountMsat,
      amountPaidMsat: record.amountPaidMsat,
      paymentRequest: record.paymentRequest,
      expiresAt: record.expiresAt,
    };
    if (record.preimage !== undefined && (!record.hold || record.state === 'SETTLED'))
      status.preimage = record.preimage;
    if (record.settledAt !== undefined) status.settledAt = record.settledAt;
    if (record.state === 'ACCEPTED' && record.htlcExpiryHeight !== undefined)
      status.htlcExpiryHeight = record.htlcExpiryHeight;
    return status;
  }

  /** Moves the invoice to `state` and tells its subscribers; final states end their subscriptions. */
  transition(record: InvoiceRecord, state: InvoiceState): void {
    record.state = state;
    if (state === 'SETTLED') record.settledAt = this.now();
    if (state === 'CANCELED') record.amountPaidMsat = 0;
    const queues = this.subscribers.get(record.paymentHash);
    if (queues === undefined) return;
    const status = this.status(record);
    for (const queue of queues) {
      queue.push(status);
      if (FINAL.has(state)) queue.end();
    }
  }

  /** Updates of one invoice, current state first. An unknown hash fails the subscription. */
  subscribe(paymentHash: string): InvoiceSubscription {
    const queue = new AsyncQueue<InvoiceStatus>(() => this.subscribers.get(paymentHash)?.delete(queue));
    try {
      const record = this.get(paymentHash);
      queue.push(this.status(record));
      if (FINAL.has(record.state)) {
        queue.end();
      } else {
        const set = this.subscribers.get(paymentHash) ?? new Set();
        this.subscribers.set(paymentHash, set);
        set.add(queue);
      }
    } catch (error) {
      queue.fail(error);
    }
    return queue;
  }
}
