import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BranchStep,
  checkHeaderChain,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
  reverseHex,
  targetFromBits,
  txidOf,
  verifyTxInBlock,
} from '../../src/anchor/index.js';
import { ErrorCode } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';

const dir = join(import.meta.dirname, '../vectors/bitcoin');
const block = JSON.parse(readFileSync(join(dir, 'btc-mainnet-542213-bitcoinjs-block.json'), 'utf8'));
const ots = JSON.parse(readFileSync(join(dir, 'btc-mainnet-358391-ots-hello-world-txt.json'), 'utf8'));
const coinbase = block.op_return_txs[0];

/** `hex` with the byte at `index` flipped in its low bit. */
function flipByte(hex: string, index: number): string {
  const byte = Number.parseInt(hex.slice(2 * index, 2 * index + 2), 16) ^ 1;
  return `${hex.slice(0, 2 * index)}${byte.toString(16).padStart(2, '0')}${hex.slice(2 * index + 2)}`;
}

const proofs = [
  {
    name: 'the coinbase of block 542213 (segwit, with its witness)',
    proof: { tx: coinbase.raw_tx_hex, branch: coinbase.merkle_branch as BranchStep[], height: block.height },
    header: block.header_hex as string,
    txid: coinbase.txid as string,
  },
  {
    name: 'the OpenTimestamps transaction in block 358391',
    proof: { tx: ots.raw_tx_hex, branch: ots.merkle_branch as BranchStep[], height: ots.height },
    header: ots.header_hex as string,
    txid: ots.txid as string,
  },
];

describe('block headers', () => {
  it('parse to the recorded fields and hash, and meet their proof of work', () => {
    for (const [data, fields] of [
      [block, block.header_fields],
      [ots, ots.header_fields],
    ]) {
      const header = parseBlockHeader(data.header_hex);
      expect(header).toMatchObject({
        version: fields.version,
        previousBlock: fields.prev_block_display,
        merkleRoot: fields.merkle_root_display,
        time: fields.time,
        bits: fields.bits,
        nonce: fields.nonce,
        hash: data.block_hash,
      });
      expect(checkHeaderChain([data.header_hex])).toHaveLength(1);
    }
    // The genesis block's nBits, and a negative and an empty target.
    expect(targetFromBits(0x1d00ffff)).toBe(0xffffn << 208n);
    thrownAgoraError(() => targetFromBits(0x1d800001), ErrorCode.InvalidProof);
    thrownAgoraError(() => targetFromBits(0x1d000000), ErrorCode.InvalidProof);
    thrownAgoraError(() => parseBlockHeader('00'.repeat(79)), ErrorCode.InvalidArgument);
  });

  it('refuse a header with one byte changed anywhere, nBits included: its work is gone', () => {
    for (const index of [0, 4, 36, 68, 72, 73, 74, 75, 76]) {
      thrownAgoraError(() => checkHeaderChain([flipByte(block.header_hex, index)]), ErrorCode.InvalidProof);
    }
  });
});

describe('SPV', () => {
  it('accepts the real mainnet transactions and branches', () => {
    for (const { proof, header, txid } of proofs) {
      expect(txidOf(proof.tx)).toBe(txid);
      const verified = verifyTxInBlock(proof, { [proof.height]: header });
      expect(verified).toMatchObject({ txid, height: proof.height, confirmations: 1 });
      expect(verified.blockHash).toBe(parseBlockHeader(header).hash);
    }
  });

  it('builds the branches of every transaction of block 542213 as Bitcoin does', () => {
    const txids: string[] = block.txids_in_block_order;
    expect(merkleBranch(txids, 0)).toEqual(coinbase.merkle_branch);
    for (const index of txids.keys())
      expect(reverseHex(merkleRootFromBranch(txids[index] as string, merkleBranch(txids, index)))).toBe(
        block.header_fields.merkle_root_display,
      );
  });

  it('refuses each with one byte changed: transaction, sibling, header or nBits', () => {
    for (const { proof, header } of proofs) {
      const headers = { [proof.height]: header };
      // A byte inside the transaction (past the version), so it still parses but has another txid.
      const tx = flipByte(proof.tx, 60);
      expect(() => verifyTxInBlock({ ...proof, tx }, headers)).toThrow();
      for (const step of proof.branch.keys()) {
        const branch = proof.branch.map((s, i) =>
          i === step ? { ...s, sibling: flipByte(s.sibling, 31) } : s,
        );
        thrownAgoraError(() => verifyTxInBlock({ ...proof, branch }, headers), ErrorCode.InvalidProof);
      }
      const side = proof.branch.map((s, i) =>
        i === 0 ? { ...s, side: s.side === 'left' ? 'right' : 'left' } : s,
      );
      thrownAgoraError(
        () => verifyTxInBlock({ ...proof, branch: side as BranchStep[] }, headers),
        ErrorCode.InvalidProof,
      );
      thrownAgoraError(
        () => verifyTxInBlock(proof, { [proof.height]: flipByte(header, 40) }),
        ErrorCode.InvalidProof,
      );
      thrownAgoraError(
        () => verifyTxInBlock(proof, { [proof.height]: flipByte(header, 73) }),
        ErrorCode.InvalidProof,
      );
      thrownAgoraError(() => verifyTxInBlock(proof, {}), ErrorCode.InvalidProof);
      thrownAgoraError(() => verifyTxInBlock(proof, { [proof.height + 1]: header }), ErrorCode.InvalidProof);
    }
  });
});
