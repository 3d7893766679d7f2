import { randomBytes } from 'node:crypto';
import type { BitcoinNetwork } from '../../core/index.js';
import {
  AgoraError,
  AsyncQueue,
  type Clock,
  ErrorCode,
  fromBase64,
  fromHex,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  systemClock,
  toBase64,
  toBase64Url,
  toHex,
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
import { defaultMaxFeeMsat } from '../backend.js';
import { decodeInvoice } from '../bolt11.js';
import {
  checkAmountMsat,
  checkCltvExpiry,
  checkExpirySeconds,
  checkHash32,
  paymentHashOf,
} from '../hashes.js';
import { type LndConnection, LndHttpError, LndTransport } from './lnd-transport.js';

const NETWORKS: Record<string, BitcoinNetwork> = {
  mainnet: 'bitcoin',
  testnet: 'testnet',
  testnet4: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
  simnet: 'regtest',
};
const STATES = new Set<InvoiceState>(['OPEN', 'ACCEPTED', 'SETTLED', 'CANCELED']);

/** LND's error messages (invoices registry, router) and the codes they mean here. */
const MESSAGE_CODES: [RegExp, ErrorCode][] = [
  [/unable to locate invoice|there are no existing invoices|invoice not found/i, ErrorCode.UnknownInvoice],
  [/invoice with payment hash already exists|already exists/i, ErrorCode.AlreadyExists],
  [/invoice is already paid|already succeeded/i, ErrorCode.AlreadySettled],
  [
    /invoice already settled|invoice still open|invoice already canceled|payment is in transition|not accepted/i,
    ErrorCode.InvalidState,
  ],
  [/invoice expired/i, ErrorCode.InvoiceExpired],
  [/insufficient (local )?balance/i, ErrorCode.InsufficientBalance],
  [/unable to find a path|no route/i, ErrorCode.NoRoute],
  [/macaroon|permission denied|verification failed|unauthorized/i, ErrorCode.Unauthorized],
  [/invalid|must be|malformed|unable to decode/i, ErrorCode.InvalidArgument],
];

const FAILURE_CODES: Record<string, ErrorCode> = {
  FAILURE_REASON_NO_ROUTE: ErrorCode.NoRoute,
  FAILURE_REASON_INSUFFICIENT_BALANCE: ErrorCode.InsufficientBalance,
  FAILURE_REASON_INCORRECT_PAYMENT_DETAILS: ErrorCode.PaymentFailed,
  FAILURE_REASON_TIMEOUT: ErrorCode.PaymentFailed,
  FAILURE_REASON_ERROR: ErrorCode.PaymentFailed,
  FAILURE_REASON_CANCELED: ErrorCode.PaymentFailed,
};

/** Turns what LND answered into an {@link AgoraError} with the matching code. */
export function lndError(error: unknown, doing: string): AgoraError {
  if (error instanceof AgoraError) return error;
  if (error instanceof LndHttpError) {
    const { message } = error.status;
    let code: ErrorCode = error.httpStatus === 404 ? ErrorCode.UnknownInvoice : ErrorCode.BackendUnreachable;
    for (const [pattern, mapped] of MESSAGE_CODES) {
      if (pattern.test(message)) {
        code = mapped;
        break;
      }
    }
    if (error.httpStatus === 401 || error.httpStatus === 403) code = ErrorCode.Unauthorized;
    return new AgoraError(code, `LND refused to ${doing}: ${message}`, {
      cause: error,
      details: { httpStatus: error.httpStatus, grpcCode: error.status.code },
    });
  }
  return new AgoraError(ErrorCode.BackendUnreachable, `LND failed to ${doing}: ${(error as Error).message}`, {
    cause: error,
  });
}

function int(value: JsonValue | undefined): number {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) ? n : 0;
}

function bytesHex(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? toHex(fromBase64(value)) : undefined;
}

/** Maps LND's `lnrpc.Invoice` (REST JSON) to an {@link InvoiceStatus}. */
export function invoiceStatusFromLnd(invoice: JsonValue): InvoiceStatus {
  if (!isJsonObject(invoice))
    throw new AgoraError(ErrorCode.BackendUnreachable, 'LND sent an invoice that is not an object');
  const state = String(invoice.state ?? 'OPEN') as InvoiceState;
  if (!STATES.has(state))
    throw new AgoraError(ErrorCode.BackendUnreachable, `LND sent an unknown invoice state ${state}`);
  const htlcs = Array.isArray(invoice.htlcs) ? invoice.htlcs.filter(isJsonObject) : [];
  const live = htlcs.filter((h) => h.state === 'ACCEPTED' || h.state === 'SETTLED');
  const paid = int(invoice.amt_paid_msat) || live.reduce((sum, h) => sum + int(h.amt_msat), 0);
  const status: { -readonly [K in keyof InvoiceStatus]: InvoiceStatus[K] } = {
    paymentHash: bytesHex(invoice.r_hash) ?? '',
    state,
    amountMsat: int(invoice.value_msat),
    amountPaidMsat: state === 'OPEN' || state === 'CANCELED' ? 0 : paid,
    paymentRequest: String(invoice.payment_request ?? ''),
    expiresAt: int(invoice.creation_date) + int(invoice.expiry),
  };
  const preimage = bytesHex(invoice.r_preimage);
  if (preimage !== undefined) status.preimage = preimage;
  if (state === 'SETTLED' && int(invoice.settle_date) > 0) status.settledAt = int(invoice.settle_date);
  const accepted = htlcs.filter((h) => h.state === 'ACCEPTED').map((h) => int(h.expiry_height));
  if (state === 'ACCEPTED' && accepted.length > 0) status.htlcExpiryHeight = Math.min(...accepted);
  return status;
}

