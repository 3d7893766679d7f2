import { RawTx } from '@scure/btc-signer';
import { AgoraError, ErrorCode, fromHex } from '../core/index.js';
import { anchorPayload } from './commitment.js';
import type { OtsOp, OtsProof, OtsTimestamp } from './ots.js';
import type { AnchorProof } from './spv.js';

/** The serialization a txid hashes: the transaction without its witness data. */
function strippedTransaction(raw: string): Uint8Array {
  try {
    const tx = RawTx.decode(fromHex(raw));
    return RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined });
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

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A chain of operations ending in one attestation, as a timestamp tree. */
function chain(ops: readonly OtsOp[], height: number): OtsTimestamp {
  let node: OtsTimestamp = { attestations: [{ kind: 'bitcoin', height }], ops: [] };
  for (const op of [...ops].reverse()) node = { attestations: [], ops: [{ op, timestamp: node }] };
  return node;
}

/**
 * An anchor proof as a standard OpenTimestamps proof: the commitment is the "file digest" (sha256), prepended and
 * appended with the rest of the transaction, hashed twice to the txid, then up the Merkle branch to the block's
 * Merkle root, attested by a Bitcoin block-header attestation at the anchor's height. Any OpenTimestamps verifier
 * holding that header checks it. Call {@link verifyAnchor} first: this only rewrites the proof.
 */
export function anchorToOts(proof: AnchorProof): OtsProof {
  const commitment = fromHex(proof.commitment, 32);
  const stripped = strippedTransaction(proof.tx);
  const at = indexOf(stripped, anchorPayload(commitment));
  if (at < 0) throw new AgoraError(ErrorCode.InvalidProof, 'the transaction does not carry this commitment');
  const start = at + 4;
  const prefix = stripped.slice(0, start);
  const suffix = stripped.slice(start + 32);
  const ops: OtsOp[] = [
    { op: 'prepend', arg: prefix },
    ...(suffix.length > 0 ? [{ op: 'append' as const, arg: suffix }] : []),
    { op: 'sha256' },
    { op: 'sha256' },
  ];
  for (const { sibling, side } of proof.branch)
    ops.push(
      { op: side === 'left' ? 'prepend' : 'append', arg: fromHex(sibling, 32) },
      { op: 'sha256' },
      { op: 'sha256' },
    );
  return { fileHashOp: 'sha256', fileDigest: commitment, timestamp: chain(ops, proof.height) };
}
