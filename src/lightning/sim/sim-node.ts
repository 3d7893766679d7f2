import { AgoraError, AsyncQueue, ErrorCode, toHex, unixSeconds } from '../../core/index.js';
import type {
  ChannelBalance,
  CreatedInvoice,
  CreateHoldInvoiceRequest,
  CreateInvoiceRequest,
  InvoiceStatus,
  InvoiceSubscription,
  LightningBackend,
  NodeInfo,
  PaymentResult,
  PayOptions,
} from '../backend.js';
import { defaultMaxFeeMsat } from '../backend.js';
import { decodeInvoice, type Invoice } from '../bolt11.js';
import { checkCltvExpiry, checkHash32, paymentHashOf } from '../hashes.js';
import { InvoiceBook, type InvoiceRecord } from '../invoice-book.js';
import { issueInvoice } from '../issue-invoice.js';
import type { RouteHop } from './routing.js';
import type { SimChannel } from './sim-channel.js';
import type { SimNetwork } from './sim-network.js';

const DEFAULT_FINAL_CLTV = 18;

/** A payment held at its payee: the route's HTLCs stay locked until it is settled or failed. */
interface HeldPayment {
  readonly settle: (preimage: string) => void;
  readonly fail: (error: AgoraError) => void;
}

function fail(code: ErrorCode, message: string): never {
  throw new AgoraError(code, message);
}

/** One node of a {@link SimNetwork}, usable wherever a {@link LightningBackend} is. */
export class SimNode implements LightningBackend {
  readonly network: SimNetwork;
  readonly alias: string;
  readonly nodeKey: string;
  private readonly secretKey: Uint8Array;
  private readonly book: InvoiceBook;
  private readonly held = new Map<string, HeldPayment>();
  private readonly payments = new Map<string, 'in-flight' | 'succeeded'>();
  private isOnline = true;
  private delayMs = 0;

  /** @internal Nodes are made by {@link SimNetwork.createNode}. */
  constructor(network: SimNetwork, alias: string, secretKey: Uint8Array, nodeKey: string) {
    this.network = network;
    this.alias = alias;
    this.secretKey = secretKey;
    this.nodeKey = nodeKey;
    this.book = new InvoiceBook(() => this.now());
  }

  get online(): boolean {
    return this.isOnline;
  }

  /** Fault: an offline node refuses every call and is routed around. */
  setOnline(online: boolean): void {
    this.isOnline = online;
  }

  /** Fault: every payment through or to this node waits this long before it is forwarded. */
  setPaymentDelay(ms: number): void {
    this.delayMs = ms;
  }

  /** Sum of the spendable balances of this node's channels. */
  get spendableMsat(): number {
    return this.network.channelsOfNode(this).reduce((sum, c) => sum + c.spendable(this), 0);
  }

  private assertOnline(): void {
    if (!this.isOnline) fail(ErrorCode.BackendUnreachable, `node ${this.alias} is offline`);
  }

  private now(): number {
    return unixSeconds(this.network.clock);
  }

  async info(): Promise<NodeInfo> {
    this.assertOnline();
    return {
      nodeKey: this.nodeKey,
      alias: this.alias,
      network: this.network.network,
      blockHeight: this.network.blockHeight,
    };
  }

  async balance(): Promise<ChannelBalance> {
    this.assertOnline();
    const channels = this.network.channelsOfNode(this);
    return {
      spendableMsat: this.spendableMsat,
      inFlightMsat: channels.reduce((sum, c) => sum + (c.inFlightMsat[c.side(this)] as number), 0),
    };
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    this.assertOnline();
    const preimage =
      request.preimage === undefined
        ? toHex(this.network.random.bytes(32))
        : checkHash32(request.preimage, 'preimage');
    return this.issue(paymentHashOf(preimage), preimage, request, DEFAULT_FINAL_CLTV);
  }

  async createHoldInvoice(request: CreateHoldInvoiceRequest): Promise<CreatedInvoice> {
    this.assertOnline();
    return this.issue(
      checkHash32(request.paymentHash, 'paymentHash'),
      undefined,
      request,
      checkCltvExpiry(request.cltvExpiry),
    );
  }

