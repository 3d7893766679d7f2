import type * as Ldk from 'lightningdevkit';
import * as secp256k1 from 'tiny-secp256k1';
import { AgoraError, ErrorCode, fromHex, toHex, unixSeconds } from '../../core/index.js';
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
import { decodeInvoice, formatShortChannelId, type RouteHintHop } from '../bolt11.js';
import { checkCltvExpiry, checkHash32, invoiceTerms, paymentHashOf } from '../hashes.js';
import { InvoiceBook } from '../invoice-book.js';
import { issueInvoice } from '../issue-invoice.js';
import type { LdkNetwork } from './ldk-network.js';
import type { LocalBlock } from './local-chain.js';

/** LDK refuses final CLTV deltas below MIN_FINAL_CLTV_EXPIRY_DELTA (24 blocks in LDK 0.1). */
const ORDINARY_FINAL_CLTV = 24;

interface PendingPayment {
  readonly amountMsat: number;
  readonly resolve: (result: PaymentResult) => void;
  readonly reject: (error: AgoraError) => void;
}

function fail(code: ErrorCode, message: string): never {
  throw new AgoraError(code, message);
}

/** Builds a segwit transaction paying `value` sat to `script` from a made-up input: enough for a local chain. */
function fundingTransaction(script: Uint8Array, valueSat: bigint, nonce: number): Uint8Array {
  const tx: number[] = [2, 0, 0, 0, 0, 1, 1];
  const outpoint = new Uint8Array(36);
  new DataView(outpoint.buffer).setUint32(0, nonce, true);
  tx.push(...outpoint, 0, 0xff, 0xff, 0xff, 0xff, 1);
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, valueSat, true);
  tx.push(...value, script.length, ...script);
  // One witness stack element: LDK requires every funding input to be segwit.
  tx.push(1, 1, 0xff, 0, 0, 0, 0);
  return Uint8Array.from(tx);
}

/**
 * A real Lightning node (LDK's ChannelManager, ChainMonitor and PeerManager, compiled to WebAssembly) running in
 * this process, on a {@link LdkNetwork}'s local chain and in-memory transport. Invoices are BOLT 11 signed with
 * the node key; hold invoices are LDK's claimable payments, claimed with `claim_funds` or failed back with
 * `fail_htlc_backwards`.
 */
export class LdkNode implements LightningBackend {
  readonly alias: string;
  readonly nodeKey: string;
  /** @internal */ readonly channelManager: Ldk.ChannelManager;
  /** @internal */ readonly peerManager: Ldk.PeerManager;
  private readonly network: LdkNetwork;
  private readonly ldk: typeof Ldk;
  private readonly keys: Ldk.KeysManager;
  private readonly chainMonitor: Ldk.ChainMonitor;
  private readonly book: InvoiceBook;
  private readonly pending = new Map<string, PendingPayment>();
  private readonly paid = new Set<string>();
  private forwardsPending = false;
  private fundingNonce = 0;

