import {
  AgoraError,
  AsyncQueue,
  type BitcoinNetwork,
  type Clock,
  ErrorCode,
  isAgoraError,
  isLowerHex,
  type JsonObject,
  systemClock,
  unixSeconds,
} from '../../core/index.js';
import type {
  ChannelBalance,
  CreatedInvoice,
  CreateHoldInvoiceRequest,
  CreateInvoiceRequest,
  InvoiceState,
  InvoiceStatus,
  InvoiceSubscription,
  LightningBackend,
  NodeInfo,
  PaymentResult,
  PayOptions,
} from '../backend.js';
import { decodeInvoice, type Invoice } from '../bolt11.js';
import { checkHash32, holdInvoiceTerms, invoiceTerms, paymentHashOf } from '../hashes.js';
import { invoiceStatusOf, networkFromNip47, parseTransaction } from './nip47.js';
import { NwcClient, type NwcClientOptions } from './nwc-client.js';
import type { NwcConnection } from './nwc-uri.js';

/** How an {@link NwcBackend} talks to its wallet: timeouts, polling, clock (and the client's relay options). */
export interface NwcBackendOptions extends NwcClientOptions {
  /** Time for invoice expiry checks (default: the system clock). */
  clock?: Clock;
  /** How often a subscription asks the wallet for an invoice's state between notifications (default 1 s). */
  pollIntervalMs?: number;
}

const RANK: Record<InvoiceState, number> = { OPEN: 0, ACCEPTED: 1, SETTLED: 2, CANCELED: 2 };

function walletLied(what: string): never {
  throw new AgoraError(ErrorCode.InvalidInvoice, `the NWC wallet returned ${what}`);
}

/**
 * A {@link LightningBackend} over Nostr Wallet Connect (NIP-47): the agent's sats stay in the wallet it already uses
 * (Alby Hub, a wallet service in front of LND or LDK...), reached through a `nostr+walletconnect://` URI.
 *
 * What the wallet says is checked where it can be: invoices decode, carry the requested hash and amount, and a
 * preimage (paid or returned) hashes to the payment hash. Limits of NIP-47: `pay_invoice` takes no fee limit (the
 * wallet's own policy applies), `get_balance` is one figure (`inFlightMsat` counts this backend's payments awaiting
 * their result), and a hold invoice's cancellation is seen by polling `lookup_invoice` (no notification says it).
 */
export class NwcBackend implements LightningBackend {
  readonly client: NwcClient;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private network: BitcoinNetwork | undefined;
  /** Payment hashes this backend paid, and the amounts of its payments awaiting their result. */
  private readonly paid = new Set<string>();
  private readonly inFlight = new Map<string, number>();

  constructor(connection: NwcConnection | string, options: NwcBackendOptions = {}) {
    this.client = new NwcClient(connection, options);
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
  }

  /** `get_info`; `METHOD_UNSUPPORTED` if the wallet does not reveal its node key (custodial wallets often hide it). */
  async info(): Promise<NodeInfo> {
    const result = await this.client.request('get_info', {});
    const network = networkFromNip47(result.network);
    this.network = network;
    const nodeKey = typeof result.pubkey === 'string' ? result.pubkey.toLowerCase() : '';
    if (!isLowerHex(nodeKey, 33)) {
      throw new AgoraError(
        ErrorCode.MethodUnsupported,
        'the NWC wallet does not reveal its node key (get_info has no pubkey)',
      );
    }
    const blockHeight = result.block_height;
    return {
      nodeKey,
      alias: typeof result.alias === 'string' ? result.alias : '',
      network,
      blockHeight: typeof blockHeight === 'number' && Number.isSafeInteger(blockHeight) ? blockHeight : 0,
    };
  }

  /**
   * The wallet's network, for invoice checks; undefined when the wallet does not say (no `get_info`, or no network
   * in it): its own node then refuses invoices of another network.
   */
  private async walletNetwork(): Promise<BitcoinNetwork | undefined> {
    if (this.network !== undefined) return this.network;
    if (!(await this.client.capabilities()).methods.has('get_info')) return undefined;
    const result = await this.client.request('get_info', {});
    if (result.network === undefined || result.network === null || result.network === '') return undefined;
    this.network = networkFromNip47(result.network);
    return this.network;
  }