/**
 * A {@link LightningBackend} over LND's REST gateway (lnd 0.15 and later): `/v1/getinfo`, `/v1/balance/channels`,
 * `/v1/invoices`, `/v2/invoices/hodl|settle|cancel|lookup|subscribe`, `/v2/router/send`.
 */
export class LndRestBackend implements LightningBackend {
  private readonly transport: LndTransport;
  private readonly clock: Clock;
  private network: BitcoinNetwork | undefined;

  /** `clock` only serves the local expiry check before paying; LND applies its own as well. */
  constructor(connection: LndConnection, options: { clock?: Clock } = {}) {
    this.transport = new LndTransport(connection);
    this.clock = options.clock ?? systemClock;
  }

  private async call(
    doing: string,
    method: 'GET' | 'POST',
    path: string,
    body?: JsonObject,
    idempotent = false,
  ) {
    try {
      return await this.transport.call(method, path, body, { idempotent });
    } catch (error) {
      throw lndError(error, doing);
    }
  }

  async info(): Promise<NodeInfo> {
    const info = await this.call('read node info', 'GET', '/v1/getinfo');
    if (!isJsonObject(info)) throw new AgoraError(ErrorCode.BackendUnreachable, 'LND sent no node info');
    const chain = Array.isArray(info.chains) && isJsonObject(info.chains[0]) ? info.chains[0] : {};
    const network = NETWORKS[String(chain.network ?? (info.testnet ? 'testnet' : 'mainnet'))] ?? 'bitcoin';
    this.network = network;
    return {
      nodeKey: String(info.identity_pubkey ?? ''),
      alias: String(info.alias ?? ''),
      network,
      blockHeight: int(info.block_height),
    };
  }

  async balance(): Promise<ChannelBalance> {
    const balance = await this.call('read channel balance', 'GET', '/v1/balance/channels');
    const msat = (field: JsonValue | undefined) => (isJsonObject(field) ? int(field.msat) : 0);
    if (!isJsonObject(balance)) throw new AgoraError(ErrorCode.BackendUnreachable, 'LND sent no balance');
    return {
      spendableMsat: msat(balance.local_balance),
      inFlightMsat: msat(balance.unsettled_local_balance),
    };
  }

  private async networkName(): Promise<BitcoinNetwork> {
    return this.network ?? (await this.info()).network;
  }

  private static invoiceBody(request: {
    amountMsat: number;
    description?: string;
    descriptionHash?: string;
    expirySeconds?: number;
  }): JsonObject {
    const body: JsonObject = { value_msat: String(checkAmountMsat(request.amountMsat)) };
    if (request.description !== undefined) body.memo = request.description;
    if (request.descriptionHash !== undefined)
      body.description_hash = toBase64(fromHex(checkHash32(request.descriptionHash, 'descriptionHash')));
    if (request.expirySeconds !== undefined) body.expiry = String(checkExpirySeconds(request.expirySeconds));
    return body;
  }

  async createInvoice(request: CreateInvoiceRequest): Promise<CreatedInvoice> {
    // The preimage is chosen here so that it can be returned: LND's AddInvoice answer does not carry it.
    const preimage =
      request.preimage === undefined ? toHex(randomBytes(32)) : checkHash32(request.preimage, 'preimage');
    const body = { ...LndRestBackend.invoiceBody(request), r_preimage: toBase64(fromHex(preimage)) };
    const added = await this.call('add an invoice', 'POST', '/v1/invoices', body);
    return this.created(added, paymentHashOf(preimage), preimage);
  }

