import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import * as secp256k1 from 'tiny-secp256k1';
import { AgoraError, type BitcoinNetwork, ErrorCode, fromHex, toHex, utf8 } from '../core/index.js';
import { type RecoveryJob, recoverPublicKey } from '../identity/index.js';

/** Bitcoin networks and their BOLT 11 currency prefixes. */
export const NETWORK_PREFIX = {
  bitcoin: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
} as const satisfies Record<BitcoinNetwork, string>;

/** One route hint hop (`r` field). */
export interface RouteHintHop {
  nodeKey: string;
  shortChannelId: string;
  feeBaseMsat: number;
  feeProportionalMillionths: number;
  cltvExpiryDelta: number;
}

/** The fields of an invoice, in the order they are (or were) written. */
export type InvoiceField =
  | { tag: 'p'; paymentHash: string }
  | { tag: 's'; paymentSecret: string }
  | { tag: 'd'; description: string }
  | { tag: 'h'; descriptionHash: string }
  | { tag: 'n'; payee: string }
  | { tag: 'x'; expirySeconds: number }
  | { tag: 'c'; minFinalCltvExpiry: number }
  | { tag: 'f'; fallbackVersion: number; fallback: string }
  | { tag: 'r'; routeHint: RouteHintHop[] }
  | { tag: '9'; features: number[] }
  | { tag: 'm'; metadata: string };

/** A decoded, signature-checked BOLT 11 invoice. Hashes and keys are lower-case hex. */
export interface Invoice {
  readonly paymentRequest: string;
  readonly network: BitcoinNetwork;
  /** Undefined for "any amount" invoices. */
  readonly amountMsat: number | undefined;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly expirySeconds: number;
  /** `timestamp + expirySeconds`. */
  readonly expiresAt: number;
  readonly paymentHash: string;
  readonly paymentSecret: string | undefined;
  /** 33-byte compressed node key of the payee (from `n`, else recovered from the signature). */
  readonly payee: string;
  readonly description: string | undefined;
  readonly descriptionHash: string | undefined;
  readonly minFinalCltvExpiry: number;
  /** Set feature bits. */
  readonly features: readonly number[];
  readonly routeHints: readonly (readonly RouteHintHop[])[];
  readonly metadata: string | undefined;
  /** Every understood field, in invoice order (skipped and unknown fields left out). */
  readonly fields: readonly InvoiceField[];
}

/** Feature bits agora402 understands: var_onion_optin, payment_secret, basic_mpp, option_payment_metadata. */
const KNOWN_FEATURES = new Set([8, 9, 14, 15, 16, 17, 48, 49]);
const DEFAULT_EXPIRY = 3600;
const DEFAULT_MIN_FINAL_CLTV = 18;
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = CURVE_ORDER >> 1n;
const MULTIPLIER_PICO: Record<string, bigint> = { m: 1_000_000_000n, u: 1_000_000n, n: 1_000n, p: 1n };
const HRP = /^ln(bcrt|tbs|tb|bc)(\d*)([munp]?)$/;
const TAG_CODES: Record<string, number> = {
  p: 1,
  s: 16,
  d: 13,
  h: 23,
  n: 19,
  x: 6,
  c: 24,
  f: 9,
  r: 3,
  '9': 5,
  m: 27,
};
const TAG_NAMES = Object.fromEntries(Object.entries(TAG_CODES).map(([name, code]) => [code, name]));

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidInvoice, `invalid invoice: ${message}`);
}

