import { reverseHex } from '../anchor/index.js';
import { doubleSha256, fromHex, toHex } from '../core/index.js';

/** A regtest header on `previous` with this Merkle root (internal order) and time, mined to regtest's target. */
export function regtestHeader(previous: string, merkleRoot: string, time: number): string {
  const bytes = new Uint8Array(80);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 0x20000000, true);
  bytes.set(fromHex(reverseHex(previous)), 4);
  bytes.set(fromHex(merkleRoot), 36);
  view.setUint32(68, time, true);
  view.setUint32(72, 0x207fffff, true);
  for (let nonce = 0; ; nonce++) {
    view.setUint32(76, nonce, true);
    // Regtest's target is just under 2^255: the hash's top byte (the last, as stored) below 0x80.
    if (((doubleSha256(bytes)[31] as number) & 0x80) === 0) return toHex(bytes);
  }
}
