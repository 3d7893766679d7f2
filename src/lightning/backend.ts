import type { AsyncQueue, BitcoinNetwork } from '../core/index.js';

/** Lifecycle of an invoice: OPEN -> (ACCEPTED, hold invoices only) -> SETTLED | CANCELED. */
export type InvoiceState = 'OPEN' | 'ACCEPTED' | 'SETTLED' | 'CANCELED';

/** Facts about the node behind a backend. */
export interface NodeInfo {
  /** 33-byte compressed node key, hex. */
  readonly nodeKey: string;
  readonly alias: string;
  readonly network: BitcoinNetwork;
  readonly blockHeight: number;
}

/** An ordinary invoice: the node picks (or is given) the preimage and settles on payment. */
export interface CreateInvoiceRequest {
  /** Positive whole msat. */
  amountMsat: number;
  description?: string;
  /** Hex SHA-256 of a long description, instead of `description`. */
  descriptionHash?: string;
  /** Seconds until the unpaid invoice expires; default 3600. */
  expirySeconds?: number;
  /** 32-byte hex preimage; default: fresh random bytes. */
  preimage?: string;
}

/**
 * A hold invoice: the caller knows only the payment hash. A payment is held (ACCEPTED, the payer's funds locked
 * in flight) until {@link LightningBackend.settleHoldInvoice} with the preimage or
 * {@link LightningBackend.cancelInvoice}; the backend cancels it itself before the HTLC's CLTV deadline.
 */
export interface CreateHoldInvoiceRequest {
  /** 32-byte hex SHA-256 of a preimage the caller (or someone else) holds. */
  paymentHash: string;
  amountMsat: number;
  /** Minimum final CLTV delta, in blocks: how long the held HTLC can stay locked. */
  cltvExpiry: number;
  /** Seconds until the unpaid invoice expires; default 3600. */
  expirySeconds?: number;
  description?: string;
}

/** An invoice just created: its BOLT 11 string and payment hash. */
export interface CreatedInvoice {
  readonly paymentRequest: string;
  readonly paymentHash: string;
  /** The preimage, for ordinary invoices (hold invoices' creators hold it themselves). */
  readonly preimage?: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** What a backend knows about one of its invoices. */
export interface InvoiceStatus {
  readonly paymentHash: string;
  readonly state: InvoiceState;
  readonly amountMsat: number;
  /** Received so far: held (ACCEPTED) or settled. */
  readonly amountPaidMsat: number;
  readonly paymentRequest: string;
  /** Known for ordinary invoices, and for hold invoices once settled. */
  readonly preimage?: string;
  readonly expiresAt: number;
  /** Unix seconds. */
  readonly settledAt?: number;
  /** For an ACCEPTED invoice: the block height at which its held HTLC expires. */
  readonly htlcExpiryHeight?: number;
}

/**
 * The routing fee limit when a payer names none: 1% of the amount plus 10 sat (small payments need the flat part,
 * base fees dominate them). Defined once, for every backend and the L402 client's budget reservation.
 */
export function defaultMaxFeeMsat(amountMsat: number): number {
  return Math.floor(amountMsat / 100) + 10_000;
}

/** Limits on paying one invoice. */
export interface PayOptions {
  /** Most the payer accepts to pay in routing fees; default {@link defaultMaxFeeMsat}. */
  maxFeeMsat?: number;
  /** Give up finding a route after this long; a locked HTLC cannot be taken back and is waited for. */
  timeoutSeconds?: number;
}

/** A settled payment: its hash, the preimage that proves it and what it cost. */
export interface PaymentResult {
  readonly paymentHash: string;
  /** The proof of payment: `sha256(preimage) == paymentHash`. */
  readonly preimage: string;
  readonly amountMsat: number;
  readonly feeMsat: number;
}

/** A node's funds in its channels. */
export interface ChannelBalance {
  /** What the node can send now, summed over its channels. */
  readonly spendableMsat: number;
  /** What it has offered in HTLCs not yet settled or failed (held payments among them). */
  readonly inFlightMsat: number;
}

/** Invoice updates, current state first; ends after SETTLED or CANCELED. `return()` stops it early. */
export type InvoiceSubscription = AsyncQueue<InvoiceStatus>;

/**
 * One Lightning node, whatever runs it (the in-memory network, LND over REST, an embedded LDK node).
 * Failures are {@link AgoraError}s: `INSUFFICIENT_BALANCE`, `NO_ROUTE`, `INVOICE_EXPIRED`, `ALREADY_SETTLED`,
 * `UNKNOWN_INVOICE`, `PAYMENT_FAILED`, `INVALID_STATE`, `INVALID_INVOICE`, `WRONG_NETWORK`, `INVALID_ARGUMENT`,
 * `BACKEND_UNREACHABLE`.
 */
export interface LightningBackend {
  info(): Promise<NodeInfo>;
  balance(): Promise<ChannelBalance>;
  createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice>;
  createHoldInvoice(request: CreateHoldInvoiceRequest): Promise<CreatedInvoice>;
  /** Settles an ACCEPTED hold invoice; `INVALID_STATE` if nothing is held; settling again succeeds (as in LND). */
  settleHoldInvoice(preimage: string): Promise<void>;
  /** Cancels an OPEN or ACCEPTED invoice (a held payment returns to the payer); idempotent once canceled. */
  cancelInvoice(paymentHash: string): Promise<void>;
  lookupInvoice(paymentHash: string): Promise<InvoiceStatus>;
  subscribeInvoice(paymentHash: string): InvoiceSubscription;
  /**
   * Pays a BOLT 11 invoice; resolves when settled (for a hold invoice, when its holder settles). A payee that
   * refuses the payment (unknown or canceled invoice, wrong amount) cannot be told apart by the payer, as on the
   * real network: `PAYMENT_FAILED`. Paying an invoice this node paid before: `ALREADY_SETTLED`.
   */
  payInvoice(paymentRequest: string, options?: PayOptions): Promise<PaymentResult>;
}