  async createHoldInvoice(request: CreateHoldInvoiceRequest): Promise<CreatedInvoice> {
    const paymentHash = checkHash32(request.paymentHash, 'paymentHash');
    if (!Number.isSafeInteger(request.cltvExpiry) || request.cltvExpiry < 1 || request.cltvExpiry > 2016) {
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        'cltvExpiry is a whole number of blocks between 1 and 2016',
      );
    }
    const body = {
      ...LndRestBackend.invoiceBody(request),
      hash: toBase64(fromHex(paymentHash)),
      cltv_expiry: String(checkCltvExpiry(request.cltvExpiry)),
    };
    const added = await this.call('add a hold invoice', 'POST', '/v2/invoices/hodl', body);
    return this.created(added, paymentHash, undefined);
  }

  private async created(
    added: JsonValue,
    paymentHash: string,
    preimage: string | undefined,
  ): Promise<CreatedInvoice> {
    const paymentRequest = isJsonObject(added) ? String(added.payment_request ?? '') : '';
    const invoice = decodeInvoice(paymentRequest, { network: await this.networkName() });
    if (invoice.paymentHash !== paymentHash) {
      throw new AgoraError(ErrorCode.BackendUnreachable, 'LND returned an invoice for another payment hash');
    }
    const created = { paymentRequest, paymentHash, expiresAt: invoice.expiresAt };
    return preimage === undefined ? created : { ...created, preimage };
  }

  async settleHoldInvoice(preimage: string): Promise<void> {
    const body = { preimage: toBase64(fromHex(checkHash32(preimage, 'preimage'))) };
    await this.call('settle the invoice', 'POST', '/v2/invoices/settle', body, true);
  }

  async cancelInvoice(paymentHash: string): Promise<void> {
    const body = { payment_hash: toBase64(fromHex(checkHash32(paymentHash, 'paymentHash'))) };
    await this.call('cancel the invoice', 'POST', '/v2/invoices/cancel', body, true);
  }

  async lookupInvoice(paymentHash: string): Promise<InvoiceStatus> {
    const hash = toBase64Url(fromHex(checkHash32(paymentHash, 'paymentHash')));
    const invoice = await this.call(
      'look up the invoice',
      'GET',
      `/v2/invoices/lookup?payment_hash=${encodeURIComponent(hash)}`,
    );
    return invoiceStatusFromLnd(invoice);
  }

  subscribeInvoice(paymentHash: string): InvoiceSubscription {
    const abort = new AbortController();
    const queue = new AsyncQueue<InvoiceStatus>(() => abort.abort());
    (async () => {
      // URL-safe base64 with its padding kept: how LND's gateway reads bytes in a path.
      const hash = toBase64Url(fromHex(checkHash32(paymentHash, 'paymentHash')));
      for await (const update of this.transport.stream(
        'GET',
        `/v2/invoices/subscribe/${hash}`,
        undefined,
        abort.signal,
      )) {
        const status = invoiceStatusFromLnd(update);
        queue.push(status);
        if (status.state === 'SETTLED' || status.state === 'CANCELED') break;
      }
      queue.end();
    })().catch((error: unknown) => queue.fail(lndError(error, 'subscribe to the invoice')));
    return queue;
  }

  async payInvoice(paymentRequest: string, options: PayOptions = {}): Promise<PaymentResult> {
    const invoice = decodeInvoice(paymentRequest, { network: await this.networkName() });
    const amountMsat = invoice.amountMsat;
    if (amountMsat === undefined)
      throw new AgoraError(ErrorCode.InvalidArgument, 'invoices without an amount are not paid');
    if (unixSeconds(this.clock) >= invoice.expiresAt)
      throw new AgoraError(ErrorCode.InvoiceExpired, `invoice ${invoice.paymentHash} has expired`);
    const body: JsonObject = {
      payment_request: paymentRequest,
      timeout_seconds: options.timeoutSeconds ?? 60,
      fee_limit_msat: String(options.maxFeeMsat ?? defaultMaxFeeMsat(amountMsat)),
    };
    try {
      for await (const update of this.transport.stream('POST', '/v2/router/send', body)) {
        if (!isJsonObject(update)) continue;
        if (update.status === 'SUCCEEDED') {
          const preimage = String(update.payment_preimage ?? '');
          if (paymentHashOf(preimage) !== invoice.paymentHash) {
            throw new AgoraError(
              ErrorCode.BackendUnreachable,
              'LND reported a preimage that does not match the payment hash',
            );
          }
          return { paymentHash: invoice.paymentHash, preimage, amountMsat, feeMsat: int(update.fee_msat) };
        }
        if (update.status === 'FAILED') {
          const reason = String(update.failure_reason ?? 'FAILURE_REASON_ERROR');
          throw new AgoraError(
            FAILURE_CODES[reason] ?? ErrorCode.PaymentFailed,
            `payment ${invoice.paymentHash} failed: ${reason}`,
            {
              details: { reason },
            },
          );
        }
      }
    } catch (error) {
      throw lndError(error, 'pay the invoice');
    }
    throw new AgoraError(
      ErrorCode.BackendUnreachable,
      `LND closed the payment stream of ${invoice.paymentHash} without a result`,
    );
  }

  /** Closes the idle connections to LND. */
  close(): void {
    this.transport.close();
  }
}