function wordsToBytes(words: ArrayLike<number>, strict: boolean, padLastByte = false): Uint8Array {
  // Fields drop their trailing pad bits (checked to be zero when `strict`); the signed data instead keeps
  // them, padded with zero bits to a whole byte (`padLastByte`).
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (let i = 0; i < words.length; i++) {
    acc = (acc << 5) | (words[i] as number);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (strict && bits > 0 && acc !== 0) invalid('non-zero padding');
  if (padLastByte && bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Uint8Array.from(out);
}

function bytesToWords(bytes: Uint8Array): number[] {
  return bech32.toWords(bytes);
}

function wordsToInt(words: ArrayLike<number>, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 32 + (words[i] as number);
  return value;
}

function intToWords(value: number, minWords = 1): number[] {
  const words: number[] = [];
  let rest = value;
  while (rest > 0) {
    words.unshift(rest % 32);
    rest = Math.floor(rest / 32);
  }
  while (words.length < minWords) words.unshift(0);
  return words;
}

function parseAmount(digits: string, multiplier: string): number | undefined {
  if (digits === '') {
    if (multiplier !== '') invalid('a multiplier without an amount');
    return undefined;
  }
  if (digits.startsWith('0')) invalid('amount has leading zeros');
  const pico =
    BigInt(digits) * (multiplier === '' ? 1_000_000_000_000n : (MULTIPLIER_PICO[multiplier] as bigint));
  if (pico % 10n !== 0n) invalid('amount has sub-millisatoshi precision');
  const msat = pico / 10n;
  if (msat === 0n) invalid('zero amount');
  if (msat > BigInt(Number.MAX_SAFE_INTEGER)) invalid('amount too large');
  return Number(msat);
}

function encodeAmount(amountMsat: number): string {
  if (!Number.isSafeInteger(amountMsat) || amountMsat <= 0) {
    throw new AgoraError(ErrorCode.InvalidArgument, 'an invoice amount is a positive whole number of msat');
  }
  const pico = BigInt(amountMsat) * 10n;
  for (const unit of ['m', 'u', 'n'] as const) {
    const per = MULTIPLIER_PICO[unit] as bigint;
    if (pico % per === 0n) return `${pico / per}${unit}`;
  }
  return `${pico}p`;
}

function featureBitsFromWords(words: ArrayLike<number>): number[] {
  const bits: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[words.length - 1 - i] as number;
    for (let b = 0; b < 5; b++) if (word & (1 << b)) bits.push(i * 5 + b);
  }
  return bits.sort((a, b) => a - b);
}

function featureWords(bits: readonly number[]): number[] {
  const max = Math.max(...bits, 0);
  const words = new Array(Math.floor(max / 5) + 1).fill(0) as number[];
  for (const bit of bits) {
    const at = words.length - 1 - Math.floor(bit / 5);
    words[at] = (words[at] as number) | (1 << (bit % 5));
  }
  return words;
}

/** `block x tx x output` form of a short channel id (BOLT 7). */
export function formatShortChannelId(scid: bigint): string {
  return `${scid >> 40n}x${(scid >> 16n) & 0xffffffn}x${scid & 0xffffn}`;
}

/** The 64-bit number of a `block x tx x output` short channel id. */
export function parseShortChannelId(text: string): bigint {
  const parts = text.split('x');
  if (parts.length !== 3 || !parts.every((p) => /^\d+$/.test(p))) {
    throw new AgoraError(ErrorCode.InvalidArgument, `not a short channel id: ${text}`);
  }
  const [block, tx, output] = parts.map(BigInt) as [bigint, bigint, bigint];
  if (block >= 1n << 24n || tx >= 1n << 24n || output >= 1n << 16n) {
    throw new AgoraError(ErrorCode.InvalidArgument, `short channel id out of range: ${text}`);
  }
  return (block << 40n) | (tx << 16n) | output;
}

function parseField(code: number, data: number[]): InvoiceField | undefined {
  const name = TAG_NAMES[code];
  // Readers skip p, h, s and n fields of the wrong length (BOLT 11); the 52 or 53 words give 32 or 33 bytes.
  switch (name) {
    case 'p':
      return data.length === 52 ? { tag: 'p', paymentHash: toHex(wordsToBytes(data, false)) } : undefined;
    case 's':
      return data.length === 52 ? { tag: 's', paymentSecret: toHex(wordsToBytes(data, false)) } : undefined;
    case 'h':
      return data.length === 52 ? { tag: 'h', descriptionHash: toHex(wordsToBytes(data, false)) } : undefined;
    case 'n':
      return data.length === 53 ? { tag: 'n', payee: toHex(wordsToBytes(data, false)) } : undefined;
    case 'd': {
      const bytes = wordsToBytes(data, false);
      try {
        return { tag: 'd', description: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
      } catch {
        return invalid('description is not UTF-8');
      }
    }
    case 'x':
      return { tag: 'x', expirySeconds: wordsToInt(data, 0, data.length) };
    case 'c':
      return { tag: 'c', minFinalCltvExpiry: wordsToInt(data, 0, data.length) };
    case 'f':
      if (data.length < 1) return undefined;
      return {
        tag: 'f',
        fallbackVersion: data[0] as number,
        fallback: toHex(wordsToBytes(data.slice(1), false)),
      };
    case 'r': {
      const bytes = wordsToBytes(data, false);
      if (bytes.length % 51 !== 0 || bytes.length === 0) invalid('route hint of the wrong length');
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const hops: RouteHintHop[] = [];
      for (let at = 0; at < bytes.length; at += 51) {
        const nodeKey = bytes.subarray(at, at + 33);
        // Downstream routers (LDK among them) cannot take a key that is not on the curve: refuse it here.
        if (!secp256k1.isPointCompressed(nodeKey))
          invalid('a route hint names a node key that is not a valid point');
        hops.push({
          nodeKey: toHex(nodeKey),
          shortChannelId: formatShortChannelId(view.getBigUint64(at + 33)),
          feeBaseMsat: view.getUint32(at + 41),
          feeProportionalMillionths: view.getUint32(at + 45),
          cltvExpiryDelta: view.getUint16(at + 49),
        });
      }
      return { tag: 'r', routeHint: hops };
    }
    case '9':
      return { tag: '9', features: featureBitsFromWords(data) };
    case 'm':
      return { tag: 'm', metadata: toHex(wordsToBytes(data, false)) };
    default:
      return undefined;
  }
}

function fieldWords(field: InvoiceField): number[] {
  switch (field.tag) {
    case 'p':
      return bytesToWords(fromHex(field.paymentHash, 32));
    case 's':
      return bytesToWords(fromHex(field.paymentSecret, 32));
    case 'h':
      return bytesToWords(fromHex(field.descriptionHash, 32));
    case 'n':
      return bytesToWords(fromHex(field.payee, 33));
    case 'd':
      return bytesToWords(utf8(field.description));
    case 'x':
      return intToWords(field.expirySeconds);
    case 'c':
      return intToWords(field.minFinalCltvExpiry);
    case 'f':
      return [field.fallbackVersion, ...bytesToWords(fromHex(field.fallback))];
    case 'r': {
      const bytes = new Uint8Array(51 * field.routeHint.length);
      const view = new DataView(bytes.buffer);
      field.routeHint.forEach((hop, i) => {
        const at = i * 51;
        bytes.set(fromHex(hop.nodeKey, 33), at);
        view.setBigUint64(at + 33, parseShortChannelId(hop.shortChannelId));
        view.setUint32(at + 41, hop.feeBaseMsat);
        view.setUint32(at + 45, hop.feeProportionalMillionths);
        view.setUint16(at + 49, hop.cltvExpiryDelta);
      });
      return bytesToWords(bytes);
    }
    case '9':
      return featureWords(field.features);
    case 'm':
      return bytesToWords(fromHex(field.metadata));
  }
}

function signingHash(hrp: string, dataWords: number[]): Uint8Array {
  // The signed data is the human-readable part, then the data words padded with zero bits to a whole byte.
  return sha256
    .create()
    .update(utf8(hrp))
    .update(wordsToBytes(dataWords, false, true))
    .digest();
}

/**
 * Decodes and checks a BOLT 11 invoice: bech32 checksum, amount rules, required fields (`p` and `s`), unknown
 * required features, and the signature (against `n` when present, low-S required; else by public-key recovery
 * with S normalized). With `network`, an invoice for another network gives `WRONG_NETWORK`. Everything else
 * wrong gives `INVALID_INVOICE`. Expiry is not checked here (see {@link isExpired}).
 */
export function decodeInvoice(paymentRequest: string, options: { network?: BitcoinNetwork } = {}): Invoice {
  if (typeof paymentRequest !== 'string') invalid('not a string');
  // An invoice is decoded several times on its way (payer, payee, receipt, ledger): the signature recovery is the
  // cost, and the result is a pure function of the text, so recent results are kept.
  let invoice = decoded.get(paymentRequest);
  if (invoice === undefined) {
    invoice = decodeUncached(paymentRequest);
    remember(paymentRequest, invoice);
  }
  if (options.network !== undefined && options.network !== invoice.network) {
    throw new AgoraError(
      ErrorCode.WrongNetwork,
      `invoice is for ${invoice.network}, this node is on ${options.network}`,
    );
  }
  return invoice;
}

const DECODED_CACHE = 4096;
const decoded = new Map<string, Invoice>();

/** Keeps a decoded invoice where {@link decodeInvoice} finds it. */
function remember(paymentRequest: string, invoice: Invoice): void {
  if (decoded.size >= DECODED_CACHE) decoded.delete(decoded.keys().next().value as string);
  decoded.set(paymentRequest, deepFreeze(invoice));
}

/**
 * Decodes many invoices ahead of {@link decodeInvoice}, handing every payee recovery (the cost of decoding) to
 * `recover` in one call, such as a worker pool's, and keeps the results where `decodeInvoice` finds them. `recover`
 * must be libsecp256k1's recovery (null when none), as on the calling thread: the invoices are then exactly those
 * `decodeInvoice` gives. An invoice that does not decode is skipped here; `decodeInvoice` gives its error.
 */
export async function primeInvoices(
  paymentRequests: readonly string[],
  recover: (jobs: readonly RecoveryJob[]) => Promise<readonly (Uint8Array | null)[]>,
): Promise<void> {
  // Handed over a part at a time, as they are parsed: a pool's workers recover the first ones while the rest are
  // parsed here.
  const recovering: Promise<void>[] = [];
  let waiting: { paymentRequest: string; parsed: ParsedInvoice }[] = [];
  const handOver = () => {
    const part = waiting;
    waiting = [];
    recovering.push(
      recover(part.map(({ parsed }) => parsed.recovery as RecoveryJob)).then((payees) =>
        part.forEach(({ paymentRequest, parsed }, i) => {
          const payee = payees[i];
          if (payee instanceof Uint8Array) remember(paymentRequest, parsed.complete(payee));
        }),
      ),
    );
  };
  for (const paymentRequest of new Set(paymentRequests)) {
    if (typeof paymentRequest !== 'string' || decoded.has(paymentRequest)) continue;
    let parsed: ParsedInvoice;
    try {
      parsed = parseSigned(paymentRequest);
    } catch {
      continue;
    }
    if (parsed.explicitPayee !== undefined) remember(paymentRequest, parsed.complete(parsed.explicitPayee));
    else {
      waiting.push({ paymentRequest, parsed });
      if (waiting.length === RECOVERY_PART) handOver();
    }
  }
  if (waiting.length > 0) handOver();
  await Promise.all(recovering);
}

/** Recoveries handed to `primeInvoices`'s `recover` at a time (a worker pool's piece). */
const RECOVERY_PART = 64;

/** Freezes plain objects and arrays all the way down: cached results are shared and must not change. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function decodeUncached(paymentRequest: string): Invoice {
  const parsed = parseSigned(paymentRequest);
  return parsed.complete(parsed.explicitPayee ?? recoverHere(parsed.recovery as RecoveryJob));
}

/** An invoice checked up to its payee: either named by `n` (and the signature checked against it) or to recover. */
interface ParsedInvoice {
  readonly explicitPayee: string | undefined;
  readonly recovery: RecoveryJob | undefined;
  /** The invoice, given its payee (a recovered key, or null when none could be recovered). */
  complete(payee: string | Uint8Array | null): Invoice;
}

/** Recovers the payee's compressed key on the calling thread (null when the signature recovers none). */
function recoverHere(job: RecoveryJob): Uint8Array | null {
  return recoverPublicKey(job);
}

function parseSigned(paymentRequest: string): ParsedInvoice {
  const text = paymentRequest.startsWith('lightning:') ? paymentRequest.slice(10) : paymentRequest;
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) invalid('mixed case');
  let hrp: string;
  let words: number[];
  try {
    ({ prefix: hrp, words } = bech32.decode(text.toLowerCase() as `${string}1${string}`, false));
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidInvoice, `invalid invoice: ${(cause as Error).message}`, { cause });
  }
  const match = HRP.exec(hrp);
  if (match === null) invalid(`unknown prefix ${hrp}`);
  const [, currency, digits, multiplier] = match as unknown as [string, string, string, string];
  const network = (Object.keys(NETWORK_PREFIX) as BitcoinNetwork[]).find(
    (n) => NETWORK_PREFIX[n] === currency,
  );
  if (network === undefined) invalid(`unknown currency ${currency}`);
  const amountMsat = parseAmount(digits, multiplier);
  if (words.length < 7 + 104) invalid('too short');
  const dataWords = words.slice(0, words.length - 104);
  const signature = wordsToBytes(words.slice(words.length - 104), true);
  const timestamp = wordsToInt(dataWords, 0, 7);
  const fields: InvoiceField[] = [];
  for (let at = 7; at < dataWords.length; ) {
    if (at + 3 > dataWords.length) invalid('truncated field');
    const code = dataWords[at] as number;
    const length = (dataWords[at + 1] as number) * 32 + (dataWords[at + 2] as number);
    if (at + 3 + length > dataWords.length) invalid('field longer than the invoice');
    const field = parseField(code, dataWords.slice(at + 3, at + 3 + length));
    if (field !== undefined) fields.push(field);
    at += 3 + length;
  }
  const first = <T extends InvoiceField['tag']>(tag: T) =>
    fields.find((f) => f.tag === tag) as Extract<InvoiceField, { tag: T }> | undefined;
  const paymentHash = first('p')?.paymentHash;
  if (paymentHash === undefined) invalid('no payment hash (p)');
  const paymentSecret = first('s')?.paymentSecret;
  if (paymentSecret === undefined) invalid('no payment secret (s)');
  const features = first('9')?.features ?? [];
  const unknownRequired = features.find((bit) => bit % 2 === 0 && !KNOWN_FEATURES.has(bit));
  if (unknownRequired !== undefined) invalid(`unknown required feature bit ${unknownRequired}`);

  const hash = signingHash(hrp, dataWords);
  const compact = signature.subarray(0, 64);
  const recoveryId = signature[64] as number;
  if (recoveryId > 3) invalid('bad recovery flag');
  const explicitPayee = first('n')?.payee;
  if (explicitPayee !== undefined) {
    let ok = false;
    try {
      ok = secp256k1.verify(hash, fromHex(explicitPayee), compact, true);
    } catch {
      ok = false;
    }
    if (!ok) invalid('signature does not match the payee key (n)');
  }
  let recovery: RecoveryJob | undefined;
  if (explicitPayee === undefined) {
    const normalized = Uint8Array.from(compact);
    const s = BigInt(`0x${toHex(compact.subarray(32))}`);
    if (s > HALF_ORDER) normalized.set(fromHex((CURVE_ORDER - s).toString(16).padStart(64, '0')), 32);
    recovery = { hash, signature: normalized, recoveryId: recoveryId as 0 | 1 | 2 | 3 };
  }
  const complete = (found: string | Uint8Array | null): Invoice => {
    if (found === null) invalid('signature is not recoverable');
    const payee = typeof found === 'string' ? found : toHex(found as Uint8Array);
    const expirySeconds = first('x')?.expirySeconds ?? DEFAULT_EXPIRY;
    return {
      paymentRequest: text.toLowerCase(),
      network,
      amountMsat,
      timestamp,
      expirySeconds,
      expiresAt: timestamp + expirySeconds,
      paymentHash,
      paymentSecret,
      payee,
      description: first('d')?.description,
      descriptionHash: first('h')?.descriptionHash,
      minFinalCltvExpiry: first('c')?.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV,
      features,
      routeHints: fields
        .filter((f) => f.tag === 'r')
        .map((f) => (f as { routeHint: RouteHintHop[] }).routeHint),
      metadata: first('m')?.metadata,
      fields,
    };
  };
  return { explicitPayee, recovery, complete };
}

