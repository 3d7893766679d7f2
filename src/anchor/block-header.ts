import { AgoraError, bitcoinMerkleLevels, doubleSha256, ErrorCode, fromHex, toHex } from '../core/index.js';

/** Bitcoin shows hashes (txids, block hashes) byte-reversed; this turns one form into the other. */
export function reverseHex(hex: string): string {
  return toHex(fromHex(hex).reverse());
}

/** A parsed 80-byte block header. Hashes are in display order (as explorers and RPCs show them). */
export interface BlockHeader {
  readonly version: number;
  readonly previousBlock: string;
  readonly merkleRoot: string;
  /** Unix seconds. */
  readonly time: number;
  readonly bits: number;
  readonly nonce: number;
  /** This header's block hash, display order. */
  readonly hash: string;
  readonly bytes: Uint8Array;
}

/** The size of a serialized Bitcoin block header. */
export const HEADER_BYTES = 80;

/** Parses an 80-byte header (bytes or hex); `INVALID_ARGUMENT` for anything else. */
export function parseBlockHeader(header: Uint8Array | string): BlockHeader {
  let bytes: Uint8Array;
  try {
    bytes = typeof header === 'string' ? fromHex(header) : header;
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidArgument, 'a block header is 80 bytes of hex', { cause });
  }
  if (bytes.length !== HEADER_BYTES)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a block header is ${HEADER_BYTES} bytes, not ${bytes.length}`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const display = (from: number) => toHex(bytes.slice(from, from + 32).reverse());
  return {
    version: view.getInt32(0, true),
    previousBlock: display(4),
    merkleRoot: display(36),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
    hash: toHex(doubleSha256(bytes).reverse()),
    bytes: Uint8Array.from(bytes),
  };
}

/** The proof-of-work target a compact `nBits` stands for; `INVALID_PROOF` for a negative or overflowing one. */
export function targetFromBits(bits: number): bigint {
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if ((bits & 0x00800000) !== 0 && mantissa !== 0)
    throw new AgoraError(ErrorCode.InvalidProof, `nBits ${bits.toString(16)} encodes a negative target`);
  const target =
    exponent <= 3
      ? BigInt(mantissa >>> (8 * (3 - exponent)))
      : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target === 0n || target >= 1n << 256n)
    throw new AgoraError(ErrorCode.InvalidProof, `nBits ${bits.toString(16)} encodes no usable target`);
  return target;
}

/** Throws `INVALID_PROOF` unless the header's hash is at or below the target its `nBits` claims. */
export function checkProofOfWork(header: BlockHeader): void {
  if (BigInt(`0x${header.hash}`) > targetFromBits(header.bits))
    throw new AgoraError(
      ErrorCode.InvalidProof,
      `block ${header.hash} does not meet its own proof-of-work target`,
    );
}

/**
 * Checks that `headers` (lowest first) form a chain: each names the previous one's hash and meets its proof of work,
 * and (with `powLimitBits`, a chain's easiest allowed target) claims at least the chain's least work. Returns the
 * parsed headers. `INVALID_PROOF` at a gap or a header without its work.
 */
export function checkHeaderChain(
  headers: readonly (Uint8Array | string)[],
  options: { powLimitBits?: number } = {},
): BlockHeader[] {
  const parsed = headers.map((header) => parseBlockHeader(header));
  const limit = options.powLimitBits === undefined ? undefined : targetFromBits(options.powLimitBits);
  parsed.forEach((header, i) => {
    checkProofOfWork(header);
    if (limit !== undefined && targetFromBits(header.bits) > limit)
      throw new AgoraError(
        ErrorCode.InvalidProof,
        `block ${header.hash} claims less work than its chain allows`,
      );
    const previous = parsed[i - 1];
    if (previous !== undefined && header.previousBlock !== previous.hash)
      throw new AgoraError(
        ErrorCode.InvalidProof,
        `header ${i} does not follow header ${i - 1}: the chain has a gap`,
      );
  });
  return parsed;
}

/** One step of a transaction's Merkle branch: the sibling hash (internal byte order) and its side. */
export interface BranchStep {
  readonly sibling: string;
  /** Where the sibling sits: `left` hashes `sibling || current`, `right` hashes `current || sibling`. */
  readonly side: 'left' | 'right';
}

/** The Merkle root (internal byte order) a txid (display order) and its branch lead to. */
export function merkleRootFromBranch(txid: string, branch: readonly BranchStep[]): string {
  let current = fromHex(reverseHex(txid));
  for (const { sibling, side } of branch) {
    const other = fromHex(sibling, 32);
    const pair = new Uint8Array(64);
    pair.set(side === 'left' ? other : current, 0);
    pair.set(side === 'left' ? current : other, 32);
    current = doubleSha256(pair);
  }
  return toHex(current);
}

/**
 * The branch of the transaction at `index` among `txids` (display order, block order), as Bitcoin builds its tree
 * (an odd node is paired with itself).
 */
export function merkleBranch(txids: readonly string[], index: number): BranchStep[] {
  if (!Number.isInteger(index) || index < 0 || index >= txids.length)
    throw new AgoraError(ErrorCode.InvalidArgument, `no transaction ${index} among ${txids.length}`);
  const levels = bitcoinMerkleLevels(txids.map((txid) => fromHex(reverseHex(txid))));
  return levels.slice(0, -1).map((level, depth) => {
    const position = Math.floor(index / 2 ** depth);
    const sibling = level[
      Math.min(position % 2 === 0 ? position + 1 : position - 1, level.length - 1)
    ] as Uint8Array;
    return { sibling: toHex(sibling), side: position % 2 === 0 ? 'right' : 'left' };
  });
}