  /** @internal Nodes are made by {@link LdkNetwork.createNode}. */
  constructor(network: LdkNetwork, ldk: typeof Ldk, alias: string, seed: Uint8Array) {
    this.network = network;
    this.ldk = ldk;
    this.alias = alias;
    this.book = new InvoiceBook(() => this.now());
    const feeEstimator = ldk.FeeEstimator.new_impl({ get_est_sat_per_1000_weight: () => 253 });
    const broadcaster = ldk.BroadcasterInterface.new_impl({
      broadcast_transactions: (transactions: Uint8Array[]) => {
        for (const tx of transactions) network.chain.broadcast(tx);
      },
    });
    const logger = ldk.Logger.new_impl({
      log: (record: Ldk.Record) => {
        if (process.env.AGORA_LDK_LOG) process.stderr.write(`[ldk ${alias}] ${record.get_args()}\n`);
      },
    });
    const persister = ldk.Persist.new_impl({
      persist_new_channel: () => ldk.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed,
      update_persisted_channel: () => ldk.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed,
      archive_persisted_channel: () => {},
    });
    this.chainMonitor = ldk.ChainMonitor.constructor_new(
      ldk.Option_FilterZ.constructor_none(),
      broadcaster,
      logger,
      feeEstimator,
      persister,
    );
    const now = network.clock.now();
    this.keys = ldk.KeysManager.constructor_new(
      seed,
      BigInt(Math.floor(now / 1000)),
      (now % 1000) * 1_000_000,
    );
    this.nodeKey = toHex(secp256k1.pointFromScalar(this.keys.get_node_secret_key(), true) as Uint8Array);
    const ldkNetwork = network.ldkNetwork;
    const graph = ldk.NetworkGraph.constructor_new(ldkNetwork, logger);
    const scorer = ldk.ProbabilisticScorer.constructor_new(
      ldk.ProbabilisticScoringDecayParameters.constructor_default(),
      graph,
      logger,
    );
    const score = ldk.MultiThreadedLockableScore.constructor_new(scorer.as_Score());
    const router = ldk.DefaultRouter.constructor_new(
      graph,
      logger,
      this.keys.as_EntropySource(),
      score.as_LockableScore(),
      ldk.ProbabilisticScoringFeeParameters.constructor_default(),
    );
    const messageRouter = ldk.DefaultMessageRouter.constructor_new(graph, this.keys.as_EntropySource());
    const config = ldk.UserConfig.constructor_default();
    const handshake = ldk.ChannelHandshakeConfig.constructor_default();
    handshake.set_minimum_depth(1);
    handshake.set_announce_for_forwarding(false);
    handshake.set_max_inbound_htlc_value_in_flight_percent_of_channel(100);
    config.set_channel_handshake_config(handshake);
    // Channels here are private (no gossip); a node in the middle must still forward over them.
    config.set_accept_forwards_to_priv_channels(true);
    const tip = network.chain.tip;
    const parameters = ldk.ChainParameters.constructor_new(
      ldkNetwork,
      ldk.BestBlock.constructor_new(tip.hash, tip.height),
    );
    this.channelManager = ldk.ChannelManager.constructor_new(
      feeEstimator,
      this.chainMonitor.as_Watch(),
      broadcaster,
      router.as_Router(),
      messageRouter.as_MessageRouter(),
      logger,
      this.keys.as_EntropySource(),
      this.keys.as_NodeSigner(),
      this.keys.as_SignerProvider(),
      config,
      parameters,
      Math.floor(now / 1000),
    );
    const ignorer = ldk.IgnoringMessageHandler.constructor_new();
    this.peerManager = ldk.PeerManager.constructor_new(
      this.channelManager.as_ChannelMessageHandler(),
      ignorer.as_RoutingMessageHandler(),
      ignorer.as_OnionMessageHandler(),
      ignorer.as_CustomMessageHandler(),
      Math.floor(now / 1000),
      this.keys.as_EntropySource().get_secure_random_bytes(),
      logger,
      this.keys.as_NodeSigner(),
    );
  }

  private now(): number {
    return unixSeconds(this.network.clock);
  }

  /** @internal Feeds a new block to the channel manager and the chain monitor. */
  blockConnected(block: LocalBlock): void {
    const confirms = [this.channelManager.as_Confirm(), this.chainMonitor.as_Confirm()];
    if (block.transactions.length > 0) {
      for (const confirm of confirms) {
        const txdata = block.transactions.map((tx, i) =>
          this.ldk.TwoTuple_usizeTransactionZ.constructor_new(i, tx),
        );
        confirm.transactions_confirmed(block.header, txdata, block.height);
      }
    }
    for (const confirm of confirms) confirm.best_block_updated(block.header, block.height);
  }

  /** @internal Handles LDK's pending events; true when there were any. */
  processEvents(): boolean {
    let handled = 0;
    const handler = this.ldk.EventHandler.new_impl({
      handle_event: (event: Ldk.Event) => {
        handled++;
        this.handle(event);
        return this.ldk.Result_NoneReplayEventZ.constructor_ok();
      },
    });
    this.channelManager.as_EventsProvider().process_pending_events(handler);
    this.chainMonitor.as_EventsProvider().process_pending_events(handler);
    if (this.forwardsPending) {
      this.forwardsPending = false;
      this.channelManager.process_pending_htlc_forwards();
      handled++;
    }
    this.peerManager.process_events();
    return handled > 0;
  }