  async balance(): Promise<ChannelBalance> {
    const { balance } = await this.client.request('get_balance', {});
    if (typeof balance !== 'number' || !Number.isSafeInteger(balance) || balance < 0)
      walletLied('a malformed balance');
    let inFlightMsat = 0;
    for (const amount of this.inFlight.values()) inFlightMsat += amount;
    return { spendableMsat: balance, inFlightMsat };
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const { amountMsat, expirySeconds } = invoiceTerms(request);
    if (request.preimage !== undefined) {
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        'an NWC wallet picks its own preimages (make_invoice takes none): use a hold invoice for a given hash',
      );
    }
    const result = await this.client.request('make_invoice', {
      amount: amountMsat,
      ...(request.description === undefined ? {} : { description: request.description }),
      ...(request.descriptionHash === undefined ? {} : { description_hash: request.descriptionHash }),
      expiry: expirySeconds,
    });
    return this.created(result, amountMsat, undefined);
  }

  async createHoldInvoice(request: CreateHoldInvoiceRequest): Promise<CreatedInvoice> {
    const { paymentHash, amountMsat, cltvExpiry, expirySeconds } = holdInvoiceTerms(request);
    const result = await this.client.request('make_hold_invoice', {
      amount: amountMsat,
      payment_hash: paymentHash,
      min_cltv_expiry_delta: cltvExpiry,
      expiry: expirySeconds,
      ...(request.description === undefined ? {} : { description: request.description }),
    });
    return this.created(result, amountMsat, paymentHash);
  }

  /** Checks the invoice the wallet made against the request: hash, amount, network, preimage. */
  private async created(
    result: JsonObject,
    amountMsat: number,
    paymentHash: string | undefined,
  ): Promise<CreatedInvoice> {
    const transaction = parseTransaction(result);
    if (transaction.invoice === undefined) walletLied('no invoice');
    const network = await this.walletNetwork();
    const invoice = decodeInvoice(transaction.invoice, network === undefined ? {} : { network });
    if (invoice.paymentHash !== transaction.payment_hash) walletLied('an invoice for another payment hash');
    if (paymentHash !== undefined && invoice.paymentHash !== paymentHash)
      walletLied('a hold invoice for another payment hash than the one asked for');
    if (invoice.amountMsat !== amountMsat) walletLied('an invoice for another amount');
    const preimage = paymentHash === undefined ? transaction.preimage : undefined;
    if (
      preimage !== undefined &&
      (!isLowerHex(preimage, 32) || paymentHashOf(preimage) !== invoice.paymentHash)
    )
      walletLied("a preimage that does not match the invoice's payment hash");
    return {
      paymentRequest: invoice.paymentRequest,
      paymentHash: invoice.paymentHash,
      ...(preimage === undefined ? {} : { preimage }),
      expiresAt: invoice.expiresAt,
    };
  }

  async settleHoldInvoice(preimage: string): Promise<void> {
    await this.client.request('settle_hold_invoice', { preimage: checkHash32(preimage, 'preimage') });
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    await this.client.request('cancel_hold_invoice', {
      payment_hash: checkHash32(paymentHash, 'paymentHash'),
    });
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceStatus> {
    checkHash32(paymentHash, 'paymentHash');
    const transaction = parseTransaction(
      await this.client.request('lookup_invoice', { payment_hash: paymentHash }),
    );
    if (transaction.payment_hash !== paymentHash) walletLied('another invoice than the one looked up');
    const status = invoiceStatusOf(transaction);
    if (status.preimage !== undefined && paymentHashOf(status.preimage) !== paymentHash)
      walletLied("a preimage that does not match the invoice's payment hash");
    return status;
  }

  /**
   * The invoice's state now, then each change until SETTLED or CANCELED: the wallet's notifications (when it sends
   * them) bring changes at once, a `lookup_invoice` every `pollIntervalMs` catches the rest (cancellations,
   * expiries, wallets without notifications). States only move forward.
   */
  subscribeInvoice(paymentHash: string): InvoiceSubscription {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: (() => void) | undefined;
    let stopped = false;
    const queue = new AsyncQueue<InvoiceStatus>(() => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
    });
    let last: InvoiceState | undefined;
    const offer = (status: InvoiceStatus) => {
      if (stopped || (last !== undefined && RANK[status.state] <= RANK[last])) return;
      last = status.state;
      queue.push(status);
      if (RANK[status.state] === 2) queue.end();
    };
    const poll = async () => {
      if (stopped) return;
      try {
        offer(await this.lookupInvoice(paymentHash));
      } catch (error) {
        // A slow reply is retried on the next round; anything else ends the subscription.
        if (!isAgoraError(error, ErrorCode.BackendUnreachable)) {
          queue.fail(error);
          return;
        }
      }
      if (!stopped) timer = setTimeout(poll, this.pollIntervalMs);
    };
    void (async () => {
      try {
        unsubscribe = await this.client.onNotification(({ transaction }) => {
          if (transaction.payment_hash !== paymentHash || transaction.type !== 'incoming') return;
          const status = invoiceStatusOf(transaction);
          if (status.state === 'SETTLED' && status.preimage !== undefined) {
            if (paymentHashOf(status.preimage) !== paymentHash) return;
          }
          offer(status);
        });
        if (stopped) unsubscribe();
      } catch (error) {
        queue.fail(error);
        return;
      }
      await poll();
    })();
    return queue;
  }

  /**
   * Pays through the wallet. The invoice is checked here first (decodes, this wallet's network, an amount, not
   * expired, not paid by this backend before), and the preimage the wallet returns must hash to the payment hash.
   * Waits as long as the payment takes (a held one may take hours) unless `timeoutSeconds` bounds the wait: then
   * `BACKEND_UNREACHABLE` says no answer came, the payment itself may still complete.
   */
  async payInvoice(paymentRequest: string, options: PayOptions = {}): Promise<PaymentResult> {
    const network = await this.walletNetwork();
    const invoice: Invoice = decodeInvoice(paymentRequest, network === undefined ? {} : { network });
    const amountMsat = invoice.amountMsat;
    if (amountMsat === undefined)
      throw new AgoraError(ErrorCode.InvalidArgument, 'invoices without an amount are not paid');
    if (unixSeconds(this.clock) >= invoice.expiresAt)
      throw new AgoraError(ErrorCode.InvoiceExpired, `invoice ${invoice.paymentHash} has expired`);
    if (this.paid.has(invoice.paymentHash))
      throw new AgoraError(ErrorCode.AlreadySettled, `invoice ${invoice.paymentHash} is paid already`);
    if (this.inFlight.has(invoice.paymentHash))
      throw new AgoraError(ErrorCode.InvalidState, `a payment of ${invoice.paymentHash} is in flight`);
    this.inFlight.set(invoice.paymentHash, amountMsat);
    try {
      const result = await this.client.request(
        'pay_invoice',
        { invoice: paymentRequest },
        { timeoutMs: options.timeoutSeconds === undefined ? null : options.timeoutSeconds * 1000 },
      );
      const preimage = typeof result.preimage === 'string' ? result.preimage.toLowerCase() : '';
      if (!isLowerHex(preimage, 32) || paymentHashOf(preimage) !== invoice.paymentHash) {
        throw new AgoraError(
          ErrorCode.PaymentFailed,
          `the NWC wallet reported payment ${invoice.paymentHash} with a preimage that does not match it`,
          { details: { reason: 'preimage-mismatch' } },
        );
      }
      const fees = result.fees_paid;
      const feeMsat = typeof fees === 'number' && Number.isSafeInteger(fees) && fees >= 0 ? fees : 0;
      this.paid.add(invoice.paymentHash);
      return { paymentHash: invoice.paymentHash, preimage, amountMsat, feeMsat };
    } finally {
      this.inFlight.delete(invoice.paymentHash);
    }
  }

  /** Closes the relay connections; requests still waiting fail with `BACKEND_UNREACHABLE`. */
  close(): void {
    this.client.close();
  }
}
