import { Transaction } from '@scure/btc-signer';
import type { BitcoinNetwork } from '../core/index.js';
import { AgoraError, ErrorCode, fromHex, isJsonObject, isLowerHex, toHex } from '../core/index.js';
import {
  type BlockHeader,
  type BranchStep,
  checkHeaderChain,
  merkleRootFromBranch,
  reverseHex,
} from './block-header.js';
import { commitmentOfScript } from './commitment.js';

/** What proves a transaction is in a block: the raw transaction, its Merkle branch, the block's height. */
export interface TxProof {
  /** The raw transaction, hex (with or without witness data). */
  readonly tx: string;
  readonly branch: readonly BranchStep[];
  readonly height: number;
}

/**
 * What proves an anchor offline: a {@link TxProof} of the transaction carrying the commitment in an `AGR1` OP_RETURN
 * output. The headers come separately (from any source: they check themselves).
 */
export interface AnchorProof extends TxProof {
  /** 32-byte hex. */
  readonly commitment: string;
}

/** Each chain's easiest allowed target (`powLimit`, as nBits): a header claiming less work is not of that chain. */
export const POW_LIMIT_BITS: Record<BitcoinNetwork, number> = {
  bitcoin: 0x1d00ffff,
  testnet: 0x1d00ffff,
  signet: 0x1e0377ae,
  regtest: 0x207fffff,
};

/** What an SPV check requires of an anchor: confirmations and the chain its headers belong to. */
export interface SpvOptions {
  /** Least confirmations required; default 1. */
  readonly minConfirmations?: number;
  /** The chain the headers must belong to (its least work per block); default `bitcoin`. */
  readonly chain?: BitcoinNetwork;
}

/** A verified anchor. */
export interface VerifiedAnchor {
  readonly txid: string;
  readonly height: number;
  readonly blockHash: string;
  /** The block's time (unix seconds): the commitment existed before it. */
  readonly time: number;
  /** Blocks from the anchor's to the last header given, both included. */
  readonly confirmations: number;
}

function parseTransaction(raw: string): Transaction {
  try {
    return Transaction.fromRaw(fromHex(raw), { allowUnknownOutputs: true, allowUnknownInputs: true });
  } catch (cause) {
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `not a Bitcoin transaction: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
}

/** The txid (display order) of a raw transaction, witness data left out as Bitcoin does. */
export function txidOf(raw: string): string {
  return parseTransaction(raw).id;
}

/**
 * SPV: the transaction's txid and branch lead to the Merkle root of the header at `proof.height`, and `headers`
 * (height -> 80-byte header hex, a contiguous run from that height up) form a chain, each header meeting its proof of
 * work. Returns what it established; `INVALID_PROOF` (or `INVALID_ARGUMENT` for malformed input) otherwise.
 */
export function verifyTxInBlock(
  proof: TxProof,
  headers: Readonly<Record<number, string>>,
  options: SpvOptions = {},
): VerifiedAnchor {
  if (!Number.isSafeInteger(proof.height) || proof.height < 0)
    throw new AgoraError(ErrorCode.InvalidArgument, 'the height is a block height');
  if (typeof proof.tx !== 'string' || !Array.isArray(proof.branch))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a proof is {tx: hex, branch: [...], height}');
  for (const step of proof.branch as unknown[])
    if (
      !isJsonObject(step) ||
      !isLowerHex(step.sibling, 32) ||
      (step.side !== 'left' && step.side !== 'right')
    )
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        'a branch step is {sibling: 32-byte hex, side: left | right}',
      );
  const txid = parseTransaction(proof.tx).id;
  const chain: string[] = [];
  for (let height = proof.height; headers[height] !== undefined; height++)
    chain.push(headers[height] as string);
  if (chain.length === 0)
    throw new AgoraError(ErrorCode.InvalidProof, `no header for block ${proof.height} was given`);
  const parsed = checkHeaderChain(chain, { powLimitBits: POW_LIMIT_BITS[options.chain ?? 'bitcoin'] });
  const block = parsed[0] as BlockHeader;
  if (reverseHex(merkleRootFromBranch(txid, proof.branch)) !== block.merkleRoot)
    throw new AgoraError(ErrorCode.InvalidProof, `transaction ${txid} is not in block ${block.hash}`);
  const confirmations = parsed.length;
  const wanted = options.minConfirmations ?? 1;
  if (confirmations < wanted)
    throw new AgoraError(ErrorCode.InvalidProof, `${confirmations} confirmations given, ${wanted} asked for`);
  return { txid, height: proof.height, blockHash: block.hash, time: block.time, confirmations };
}

/**
 * Verifies an anchor offline: the transaction has an OP_RETURN output with `AGR1` + the commitment, and
 * {@link verifyTxInBlock} holds for it.
 */
export function verifyAnchor(
  proof: AnchorProof,
  headers: Readonly<Record<number, string>>,
  options: SpvOptions = {},
): VerifiedAnchor {
  if (!isLowerHex(proof.commitment, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'the commitment is 32 bytes of lower-case hex');
  const tx = parseTransaction(proof.tx);
  let carries = false;
  for (let i = 0; i < tx.outputsLength; i++) {
    const script = tx.getOutput(i).script;
    const found = script === undefined ? undefined : commitmentOfScript(script);
    if (found !== undefined && toHex(found) === proof.commitment) carries = true;
  }
  if (!carries)
    throw new AgoraError(ErrorCode.InvalidProof, 'the transaction has no AGR1 output with this commitment');
  return verifyTxInBlock(proof, headers, options);
}
