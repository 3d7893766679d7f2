// A regtest-difficulty chain of three blocks, the first holding a real anchor transaction: what an anchor proof
// looks like once confirmed, made here because mainnet holds no agora402 anchors.

import { sha256 } from '@noble/hashes/sha2.js';
import {
  type AnchorProof,
  buildAnchorTransaction,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
} from '../../src/anchor/index.js';
import { toHex, utf8 } from '../../src/core/index.js';
import { mineHeader } from './regtest-chain.js';

const HEIGHT = 840_000;

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