  private handle(event: Ldk.Event): void {
    const ldk = this.ldk;
    if (event instanceof ldk.Event_FundingGenerationReady) {
      const tx = fundingTransaction(event.output_script, event.channel_value_satoshis, this.fundingNonce++);
      const result = this.channelManager.funding_transaction_generated(
        event.temporary_channel_id,
        event.counterparty_node_id,
        tx,
      );
      if (!result.is_ok())
        throw new AgoraError(ErrorCode.BackendUnreachable, 'LDK refused the funding transaction');
    } else if (event instanceof ldk.Event_PendingHTLCsForwardable) {
      this.forwardsPending = true;
    } else if (event instanceof ldk.Event_PaymentClaimable) {
      this.onClaimable(toHex(event.payment_hash), Number(event.amount_msat));
    } else if (event instanceof ldk.Event_PaymentClaimed) {
      const record = this.book.find(toHex(event.payment_hash));
      if (record !== undefined && record.state !== 'SETTLED') this.book.transition(record, 'SETTLED');
    } else if (event instanceof ldk.Event_HTLCHandlingFailed) {
      const destination = event.failed_next_destination;
      if (destination instanceof ldk.HTLCDestination_FailedPayment) {
        const record = this.book.find(toHex(destination.payment_hash));
        if (record?.state === 'ACCEPTED') this.book.transition(record, 'CANCELED');
      }
    } else if (event instanceof ldk.Event_PaymentSent) {
      const hash = toHex(event.payment_hash);
      const pending = this.pending.get(hash);
      if (pending === undefined) return;
      this.pending.delete(hash);
      this.paid.add(hash);
      const fee = event.fee_paid_msat instanceof ldk.Option_u64Z_Some ? Number(event.fee_paid_msat.some) : 0;
      pending.resolve({
        paymentHash: hash,
        preimage: toHex(event.payment_preimage),
        amountMsat: pending.amountMsat,
        feeMsat: fee,
      });
    } else if (event instanceof ldk.Event_PaymentFailed) {
      const hash = toHex(event.payment_id);
      const pending = this.pending.get(hash);
      if (pending === undefined) return;
      this.pending.delete(hash);
      const reason =
        event.reason instanceof ldk.Option_PaymentFailureReasonZ_Some ? event.reason.some : undefined;
      const name = reason === undefined ? 'unknown' : ldk.PaymentFailureReason[reason];
      const code =
        name === 'LDKPaymentFailureReason_RouteNotFound' ? ErrorCode.NoRoute : ErrorCode.PaymentFailed;
      pending.reject(
        new AgoraError(code, `payment ${hash} failed: ${name}`, { details: { reason: String(name) } }),
      );
    }
  }

  private onClaimable(paymentHash: string, amountMsat: number): void {
    const record = this.book.find(paymentHash);
    if (record === undefined || record.state !== 'OPEN' || amountMsat < record.amountMsat) {
      this.channelManager.fail_htlc_backwards(fromHex(paymentHash));
      return;
    }
    record.amountPaidMsat = amountMsat;
    if (!record.hold) {
      this.channelManager.claim_funds(fromHex(record.preimage as string));
      return;
    }
    // This payment's HTLCs only: other held payments have deadlines of their own.
    const expiries = this.channelManager
      .list_channels()
      .flatMap((channel) => channel.get_pending_inbound_htlcs())
      .filter((htlc) => toHex(htlc.get_payment_hash()) === paymentHash)
      .map((htlc) => htlc.get_cltv_expiry());
    if (expiries.length > 0) record.htlcExpiryHeight = Math.min(...expiries);
    this.book.transition(record, 'ACCEPTED');
  }

  async info(): Promise<NodeInfo> {
    return {
      nodeKey: this.nodeKey,
      alias: this.alias,
      network: this.network.network,
      blockHeight: this.network.chain.tip.height,
    };
  }