/** What {@link encodeInvoice} writes. */
export interface InvoiceDraft {
  network: BitcoinNetwork;
  amountMsat?: number;
  /** Unix seconds. */
  timestamp: number;
  /** Fields in the order to write them; must include `p` and `s`. */
  fields: InvoiceField[];
}

/** The compressed public key of a node secret that signed invoices here (derived once per secret, kept). */
const signers = new WeakMap<Uint8Array, { readonly secret: Uint8Array; readonly publicKey: Uint8Array }>();

function signerKey(secret: Uint8Array): Uint8Array {
  const known = signers.get(secret);
  // A copy of the secret is kept: a caller's buffer changed since is derived again.
  if (known?.secret.every((byte, i) => byte === secret[i])) return known.publicKey;
  const publicKey = secp256k1.pointFromScalar(secret, true);
  if (publicKey === null) throw new AgoraError(ErrorCode.InvalidArgument, 'invalid node secret key');
  signers.set(secret, { secret: Uint8Array.from(secret), publicKey });
  return publicKey;
}

/**
 * Writes and signs (RFC 6979, low-S) a BOLT 11 invoice with the payee's 32-byte node secret key. With `remember`,
 * the invoice is also kept as {@link decodeInvoice} gives it, its payee being the key of the secret that just signed
 * it (what recovery would find): a payer in this process (the simulated network's) then decodes it without the
 * recovery. The text is decoded in full here (checksum, fields); only the recovery is skipped.
 */
