import { AgoraError, AsyncQueue, ErrorCode, toHex, unixSeconds } from '../../core/index.js';
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
import { decodeInvoice, encodeInvoice, type Invoice, type InvoiceField } from '../bolt11.js';
import { checkAmountMsat, checkHash32, paymentHashOf } from '../hashes.js';
import type { RouteHop } from './routing.js';
import type { SimChannel } from './sim-channel.js';
import type { SimNetwork } from './sim-network.js';

const DEFAULT_EXPIRY_SECONDS = 3600;
const DEFAULT_FINAL_CLTV = 18;

/** A payment held at its payee: the route's HTLCs stay locked until it is settled or failed. */
interface HeldPayment {
  readonly hops: readonly RouteHop<SimChannel>[];
  readonly expiryHeight: number;
  readonly settle: (preimage: string) => void;
  readonly fail: (error: AgoraError) => void;
}

interface InvoiceRecord {
  readonly paymentHash: string;
  readonly paymentSecret: string;
  readonly paymentRequest: string;
  readonly amountMsat: number;
  readonly expiresAt: number;
  readonly hold: boolean;
  readonly finalCltv: number;
  preimage: string | undefined;
  state: InvoiceState;
  amountPaidMsat: number;
  settledAt?: number;
  held?: HeldPayment;
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
  private readonly invoices = new Map<string, InvoiceRecord>();
  private readonly payments = new Map<string, 'in-flight' | 'succeeded'>();
  private readonly subscribers = new Map<string, Set<AsyncQueue<InvoiceStatus>>>();
  private isOnline = true;
  private delayMs = 0;

  /** @internal Nodes are made by {@link SimNetwork.createNode}. */
  constructor(network: SimNetwork, alias: string, secretKey: Uint8Array, nodeKey: string) {
    this.network = network;
    this.alias = alias;
    this.secretKey = secretKey;
    this.nodeKey = nodeKey;
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
    return this.addInvoice(paymentHashOf(preimage), preimage, request, DEFAULT_FINAL_CLTV);
  }

  async createHoldInvoice(request: CreateHoldInvoiceRequest): Promise<CreatedInvoice> {
    this.assertOnline();
    const cltv = request.cltvExpiry;
    if (!Number.isSafeInteger(cltv) || cltv < 1 || cltv > 2016) {
      fail(ErrorCode.InvalidArgument, 'cltvExpiry is a whole number of blocks between 1 and 2016');
    }
    return this.addInvoice(checkHash32(request.paymentHash, 'paymentHash'), undefined, request, cltv);
  }

  private addInvoice(
    paymentHash: string,
    preimage: string | undefined,
    request: { amountMsat: number; description?: string; descriptionHash?: string; expirySeconds?: number },
    finalCltv: number,
  ): CreatedInvoice {
    const amountMsat = checkAmountMsat(request.amountMsat);
    const expirySeconds = request.expirySeconds ?? DEFAULT_EXPIRY_SECONDS;
    if (!Number.isSafeInteger(expirySeconds) || expirySeconds <= 0) {
      fail(ErrorCode.InvalidArgument, 'expirySeconds is a positive whole number');
    }
    if (this.invoices.has(paymentHash))
      fail(ErrorCode.AlreadyExists, `an invoice for ${paymentHash} exists already`);
    const paymentSecret = toHex(this.network.random.bytes(32));
    const timestamp = this.now();
    const fields: InvoiceField[] = [
      { tag: 'p', paymentHash },
      { tag: 's', paymentSecret },
      request.descriptionHash === undefined
        ? { tag: 'd', description: request.description ?? '' }
        : { tag: 'h', descriptionHash: checkHash32(request.descriptionHash, 'descriptionHash') },
      { tag: 'x', expirySeconds },
      { tag: 'c', minFinalCltvExpiry: finalCltv },
      { tag: '9', features: [8, 14, 17] },
    ];
    const paymentRequest = encodeInvoice(
      { network: this.network.network, amountMsat, timestamp, fields },
      this.secretKey,
    );
    const record: InvoiceRecord = {
      paymentHash,
      paymentSecret,
      paymentRequest,
      amountMsat,
      expiresAt: timestamp + expirySeconds,
      hold: preimage === undefined,
      finalCltv,
      preimage,
      state: 'OPEN',
      amountPaidMsat: 0,
    };
    this.invoices.set(paymentHash, record);
    const created: CreatedInvoice = { paymentRequest, paymentHash, expiresAt: record.expiresAt };
    return preimage === undefined ? created : { ...created, preimage };
  }