  async balance(): Promise<ChannelBalance> {
    let spendableMsat = 0;
    let inFlightMsat = 0;
    for (const channel of this.channelManager.list_channels()) {
      spendableMsat += Number(channel.get_outbound_capacity_msat());
      for (const htlc of channel.get_pending_outbound_htlcs()) inFlightMsat += Number(htlc.get_amount_msat());
    }
    return { spendableMsat, inFlightMsat };
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    const preimage =
      request.preimage === undefined
        ? toHex(this.keys.as_EntropySource().get_secure_random_bytes())
        : checkHash32(request.preimage, 'preimage');
    return this.issue(paymentHashOf(preimage), preimage, request, ORDINARY_FINAL_CLTV);
  }

  async createHoldInvoice(request: CreateHoldInvoiceRequest): Promise<CreatedInvoice> {
    const cltv = checkCltvExpiry(request.cltvExpiry);
    if (cltv < ORDINARY_FINAL_CLTV)
      fail(ErrorCode.InvalidArgument, `LDK needs a cltvExpiry of at least ${ORDINARY_FINAL_CLTV} blocks`);
    return this.issue(checkHash32(request.paymentHash, 'paymentHash'), undefined, request, cltv);
  }

  private issue(
    paymentHash: string,
    preimage: string | undefined,
    request: { amountMsat: number; description?: string; descriptionHash?: string; expirySeconds?: number },
    finalCltv: number,
  ): CreatedInvoice {
    if (this.book.find(paymentHash) !== undefined)
      fail(ErrorCode.AlreadyExists, `an invoice for ${paymentHash} exists already`);
    const { amountMsat, expirySeconds } = invoiceTerms(request);
    const ldk = this.ldk;
    // LDK derives and checks the payment secret itself (stateless inbound payments).
    const secret = this.channelManager.create_inbound_payment_for_hash(
      fromHex(paymentHash),
      ldk.Option_u64Z.constructor_some(BigInt(amountMsat)),
      expirySeconds,
      ldk.Option_u16Z.constructor_some(finalCltv),
    );
    if (!(secret instanceof ldk.Result_ThirtyTwoBytesNoneZ_OK))
      fail(ErrorCode.InvalidArgument, 'LDK refused the invoice parameters');
    return issueInvoice(this.book, {
      ...request,
      routeHints: this.routeHints(),
      network: this.network.network,
      nodeSecretKey: this.keys.get_node_secret_key(),
      timestamp: this.now(),
      paymentHash,
      paymentSecret: toHex(secret.res),
      preimage,
      finalCltv,
    });
  }

  /** One hint per usable channel: the channels are private, so payers learn them only from invoices. */
  private routeHints(): RouteHintHop[][] {
    const ldk = this.ldk;
    const hints: RouteHintHop[][] = [];
    for (const channel of this.channelManager.list_usable_channels()) {
      const scid = channel.get_inbound_payment_scid();
      if (!(scid instanceof ldk.Option_u64Z_Some)) continue;
      const counterparty = channel.get_counterparty();
      const forwarding = counterparty.get_forwarding_info();
      hints.push([
        {
          nodeKey: toHex(counterparty.get_node_id()),
          shortChannelId: formatShortChannelId(scid.some),
          feeBaseMsat: forwarding?.get_fee_base_msat() ?? 1000,
          feeProportionalMillionths: forwarding?.get_fee_proportional_millionths() ?? 0,
          cltvExpiryDelta: forwarding?.get_cltv_expiry_delta() ?? 72,
        },
      ]);
    }
    return hints;
  }

