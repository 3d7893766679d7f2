import { AgoraError, ErrorCode } from '../core/index.js';

/**
 * The fixed-width records of consecutive events of one type, as stored under one key: a whole appended batch's
 * records are one value, so reading a million records is a few thousand sequential reads, not a million.
 */
export interface RecordBlock {
  /** Bytes per record. */
  readonly size: number;
  /** Sequence number of each record's event, ascending. */
  readonly seqs: readonly number[];
  /** The records back to back: record `i` spans `i * size .. (i + 1) * size`. */
  readonly bytes: Uint8Array;
}

// Layout: version (1 byte), record size (u16 BE), count (u32 BE), the sequence numbers (u64 BE each), the records.
const VERSION = 1;
const HEADER = 7;

/** Packs records (each `size` bytes) and their sequence numbers into one stored value. */
export function encodeRecordBlock(
  size: number,
  seqs: readonly number[],
  records: readonly Uint8Array[],
): Uint8Array {
  const count = seqs.length;
  const out = new Uint8Array(HEADER + count * (8 + size));
  const view = new DataView(out.buffer);
  view.setUint8(0, VERSION);
  view.setUint16(1, size);
  view.setUint32(3, count);
  // As two 32-bit halves: a sequence number is below 2^53, and a BigInt per record costs more than the record.
  for (let i = 0; i < count; i++) {
    const seq = seqs[i] as number;
    view.setUint32(HEADER + i * 8, Math.floor(seq / 2 ** 32));
    view.setUint32(HEADER + i * 8 + 4, seq >>> 0);
  }
  const base = HEADER + count * 8;
  for (let i = 0; i < count; i++) out.set(records[i] as Uint8Array, base + i * size);
  return out;
}

/** Unpacks a stored value; a value that is not a well-formed block is a damaged store (`STORE_UNAVAILABLE`). */
export function decodeRecordBlock(value: Uint8Array): RecordBlock {
  const damaged = (why: string): never => {
    throw new AgoraError(ErrorCode.StoreUnavailable, `ledger record block is damaged: ${why}`);
  };
  if (value.length < HEADER) damaged('shorter than its header');
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (view.getUint8(0) !== VERSION) damaged(`unknown version ${view.getUint8(0)}`);
  const size = view.getUint16(1);
  const count = view.getUint32(3);
  if (value.length !== HEADER + count * (8 + size)) damaged('its length does not match its count');
  const seqs = new Array<number>(count);
  for (let i = 0; i < count; i++)
    seqs[i] = view.getUint32(HEADER + i * 8) * 2 ** 32 + view.getUint32(HEADER + i * 8 + 4);
  return { size, seqs, bytes: value.subarray(HEADER + count * 8) };
}
