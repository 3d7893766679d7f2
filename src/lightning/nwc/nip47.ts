import {
  AgoraError,
  type BitcoinNetwork,
  ErrorCode,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  parseJson,
} from '../../core/index.js';
import type { InvoiceState, InvoiceStatus } from '../backend.js';

/** NIP-47 event kinds. */
export const NWC_KIND = {
  /** Replaceable: the wallet service's capabilities, encryptions and notification types. */
  info: 13194,
  request: 23194,
  response: 23195,
  /** Notifications encrypted with NIP-04 (legacy). */
  notificationNip04: 23196,
  /** Notifications encrypted with NIP-44. */
  notification: 23197,
} as const;

/** The NIP-47 methods agora402 speaks, as a client and as a wallet service. */
export const NIP47_METHODS = [
  'get_info',
  'get_balance',
  'make_invoice',
  'pay_invoice',
  'lookup_invoice',
  'make_hold_invoice',
  'settle_hold_invoice',
  'cancel_hold_invoice',
] as const;
/** A NIP-47 request method this library speaks. */
export type Nip47Method = (typeof NIP47_METHODS)[number];

/** The NIP-47 notification types this library sends or reads. */
export const NIP47_NOTIFICATIONS = ['payment_received', 'payment_sent', 'hold_invoice_accepted'] as const;
/** A NIP-47 notification type. */
export type Nip47NotificationType = (typeof NIP47_NOTIFICATIONS)[number];

/** Payload encryption: NIP-44 v2, or NIP-04 for wallets that advertise nothing else. */
export type NwcEncryption = 'nip44_v2' | 'nip04';

/** A NIP-47 transaction (the result of make_invoice, lookup_invoice, and the body of notifications). */
export interface Nip47Transaction {
  readonly type: 'incoming' | 'outgoing';
  /** `pending`, `settled`, `expired`, `failed`; `accepted` for a held payment. Absent from older wallets. */
  readonly state?: string;
  readonly invoice?: string;
  readonly description?: string;
  readonly description_hash?: string;
  readonly preimage?: string;
  readonly payment_hash: string;
  /** Msat. */
  readonly amount: number;
  readonly fees_paid?: number;
  readonly created_at?: number;
  readonly expires_at?: number;
  readonly settled_at?: number;
  /** For an accepted hold invoice: the block height by which it must be settled or canceled. */
  readonly settle_deadline?: number;
}

/** A NIP-47 error object. */
export interface Nip47ErrorBody {
  readonly code: string;
  readonly message: string;
}

/** What the wallet's info event says it can do. */
export interface WalletCapabilities {
  readonly methods: ReadonlySet<string>;
  readonly notifications: ReadonlySet<string>;
  readonly encryptions: readonly NwcEncryption[];
}

function malformed(what: string): never {
  throw new AgoraError(ErrorCode.InvalidJson, `malformed NIP-47 ${what}`);
}

const optionalString = (o: JsonObject, key: string) => {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') malformed(`field ${key}`);
  return v;
};
const optionalCount = (o: JsonObject, key: string) => {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) malformed(`field ${key}`);
  return v;
};

/** Reads a transaction object, keeping the fields agora402 uses; `INVALID_JSON` if their types are wrong. */
export function parseTransaction(value: unknown): Nip47Transaction {
  if (!isJsonObject(value)) malformed('transaction');
  const type = value.type;
  if (type !== 'incoming' && type !== 'outgoing') malformed('transaction type');
  const paymentHash = optionalString(value, 'payment_hash');
  if (paymentHash === undefined || !isLowerHex(paymentHash.toLowerCase(), 32)) malformed('payment_hash');
  const amount = optionalCount(value, 'amount');
  if (amount === undefined) malformed('amount');
  const t: Record<string, unknown> = { type, payment_hash: paymentHash.toLowerCase(), amount };
  for (const key of ['state', 'invoice', 'description', 'description_hash', 'preimage']) {
    const v = optionalString(value, key);
    if (v !== undefined && v !== '') t[key] = key === 'preimage' ? v.toLowerCase() : v;
  }
  for (const key of ['fees_paid', 'created_at', 'expires_at', 'settled_at', 'settle_deadline']) {
    const v = optionalCount(value, key);
    if (v !== undefined) t[key] = v;
  }
  return t as unknown as Nip47Transaction;
}

/** A decrypted response: its `result_type`, and either `result` or `error`. */
export interface Nip47Response {
  readonly resultType: string;
  readonly result: JsonObject | undefined;
  readonly error: Nip47ErrorBody | undefined;
}

/** Parses a decrypted response; `INVALID_JSON` if it is not a NIP-47 response. */
export function parseResponse(text: string): Nip47Response {
  const value = parseJson(text);
  if (!isJsonObject(value)) malformed('response');
  const resultType = value.result_type;
  if (typeof resultType !== 'string') malformed('response result_type');
  const error = value.error;
  if (error !== undefined && error !== null) {
    if (!isJsonObject(error) || typeof error.code !== 'string') malformed('response error');
    const message = typeof error.message === 'string' ? error.message : '';
    return { resultType, result: undefined, error: { code: error.code, message } };
  }
  const result = value.result;
  if (!isJsonObject(result)) malformed('response result');
  return { resultType, result, error: undefined };
}

