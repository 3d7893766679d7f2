import { sha256 } from '@noble/hashes/sha2.js';
import type { BitcoinNetwork } from '../core/index.js';
import {
  AgoraError,
  type Clock,
  ErrorCode,
  fromHex,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  toHex,
} from '../core/index.js';
import { type AgentKey, defaultSchnorr, type SchnorrPool, signObjects } from '../identity/index.js';
import { type EventTypeDefinition, type LedgerEvent, parseEnvelope, signEvent } from '../ledger/index.js';
import { decodeInvoice, primeInvoices } from '../lightning/index.js';
import { ratingRecordCodec, receiptRecordCodec } from './receipt-record.js';

/** What a provider attests when it served a paid request. */
export interface ReceiptBody {
  /** The service that was paid for. */
  service: string;
  /** The BOLT 11 invoice the payer paid, signed by the provider's node. */
  invoice: string;
  paymentHash: string;
  /** Proof of payment: `sha256(preimage) == paymentHash`. */
  preimage: string;
  amountMsat: number;
  /** The payer's agent id when it proved it (Agora-Payer), else null. */
  payer: string | null;
  /** HTTP status of the response served. */
  status: number;
  /** The provider's rating of the payer, -2 (abusive) to 2. */
  payerRating?: number;
}

const RATING = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= -2 && (value as number) <= 2;

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `receipt: ${message}`);
}

/** Checks a receipt body against itself: shape, invoice signature, hash, preimage and amount. Returns the payee. */
function checkBody(body: unknown, network?: BitcoinNetwork): { body: ReceiptBody; payee: string } {
  if (!isJsonObject(body)) invalid('body must be an object');
  const allowed = new Set([
    'service',
    'invoice',
    'paymentHash',
    'preimage',
    'amountMsat',
    'payer',
    'status',
    'payerRating',
  ]);
  for (const field of Object.keys(body)) if (!allowed.has(field)) invalid(`unknown field ${field}`);
  const { service, invoice, paymentHash, preimage, amountMsat, payer, status, payerRating } = body;
  if (typeof service !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(service))
    invalid('service must be a name of 1 to 64 characters');
  if (typeof invoice !== 'string') invalid('invoice must be a BOLT 11 string');
  if (!isLowerHex(paymentHash, 32)) invalid('paymentHash must be 32 bytes of hex');
  if (!isLowerHex(preimage, 32)) invalid('preimage must be 32 bytes of hex');
  if (typeof amountMsat !== 'number' || !Number.isSafeInteger(amountMsat) || amountMsat <= 0)
    invalid('amountMsat must be positive');
  if (payer !== null && !isLowerHex(payer, 32)) invalid('payer must be an agent id or null');
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    invalid('status must be an HTTP status');
  if (payerRating !== undefined && !RATING(payerRating))
    invalid('payerRating must be an integer from -2 to 2');
  let decoded: ReturnType<typeof decodeInvoice>;
  try {
    decoded = decodeInvoice(invoice, network === undefined ? {} : { network });
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidEvent, `receipt: ${(cause as Error).message}`, { cause });
  }
  if (decoded.paymentHash !== paymentHash) invalid('the invoice is for another payment hash');
  if (toHex(sha256(fromHex(preimage))) !== paymentHash)
    invalid('the preimage does not match the payment hash');
  if (decoded.amountMsat !== amountMsat) invalid('the amount differs from the invoice');
  return { body: body as unknown as ReceiptBody, payee: decoded.payee };
}

/** Signs a receipt as `provider`. */
export function createReceipt(
  provider: AgentKey,
  body: ReceiptBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  checkBody(body);
  return signEvent(provider, 'receipt', { ...body } as unknown as JsonObject, options);
}

/** A receipt that verified: its id, its body, and the node key that signed its invoice. */
export interface VerifiedReceipt {
  readonly id: string;
  readonly provider: string;
  readonly body: ReceiptBody;
  /** Compressed node key of the invoice's signer: the provider's node, if the provider registered it. */
  readonly payee: string;
}

/**
 * Verifies a receipt offline, as any third party can: the envelope, the provider's signature, the invoice's
 * signature, `sha256(preimage) == paymentHash == the invoice's hash`, and the amount. Whether `payee` is one of the
 * provider's registered node keys needs the provider's `agent.registered` event: the ledger's verifier checks it.
 * Throws {@link AgoraError} (`INVALID_EVENT`, `INVALID_SIGNATURE`) on any mismatch.
 */
export function verifyReceipt(receipt: unknown, options: { network?: BitcoinNetwork } = {}): VerifiedReceipt {
  const { event, id, idBytes } = parseEnvelope(receipt);
  if (event.type !== 'receipt') invalid(`expected a receipt, got ${event.type}`);
  if (event.proof !== undefined) invalid('a receipt carries no proof');
  // The envelope's id is the one `verifyObject` would hash again; author and sig, when present, are hex already.
  if (event.author === undefined || event.sig === undefined)
    throw new AgoraError(ErrorCode.InvalidSignature, 'a receipt is signed: it needs author and sig');
  if (!defaultSchnorr.verify(fromHex(event.sig), idBytes, fromHex(event.author)))
    throw new AgoraError(ErrorCode.InvalidSignature, `bad signature on receipt by ${event.author}`, {
      details: { id, author: event.author },
    });
  const { body, payee } = checkBody(event.body, options.network);
  return { id, provider: event.author as string, body, payee };
}