  private status(record: InvoiceRecord): InvoiceStatus {
    const status: {
      -readonly [K in keyof InvoiceStatus]: InvoiceStatus[K];
    } = {
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
    if (record.held !== undefined) status.htlcExpiryHeight = record.held.expiryHeight;
    return status;
  }

  private record(paymentHash: string): InvoiceRecord {
    const record = this.invoices.get(checkHash32(paymentHash, 'paymentHash'));
    if (record === undefined) fail(ErrorCode.UnknownInvoice, `no invoice for payment hash ${paymentHash}`);
    this.refresh(record);
    return record;
  }

  /** Cancels an unpaid invoice whose expiry has passed. */
  private refresh(record: InvoiceRecord): void {
    if (record.state === 'OPEN' && this.now() >= record.expiresAt) this.transition(record, 'CANCELED');
  }

  private transition(record: InvoiceRecord, state: InvoiceState): void {
    record.state = state;
    const queues = this.subscribers.get(record.paymentHash);
    if (queues === undefined) return;
    const status = this.status(record);
    for (const queue of queues) {
      queue.push(status);
      if (state === 'SETTLED' || state === 'CANCELED') queue.end();
    }
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceStatus> {
    this.assertOnline();
    return this.status(this.record(paymentHash));
  }

  subscribeInvoice(paymentHash: string): InvoiceSubscription {
    const queue = new AsyncQueue<InvoiceStatus>(() => this.subscribers.get(paymentHash)?.delete(queue));
    try {
      this.assertOnline();
      const record = this.record(paymentHash);
      queue.push(this.status(record));
      if (record.state === 'SETTLED' || record.state === 'CANCELED') {
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

  async settleHoldInvoice(preimage: string): Promise<void> {
    this.assertOnline();
    const record = this.record(paymentHashOf(preimage));
    if (!record.hold) fail(ErrorCode.InvalidState, 'only hold invoices are settled by hand');
    if (record.state === 'SETTLED') return;
    if (record.state !== 'ACCEPTED' || record.held === undefined) {
      fail(
        ErrorCode.InvalidState,
        `invoice ${record.paymentHash} is ${record.state}: there is no held payment to settle`,
      );
    }
    const held = record.held;
    this.forgetHeld(record);
    record.preimage = preimage;
    record.settledAt = this.now();
    held.settle(preimage);
    this.transition(record, 'SETTLED');
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    this.assertOnline();
    const record = this.record(paymentHash);
    if (record.state === 'SETTLED')
      fail(ErrorCode.InvalidState, `invoice ${paymentHash} is settled and cannot be canceled`);
    if (record.state === 'CANCELED') return;
    this.cancel(record, 'canceled by the payee');
  }

  private cancel(record: InvoiceRecord, reason: string): void {
    const held = record.held;
    if (held !== undefined) {
      this.forgetHeld(record);
      held.fail(new AgoraError(ErrorCode.PaymentFailed, `payment ${record.paymentHash} failed: ${reason}`));
    }
    this.transition(record, 'CANCELED');
  }

  private forgetHeld(record: InvoiceRecord): void {
    for (const entry of this.network.held) {
      if (entry.node === this && entry.paymentHash === record.paymentHash) this.network.held.delete(entry);
    }
  }

  /** @internal The network calls this when a held HTLC reaches its cancel deadline. */
  expireHold(paymentHash: string): void {
    const record = this.invoices.get(paymentHash);
    if (record?.state === 'ACCEPTED') this.cancel(record, 'the held HTLC reached its CLTV deadline');
  }

  /** @internal */
  expireOpenInvoices(): void {
    for (const record of this.invoices.values()) this.refresh(record);
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
    const maxFeeMsat = options.maxFeeMsat ?? Math.floor(amountMsat / 100) + 10_000;
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
    const record = this.invoices.get(invoice.paymentHash);
    if (record === undefined || record.paymentSecret !== invoice.paymentSecret) {
      return refuse('unknown payment hash or secret');
    }
    this.refresh(record);
    const received = hops[hops.length - 1]?.amountMsat ?? 0;
    if (record.state !== 'OPEN') return refuse(`the invoice is ${record.state}`);
    if (received < record.amountMsat || received > 2 * record.amountMsat)
      return refuse(`incorrect amount ${received} msat`);
    if (expiryHeight - this.network.blockHeight < record.finalCltv)
      return refuse('final CLTV expiry too soon');
    record.amountPaidMsat = received;
    if (!record.hold) {
      settleRoute();
      record.settledAt = this.now();
      this.transition(record, 'SETTLED');
      return Promise.resolve(record.preimage as string);
    }
    return new Promise<string>((resolve, reject) => {
      record.held = {
        hops,
        expiryHeight,
        settle: (preimage) => {
          record.held = undefined;
          settleRoute();
          resolve(preimage);
        },
        fail: (error) => {
          record.held = undefined;
          record.amountPaidMsat = 0;
          failRoute();
          reject(error);
        },
      };
      this.network.held.add({
        node: this,
        paymentHash: record.paymentHash,
        deadline: expiryHeight - this.network.holdCancelMarginBlocks,
      });
      this.transition(record, 'ACCEPTED');
    });
  }
}