  private issue(
    paymentHash: string,
    preimage: string | undefined,
    request: { amountMsat: number; description?: string; descriptionHash?: string; expirySeconds?: number },
    finalCltv: number,
  ): CreatedInvoice {
    return issueInvoice(this.book, {
      ...request,
      network: this.network.network,
      nodeSecretKey: this.secretKey,
      timestamp: this.now(),
      paymentHash,
      paymentSecret: toHex(this.network.random.bytes(32)),
      preimage,
      finalCltv,
      // Its payers are nodes of this network, in this process: they decode it without recovering its payee.
      remember: true,
    });
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceStatus> {
    this.assertOnline();
    return this.book.status(this.book.get(paymentHash));
  }

  subscribeInvoice(paymentHash: string): InvoiceSubscription {
    if (!this.isOnline) {
      const queue = new AsyncQueue<InvoiceStatus>();
      queue.fail(new AgoraError(ErrorCode.BackendUnreachable, `node ${this.alias} is offline`));
      return queue;
    }
    return this.book.subscribe(paymentHash);
  }

  async settleHoldInvoice(preimage: string): Promise<void> {
    this.assertOnline();
    const record = this.book.get(paymentHashOf(preimage));
    if (!record.hold) fail(ErrorCode.InvalidState, 'only hold invoices are settled by hand');
    if (record.state === 'SETTLED') return;
    const held = this.held.get(record.paymentHash);
    if (record.state !== 'ACCEPTED' || held === undefined) {
      fail(
        ErrorCode.InvalidState,
        `invoice ${record.paymentHash} is ${record.state}: there is no held payment to settle`,
      );
    }
    this.release(record.paymentHash);
    record.preimage = preimage;
    held.settle(preimage);
    this.book.transition(record, 'SETTLED');
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    this.assertOnline();
    const record = this.book.get(paymentHash);
    if (record.state === 'SETTLED')
      fail(ErrorCode.InvalidState, `invoice ${paymentHash} is settled and cannot be canceled`);
    if (record.state === 'CANCELED') return;
    this.cancel(record, 'canceled by the payee');
  }

  private cancel(record: InvoiceRecord, reason: string): void {
    const held = this.held.get(record.paymentHash);
    if (held !== undefined) {
      this.release(record.paymentHash);
      held.fail(new AgoraError(ErrorCode.PaymentFailed, `payment ${record.paymentHash} failed: ${reason}`));
    }
    this.book.transition(record, 'CANCELED');
  }

  /** Stops holding a payment: the network no longer watches its deadline. */
  private release(paymentHash: string): void {
    this.held.delete(paymentHash);
    for (const entry of this.network.held) {
      if (entry.node === this && entry.paymentHash === paymentHash) this.network.held.delete(entry);
    }
  }

  /** @internal The network calls this when a held HTLC reaches its cancel deadline. */
  expireHold(paymentHash: string): void {
    const record = this.book.find(paymentHash);
    if (record?.state === 'ACCEPTED') this.cancel(record, 'the held HTLC reached its CLTV deadline');
  }

  /** @internal */
  expireOpenInvoices(): void {
    this.book.expireOpen();
  }

  async payInvoice(paymentRequest: string, options: PayOptions = {}): Promise<PaymentResult> {
    this.assertOnline();
    const invoice = decodeInvoice(paymentRequest, { network: this.network.network });
    const amountMsat = invoice.amountMsat;
    if (amountMsat === undefined) fail(ErrorCode.InvalidArgument, 'invoices without an amount are not paid');
    if (this.now() >= invoice.expiresAt)
      fail(ErrorCode.InvoiceExpired, `invoice ${invoice.paymentHash} has expired`);
    const previous = this.payments.get(invoice.paymentHash);
    if (previous === 'succeeded')
      fail(ErrorCode.AlreadySettled, `invoice ${invoice.paymentHash} is paid already`);
    if (previous === 'in-flight')
      fail(ErrorCode.InvalidState, `a payment of ${invoice.paymentHash} is in flight`);
    const payee = this.network.nodeByKey(invoice.payee);
    if (payee === undefined) fail(ErrorCode.NoRoute, `payee ${invoice.payee} is not on this network`);
    if (payee === this) fail(ErrorCode.InvalidArgument, 'a node does not pay its own invoice');
    const maxFeeMsat = options.maxFeeMsat ?? defaultMaxFeeMsat(amountMsat);
    const route = this.network.route(this, payee, amountMsat);
    if (route === undefined) {
      if (this.spendableMsat < amountMsat) {
        fail(
          ErrorCode.InsufficientBalance,
          `${this.alias} can spend ${this.spendableMsat} msat, not ${amountMsat}`,
        );
      }
      fail(ErrorCode.NoRoute, `no route from ${this.alias} to ${payee.alias} for ${amountMsat} msat`);
    }
    if (route.feeMsat > maxFeeMsat) {
      fail(
        ErrorCode.NoRoute,
        `the cheapest route costs ${route.feeMsat} msat in fees, more than ${maxFeeMsat}`,
      );
    }
    this.payments.set(invoice.paymentHash, 'in-flight');
    for (const hop of route.hops)
      hop.channel.lock(this.network.nodeByKey(hop.from) as SimNode, hop.amountMsat);
    try {
      const delay = route.hops.reduce(
        (sum, hop) => sum + (this.network.nodeByKey(hop.to) as SimNode).delayMs,
        this.delayMs,
      );
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const expiryHeight = this.network.blockHeight + route.cltvDelta + invoice.minFinalCltvExpiry;
      const preimage = await payee.receive(invoice, route.hops, expiryHeight);
      this.payments.set(invoice.paymentHash, 'succeeded');
      return { paymentHash: invoice.paymentHash, preimage, amountMsat, feeMsat: route.feeMsat };
    } catch (error) {
      this.payments.delete(invoice.paymentHash);
      throw error;
    }
  }

  /**
   * @internal The last hop of a payment arrives. Ordinary invoices settle at once; hold invoices keep the HTLCs
   * locked and resolve when settled, canceled or expired. Failing returns the locked amounts hop by hop.
   */
  receive(invoice: Invoice, hops: readonly RouteHop<SimChannel>[], expiryHeight: number): Promise<string> {
    const nodeOf = (key: string) => this.network.nodeByKey(key) as SimNode;
    const settleRoute = () => {
      for (const hop of hops) hop.channel.settle(nodeOf(hop.from), hop.amountMsat);
    };
    const failRoute = () => {
      for (const hop of hops) hop.channel.fail(nodeOf(hop.from), hop.amountMsat);
    };
    // The payer only learns that the payee refused (incorrect_or_unknown_payment_details), not why.
    const refuse = (why: string): Promise<string> => {
      failRoute();
      return Promise.reject(
        new AgoraError(
          ErrorCode.PaymentFailed,
          `payment ${invoice.paymentHash} refused by the payee: ${why}`,
          {
            details: { reason: 'incorrect_or_unknown_payment_details' },
          },
        ),
      );
    };
    const record = this.book.find(invoice.paymentHash);
    if (record === undefined || record.paymentSecret !== invoice.paymentSecret) {
      return refuse('unknown payment hash or secret');
    }
    const received = hops[hops.length - 1]?.amountMsat ?? 0;
    if (record.state !== 'OPEN') return refuse(`the invoice is ${record.state}`);
    if (received < record.amountMsat || received > 2 * record.amountMsat)
      return refuse(`incorrect amount ${received} msat`);
    if (expiryHeight - this.network.blockHeight < record.finalCltv)
      return refuse('final CLTV expiry too soon');
    record.amountPaidMsat = received;
    if (!record.hold) {
      settleRoute();
      this.book.transition(record, 'SETTLED');
      return Promise.resolve(record.preimage as string);
    }
    return new Promise<string>((resolve, reject) => {
      this.held.set(record.paymentHash, {
        settle: (preimage) => {
          settleRoute();
          resolve(preimage);
        },
        fail: (error) => {
          failRoute();
          reject(error);
        },
      });
      record.htlcExpiryHeight = expiryHeight;
      this.network.held.add({
        node: this,
        paymentHash: record.paymentHash,
        deadline: expiryHeight - this.network.holdCancelMarginBlocks,
      });
      this.book.transition(record, 'ACCEPTED');
    });
  }
}