/**
 * Whether a registration of `provider` created at or before `at` lists `nodeKey`. The rule only ever turns from no
 * to yes as registrations arrive, so a receipt stored by one replica is stored by every replica holding the same
 * events, whatever order they came in: a provider that backdates a rotation cannot make replicas disagree.
 */
async function nodeKeyRegistered(
  provider: string,
  nodeKey: string,
  at: number,
  context: Parameters<EventTypeDefinition['verify']>[1],
): Promise<boolean> {
  return (await context.byIndex('agent', provider)).some(
    (e) =>
      e.type === 'agent.registered' &&
      e.created <= at &&
      ((e.body as { nodeKeys?: string[] }).nodeKeys ?? []).includes(nodeKey),
  );
}

/**
 * `receipt`: signed by the provider; its invoice must come from a node key the provider registered at or before the
 * receipt's time. Until such a registration is stored the receipt waits (`MISSING_REFERENCE`).
 */
export const receiptType: EventTypeDefinition = {
  type: 'receipt',
  auth: 'signature',
  // A batch's invoices decoded together, their payees recovered over the ledger's worker pool: decoding is what a
  // receipt costs to check (the recovery), and `verify` then finds each invoice decoded, with the same result.
  async prepare(events, context) {
    if (context.recoverMany === undefined) return;
    const invoices: string[] = [];
    for (const event of events) {
      const { invoice } = event.body as { invoice?: unknown };
      if (typeof invoice === 'string') invoices.push(invoice);
    }
    await primeInvoices(invoices, context.recoverMany);
  },
  async verify(event, context) {
    const { payee } = checkBody(event.body);
    if (!(await nodeKeyRegistered(event.author as string, payee, event.created, context)))
      throw new AgoraError(
        ErrorCode.MissingReference,
        `receipt: the invoice's node key ${payee} is not registered by provider ${event.author} at or before the receipt`,
      );
  },
  *indexes(event) {
    const body = event.body as unknown as ReceiptBody;
    yield ['paymentHash', body.paymentHash];
    if (body.payer !== null) yield ['payer', body.payer];
  },
  record: receiptRecordCodec,
};

/** Body of `receipt.rating`: the payer's rating of the service a receipt attests. */
export interface ReceiptRating {
  receipt: string;
  /** -2 (garbage, fraud) to 2 (excellent). */
  rating: number;
}

/** Signs the payer's rating of a receipt (the payer countersigns what it got). */
export function rateReceipt(
  payer: AgentKey,
  receiptId: string,
  rating: number,
  options: { clock?: Clock } = {},
): LedgerEvent {
  if (!isLowerHex(receiptId, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a receipt id is 32 bytes of hex');
  if (!RATING(rating)) throw new AgoraError(ErrorCode.InvalidArgument, 'a rating is an integer from -2 to 2');
  return signEvent(payer, 'receipt.rating', { receipt: receiptId, rating }, options);
}

/** A rating to sign with others (see {@link signRatings}): who rates which receipt, how, and when (unix seconds). */
export interface RatingToSign {
  readonly payer: AgentKey;
  readonly receipt: string;
  readonly rating: number;
  readonly created: number;
}

/**
 * Signs many ratings at once over the worker pool, each the event {@link rateReceipt} would sign at its `created`
 * time: the calling thread is free while they are signed (a simulated market rates a whole round this way).
 */
export async function signRatings(
  ratings: readonly RatingToSign[],
  pool?: SchnorrPool,
): Promise<LedgerEvent[]> {
  const items = ratings.map(({ payer, receipt, rating, created }) => {
    if (!isLowerHex(receipt, 32))
      throw new AgoraError(ErrorCode.InvalidArgument, 'a receipt id is 32 bytes of hex');
    if (!RATING(rating))
      throw new AgoraError(ErrorCode.InvalidArgument, 'a rating is an integer from -2 to 2');
    if (!Number.isSafeInteger(created) || created < 0)
      throw new AgoraError(ErrorCode.InvalidArgument, 'created is whole unix seconds');
    return { key: payer, object: { v: 1, type: 'receipt.rating', created, body: { receipt, rating } } };
  });
  return signObjects(items, pool) as Promise<LedgerEvent[]>;
}

/** `receipt.rating`: only the payer named in the receipt may rate it. */
export const receiptRatingType: EventTypeDefinition = {
  type: 'receipt.rating',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (
      !isJsonObject(body) ||
      Object.keys(body).length !== 2 ||
      !isLowerHex(body.receipt, 32) ||
      !RATING(body.rating)
    ) {
      throw new AgoraError(ErrorCode.InvalidEvent, 'receipt.rating: body is {receipt: id, rating: -2..2}');
    }
    const receipt = await context.get(body.receipt);
    if (receipt === undefined)
      throw new AgoraError(ErrorCode.MissingReference, `receipt.rating: no receipt ${body.receipt} yet`);
    if (receipt.type !== 'receipt')
      throw new AgoraError(ErrorCode.InvalidEvent, `receipt.rating: ${body.receipt} is not a receipt`);
    if ((receipt.body as unknown as ReceiptBody).payer !== event.author) {
      throw new AgoraError(ErrorCode.InvalidEvent, "receipt.rating: only the receipt's payer may rate it");
    }
  },
  *indexes(event) {
    yield ['receipt', (event.body as unknown as ReceiptRating).receipt];
  },
  record: ratingRecordCodec,
};
