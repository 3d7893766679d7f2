// A regtest-difficulty chain of three blocks, the first holding a real anchor transaction: what an anchor proof
// looks like once confirmed, made here because mainnet holds no agora402 anchors.
import {
  type AnchorProof,
  buildAnchorTransaction,
  doubleSha256,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
  reverseHex,
} from '../../src/anchor/index.js';
import { fromHex, sha256, toHex, utf8 } from '../../src/core/index.js';

const EASY_BITS = 0x207fffff;
const HEIGHT = 840_000;

/** An 80-byte header on top of `previous` (display hash) with this Merkle root (internal order), mined. */
function mineHeader(previous: string, merkleRootInternal: string, time: number): string {
  const bytes = new Uint8Array(80);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 0x20000000, true);
  bytes.set(fromHex(reverseHex(previous)), 4);
  bytes.set(fromHex(merkleRootInternal), 36);
  view.setUint32(68, time, true);
  view.setUint32(72, EASY_BITS, true);
  for (let nonce = 0; ; nonce++) {
    view.setUint32(76, nonce, true);
    // Regtest's target is half the hash space: the top bit of the hash (display order) must be clear.
    const hash = doubleSha256(bytes);
    if (((hash[31] as number) & 0x80) === 0) return toHex(bytes);
  }
}

export function anchoredBlock(): { proof: AnchorProof; headers: Record<number, string> } {
  const commitment = sha256(utf8('agora402 anchored-block fixture'));
  const anchor = buildAnchorTransaction({
    secretKey: sha256(utf8('fixture wallet')),
    chain: 'regtest',
    utxos: [{ txid: toHex(sha256(utf8('fixture coin'))), vout: 0, amountSat: 100_000n }],
    commitment,
    feeRate: 2,
  });
  const txids = [
    toHex(sha256(utf8('coinbase'))),
    anchor.txid,
    toHex(sha256(utf8('another'))),
    toHex(sha256(utf8('and another'))),
    toHex(sha256(utf8('an odd one'))),
  ];
  const branch = merkleBranch(txids, 1);
  const root = merkleRootFromBranch(anchor.txid, branch);
  const first = mineHeader('00'.repeat(32), root, 1_800_000_000);
  const second = mineHeader(parseBlockHeader(first).hash, toHex(sha256(utf8('block 2'))), 1_800_000_600);
  const third = mineHeader(parseBlockHeader(second).hash, toHex(sha256(utf8('block 3'))), 1_800_001_200);
  return {
    proof: { commitment: toHex(commitment), tx: anchor.hex, branch, height: HEIGHT },
    headers: { [HEIGHT]: first, [HEIGHT + 1]: second, [HEIGHT + 2]: third },
  };
}