  async settleHoldInvoice(preimage: string): Promise<void> {
    const record = this.book.get(paymentHashOf(preimage));
    if (!record.hold) fail(ErrorCode.InvalidState, 'only hold invoices are settled by hand');
    if (record.state === 'SETTLED') return;
    if (record.state !== 'ACCEPTED')
      fail(
        ErrorCode.InvalidState,
        `invoice ${record.paymentHash} is ${record.state}: there is no held payment to settle`,
      );
    record.preimage = preimage;
    this.channelManager.claim_funds(fromHex(preimage));
    await this.network.settle();
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    const record = this.book.get(paymentHash);
    if (record.state === 'SETTLED')
      fail(ErrorCode.InvalidState, `invoice ${paymentHash} is settled and cannot be canceled`);
    if (record.state === 'CANCELED') return;
    if (record.state === 'ACCEPTED') this.channelManager.fail_htlc_backwards(fromHex(paymentHash));
    this.book.transition(record, 'CANCELED');
    await this.network.settle();
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceStatus> {
    return this.book.status(this.book.get(paymentHash));
  }

  subscribeInvoice(paymentHash: string): InvoiceSubscription {
    return this.book.subscribe(paymentHash);
  }

  /** @internal */
  expireOpenInvoices(): void {
    this.book.expireOpen();
  }

  async payInvoice(paymentRequest: string, options: PayOptions = {}): Promise<PaymentResult> {
    const ldk = this.ldk;
    const invoice = decodeInvoice(paymentRequest, { network: this.network.network });
    const amountMsat = invoice.amountMsat;
    if (amountMsat === undefined) fail(ErrorCode.InvalidArgument, 'invoices without an amount are not paid');
    if (this.now() >= invoice.expiresAt)
      fail(ErrorCode.InvoiceExpired, `invoice ${invoice.paymentHash} has expired`);
    if (this.paid.has(invoice.paymentHash))
      fail(ErrorCode.AlreadySettled, `invoice ${invoice.paymentHash} is paid already`);
    if (this.pending.has(invoice.paymentHash))
      fail(ErrorCode.InvalidState, `a payment of ${invoice.paymentHash} is in flight`);
    const spendable = (await this.balance()).spendableMsat;
    if (spendable < amountMsat)
      fail(ErrorCode.InsufficientBalance, `${this.alias} can spend ${spendable} msat, not ${amountMsat}`);
    // LDK builds the route parameters from its own parse of the invoice (payee, features, route hints): every
    // payment is also a check that LDK reads the invoices written here.
    const parsed = ldk.Bolt11Invoice.constructor_from_str(paymentRequest);
    if (!(parsed instanceof ldk.Result_Bolt11InvoiceParseOrSemanticErrorZ_OK)) {
      fail(ErrorCode.InvalidInvoice, 'LDK cannot parse the invoice');
    }
    const prepared = ldk.UtilMethods.constructor_payment_parameters_from_invoice(parsed.res);
    if (
      !(prepared instanceof ldk.Result_C3Tuple_ThirtyTwoBytesRecipientOnionFieldsRouteParametersZNoneZ_OK)
    ) {
      fail(ErrorCode.InvalidArgument, 'LDK needs an amount in the invoice');
    }
    const route = prepared.res.get_c();
    const maxFee = options.maxFeeMsat ?? defaultMaxFeeMsat(amountMsat);
    route.set_max_total_routing_fee_msat(ldk.Option_u64Z.constructor_some(BigInt(maxFee)));
    const hash = fromHex(invoice.paymentHash);
    const result = new Promise<PaymentResult>((resolve, reject) => {
      this.pending.set(invoice.paymentHash, { amountMsat, resolve, reject });
    });
    const sent = this.channelManager.send_payment(
      hash,
      prepared.res.get_b(),
      hash,
      route,
      ldk.Retry.constructor_attempts(3),
    );
    if (sent instanceof ldk.Result_NoneRetryableSendFailureZ_Err) {
      this.pending.delete(invoice.paymentHash);
      const name = ldk.RetryableSendFailure[sent.err];
      const code =
        name === 'LDKRetryableSendFailure_RouteNotFound'
          ? ErrorCode.NoRoute
          : name === 'LDKRetryableSendFailure_PaymentExpired'
            ? ErrorCode.InvoiceExpired
            : ErrorCode.PaymentFailed;
      fail(code, `LDK did not send payment ${invoice.paymentHash}: ${name}`);
    }
    void this.network.settle();
    return result;
  }
}
