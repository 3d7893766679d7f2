import { describe, expect, it } from 'vitest';
import { decodeRecordBlock, encodeRecordBlock } from '../../src/ledger/record-block.js';

// Sequence numbers are stored as two 32-bit halves (no BigInt per record): every value below 2^53 must round-trip.
describe('record blocks', () => {
  it('keep sequence numbers up to 2^53 - 1 and the records as given', () => {
    const seqs = [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER];
    const records = seqs.map((_, i) => Uint8Array.of(i, 255 - i, 7));
    const block = decodeRecordBlock(encodeRecordBlock(3, seqs, records));
    expect(block.size).toBe(3);
    expect(block.seqs).toEqual(seqs);
    expect([...block.bytes]).toEqual(records.flatMap((r) => [...r]));
  });
});
