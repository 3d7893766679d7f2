import { fromHex } from '../core/index.js';
import type { EventRecordCodec, LedgerEvent } from '../ledger/index.js';
import type { ReceiptBody, ReceiptRating } from './receipt.js';

/*
 * The fixed-width records the ledger keeps beside each receipt and rating (its trust index), so that reputation
 * reads a million receipts as packed bytes instead of parsing their JSON. Integers are big-endian.
 *
 * receipt (146 bytes): id 32 | payment hash 32 | provider 32 | payer 32 (zeros when none) | flags 1 (bit 0: a
 *   payer, bit 1: a payer rating) | payer rating 1 (signed) | amount msat 8 | created 8
 * receipt.rating (105 bytes): id 32 | receipt id 32 | author 32 | rating 1 (signed) | created 8
 */

/** Bytes of a receipt's record. */
export const RECEIPT_RECORD_SIZE = 146;
/** Bytes of a rating's record. */
export const RATING_RECORD_SIZE = 105;

const HAS_PAYER = 1;
const HAS_PAYER_RATING = 2;

/** What a receipt's record holds (ids as raw bytes: readers decide what to turn into hex). */
export interface ReceiptRecord {
  readonly id: Uint8Array;
  readonly paymentHash: Uint8Array;
  readonly provider: Uint8Array;
  readonly payer: Uint8Array | null;
  readonly payerRating: number | undefined;
  readonly amountMsat: number;
  readonly created: number;
}

/** What a rating's record holds. */
export interface RatingRecord {
  readonly id: Uint8Array;
  readonly receipt: Uint8Array;
  readonly author: Uint8Array;
  readonly rating: number;
  readonly created: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Record codec of `receipt` events (used by the ledger on verified events only). */
export const receiptRecordCodec: EventRecordCodec = {
  size: RECEIPT_RECORD_SIZE,
  encode(event: LedgerEvent, id: Uint8Array): Uint8Array {
    const body = event.body as unknown as ReceiptBody;
    const out = new Uint8Array(RECEIPT_RECORD_SIZE);
    const v = view(out);
    out.set(id, 0);
    out.set(fromHex(body.paymentHash), 32);
    out.set(fromHex(event.author as string), 64);
    if (body.payer !== null) out.set(fromHex(body.payer), 96);
    v.setUint8(
      128,
      (body.payer === null ? 0 : HAS_PAYER) | (body.payerRating === undefined ? 0 : HAS_PAYER_RATING),
    );
    v.setInt8(129, body.payerRating ?? 0);
    v.setBigUint64(130, BigInt(body.amountMsat));
    v.setBigUint64(138, BigInt(event.created));
    return out;
  },
};

/** Record codec of `receipt.rating` events. */
export const ratingRecordCodec: EventRecordCodec = {
  size: RATING_RECORD_SIZE,
  encode(event: LedgerEvent, id: Uint8Array): Uint8Array {
    const body = event.body as unknown as ReceiptRating;
    const out = new Uint8Array(RATING_RECORD_SIZE);
    const v = view(out);
    out.set(id, 0);
    out.set(fromHex(body.receipt), 32);
    out.set(fromHex(event.author as string), 64);
    v.setInt8(96, body.rating);
    v.setBigUint64(97, BigInt(event.created));
    return out;
  },
};

/** Reads the receipt record at `offset` of `bytes` (views into `bytes`, not copies). */
export function decodeReceiptRecord(bytes: Uint8Array, offset = 0): ReceiptRecord {
  const v = view(bytes);
  const flags = v.getUint8(offset + 128);
  return {
    id: bytes.subarray(offset, offset + 32),
    paymentHash: bytes.subarray(offset + 32, offset + 64),
    provider: bytes.subarray(offset + 64, offset + 96),
    payer: flags & HAS_PAYER ? bytes.subarray(offset + 96, offset + 128) : null,
    payerRating: flags & HAS_PAYER_RATING ? v.getInt8(offset + 129) : undefined,
    amountMsat: Number(v.getBigUint64(offset + 130)),
    created: Number(v.getBigUint64(offset + 138)),
  };
}

/** Reads the rating record at `offset` of `bytes`. */
export function decodeRatingRecord(bytes: Uint8Array, offset = 0): RatingRecord {
  const v = view(bytes);
  return {
    id: bytes.subarray(offset, offset + 32),
    receipt: bytes.subarray(offset + 32, offset + 64),
    author: bytes.subarray(offset + 64, offset + 96),
    rating: v.getInt8(offset + 96),
    created: Number(v.getBigUint64(offset + 97)),
  };
}