/** Parses a decrypted request (as a wallet service reads it); `INVALID_JSON` if it is not one. */
export function parseRequest(text: string): { method: string; params: JsonObject } {
  const value = parseJson(text);
  if (!isJsonObject(value) || typeof value.method !== 'string') malformed('request');
  const params = value.params ?? {};
  if (!isJsonObject(params)) malformed('request params');
  return { method: value.method, params };
}

/** Parses a decrypted notification; `INVALID_JSON` if it is not one. */
export function parseNotification(text: string): { type: string; transaction: Nip47Transaction } {
  const value = parseJson(text);
  if (!isJsonObject(value) || typeof value.notification_type !== 'string') malformed('notification');
  return { type: value.notification_type, transaction: parseTransaction(value.notification) };
}

/** The encryptions an info event advertises: its `encryption` tag, or NIP-04 alone when it has none (NIP-47). */
export function capabilitiesOf(content: string, tags: readonly (readonly string[])[]): WalletCapabilities {
  const tag = (name: string) => tags.find((t) => t[0] === name)?.[1];
  const words = (text: string | undefined) => (text ?? '').split(/\s+/).filter((w) => w !== '');
  const advertised = tag('encryption');
  const encryptions =
    advertised === undefined
      ? (['nip04'] as NwcEncryption[])
      : words(advertised).filter((w): w is NwcEncryption => w === 'nip44_v2' || w === 'nip04');
  return {
    methods: new Set(words(content)),
    notifications: new Set(words(tag('notifications'))),
    encryptions,
  };
}

/** NIP-44 when the wallet offers it, else NIP-04; `METHOD_UNSUPPORTED` when it offers neither. */
export function chooseEncryption(capabilities: WalletCapabilities): NwcEncryption {
  if (capabilities.encryptions.includes('nip44_v2')) return 'nip44_v2';
  if (capabilities.encryptions.includes('nip04')) return 'nip04';
  throw new AgoraError(
    ErrorCode.MethodUnsupported,
    'the NWC wallet advertises no encryption agora402 speaks (nip44_v2, nip04)',
  );
}

const NETWORK_NAMES: Record<string, BitcoinNetwork> = {
  mainnet: 'bitcoin',
  bitcoin: 'bitcoin',
  testnet: 'testnet',
  signet: 'signet',
  regtest: 'regtest',
};

/** NIP-47 network names (`mainnet`, `testnet`, `signet`, `regtest`) to agora402's. */
export function networkFromNip47(name: unknown): BitcoinNetwork {
  const network = typeof name === 'string' ? NETWORK_NAMES[name] : undefined;
  if (network === undefined) malformed(`network ${String(name)}`);
  return network;
}

export function networkToNip47(network: BitcoinNetwork): string {
  return network === 'bitcoin' ? 'mainnet' : network;
}

/** The lifecycle state of an incoming transaction. */
export function invoiceStateOf(transaction: Nip47Transaction): InvoiceState {
  switch (transaction.state) {
    case 'accepted':
      return 'ACCEPTED';
    case 'settled':
      return 'SETTLED';
    case 'expired':
    case 'failed':
      return 'CANCELED';
    case 'pending':
      return 'OPEN';
    default:
      // Wallets from before the `state` field: settled_at (or a preimage on an incoming invoice) means paid.
      return transaction.settled_at !== undefined ? 'SETTLED' : 'OPEN';
  }
}

/** An incoming transaction as an {@link InvoiceStatus}. */
export function invoiceStatusOf(transaction: Nip47Transaction): InvoiceStatus {
  const state = invoiceStateOf(transaction);
  const paid = state === 'SETTLED' || state === 'ACCEPTED';
  return {
    paymentHash: transaction.payment_hash,
    state,
    amountMsat: transaction.amount,
    amountPaidMsat: paid ? transaction.amount : 0,
    paymentRequest: transaction.invoice ?? '',
    ...(transaction.preimage === undefined ? {} : { preimage: transaction.preimage }),
    expiresAt: transaction.expires_at ?? 0,
    ...(transaction.settled_at === undefined ? {} : { settledAt: transaction.settled_at }),
    ...(state === 'ACCEPTED' && transaction.settle_deadline !== undefined
      ? { htlcExpiryHeight: transaction.settle_deadline }
      : {}),
  };
}

/** An {@link InvoiceStatus} as the transaction a wallet service reports. */
export function transactionOf(
  status: InvoiceStatus,
  extra: { createdAt?: number; now: number },
): Nip47Transaction {
  const state =
    status.state === 'OPEN'
      ? 'pending'
      : status.state === 'ACCEPTED'
        ? 'accepted'
        : status.state === 'SETTLED'
          ? 'settled'
          : extra.now >= status.expiresAt
            ? 'expired'
            : 'failed';
  return {
    type: 'incoming',
    state,
    invoice: status.paymentRequest,
    payment_hash: status.paymentHash,
    amount: status.amountMsat,
    fees_paid: 0,
    created_at: extra.createdAt ?? extra.now,
    expires_at: status.expiresAt,
    ...(status.preimage === undefined ? {} : { preimage: status.preimage }),
    ...(status.settledAt === undefined ? {} : { settled_at: status.settledAt }),
    ...(status.htlcExpiryHeight === undefined ? {} : { settle_deadline: status.htlcExpiryHeight }),
  };
}