export function encodeInvoice(
  draft: InvoiceDraft,
  nodeSecretKey: Uint8Array,
  options: { remember?: boolean } = {},
): string {
  if (!draft.fields.some((f) => f.tag === 'p') || !draft.fields.some((f) => f.tag === 's')) {
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'an invoice needs a payment hash (p) and a payment secret (s)',
    );
  }
  if (!Number.isSafeInteger(draft.timestamp) || draft.timestamp < 0 || draft.timestamp >= 2 ** 35) {
    throw new AgoraError(ErrorCode.InvalidArgument, 'invoice timestamp out of range');
  }
  const hrp = `ln${NETWORK_PREFIX[draft.network]}${draft.amountMsat === undefined ? '' : encodeAmount(draft.amountMsat)}`;
  const dataWords = intToWords(draft.timestamp, 7);
  for (const field of draft.fields) {
    const words = fieldWords(field);
    if (words.length >= 1024)
      throw new AgoraError(ErrorCode.InvalidArgument, `invoice field ${field.tag} too long`);
    dataWords.push(TAG_CODES[field.tag] as number, words.length >> 5, words.length & 31, ...words);
  }
  const { signature, recoveryId } = secp256k1.signRecoverable(signingHash(hrp, dataWords), nodeSecretKey);
  const signatureWords = bytesToWords(Uint8Array.from([...signature, recoveryId]));
  const paymentRequest = bech32.encode(hrp, [...dataWords, ...signatureWords], false);
  if (options.remember === true)
    remember(paymentRequest, parseSigned(paymentRequest).complete(signerKey(nodeSecretKey)));
  return paymentRequest;
}

/** True when the invoice's expiry has passed at `nowSeconds`. */
export function isExpired(invoice: Invoice, nowSeconds: number): boolean {
  return nowSeconds >= invoice.expiresAt;
}
