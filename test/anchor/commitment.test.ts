import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorPayload,
  CommitmentTree,
  commitmentOfScript,
  commitmentRootOf,
  eventsCommitmentTree,
  opReturnScript,
  proposalCommitmentTree,
  verifyAnchor,
  verifyInclusion,
} from '../../src/anchor/index.js';
import { ErrorCode, isAgoraError, toHex, utf8 } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';
import { anchoredBlock } from './anchored-block.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => toHex(sha256(utf8(`event ${i}`))));

describe('commitment trees', () => {
  it('prove every leaf of trees of every size up to 33, and refuse a changed leaf, sibling or side', () => {
    for (let size = 1; size <= 33; size++) {
      const tree = eventsCommitmentTree(ids(size));
      for (const [index, id] of ids(size).entries()) {
        const proof = tree.proof(index);
        const leaf = Buffer.from(id, 'hex');
        verifyInclusion(tree.root, leaf, proof);
        thrownAgoraError(() => verifyInclusion(tree.root, sha256(leaf), proof), ErrorCode.InvalidProof);
        if (proof.length > 0) {
          const [first, ...rest] = proof as [(typeof proof)[number], ...typeof proof];
          const flipped = { ...first, side: first.side === 'left' ? ('right' as const) : ('left' as const) };
          thrownAgoraError(
            () => verifyInclusion(tree.root, leaf, [flipped, ...rest]),
            ErrorCode.InvalidProof,
          );
          const other = { ...first, sibling: toHex(sha256(utf8(first.sibling))) };
          thrownAgoraError(() => verifyInclusion(tree.root, leaf, [other, ...rest]), ErrorCode.InvalidProof);
        }
      }
    }
    thrownAgoraError(() => new CommitmentTree([]), ErrorCode.InvalidArgument);
    thrownAgoraError(() => eventsCommitmentTree(ids(3)).proof(3), ErrorCode.InvalidArgument);
  });

  it('never give two leaf lists one root by duplicating the odd leaf', () => {
    const three = eventsCommitmentTree(ids(3));
    const four = eventsCommitmentTree([...ids(3), ids(3)[2] as string]);
    expect(toHex(three.root)).not.toBe(toHex(four.root));
  });

  it("commit to a proposal's result and counted votes, each vote provable, order of counting irrelevant", () => {
    const input = { proposal: 'ab'.repeat(32), result: { outcome: { state: 'succeeded' } }, counted: ids(5) };
    const tree = proposalCommitmentTree(input);
    expect(tree.size).toBe(6);
    expect(toHex(proposalCommitmentTree({ ...input, counted: [...input.counted].reverse() }).root)).toBe(
      toHex(tree.root),
    );
    expect(
      toHex(proposalCommitmentTree({ ...input, result: { outcome: { state: 'defeated' } } }).root),
    ).not.toBe(toHex(tree.root));
    const sorted = [...input.counted].sort();
    for (const [i, id] of sorted.entries())
      expect(toHex(commitmentRootOf(Buffer.from(id, 'hex'), tree.proof(i + 1)))).toBe(toHex(tree.root));
  });

  it('wrap commitments in AGR1 OP_RETURN scripts and find them again', () => {
    const commitment = sha256(utf8('c'));
    const script = opReturnScript(anchorPayload(commitment));
    expect(toHex(script)).toBe(`6a2441475231${toHex(commitment)}`);
    expect(toHex(commitmentOfScript(script) as Uint8Array)).toBe(toHex(commitment));
    expect(commitmentOfScript(opReturnScript(utf8('AGR2').subarray(0, 4)))).toBeUndefined();
    expect(commitmentOfScript(Uint8Array.from([0x76, 0xa9]))).toBeUndefined();
    thrownAgoraError(() => anchorPayload(new Uint8Array(31)), ErrorCode.InvalidArgument);
  });
});

describe('anchor proofs from untrusted JSON', () => {
  it('give only typed errors, whatever is in them (property)', () => {
    const { proof, headers } = anchoredBlock();
    const field = fc.constantFrom('commitment', 'tx', 'branch', 'height');
    fc.assert(
      fc.property(field, fc.jsonValue(), (name, value) => {
        try {
          verifyAnchor({ ...proof, [name]: value } as never, headers, { chain: 'regtest' });
          return JSON.stringify(value) === JSON.stringify(proof[name as keyof typeof proof]);
        } catch (error) {
          return isAgoraError(error);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.integer({ min: 0, max: 900_000 }).map(String), fc.string()), (garbage) => {
        try {
          verifyAnchor(proof, garbage as never, { chain: 'regtest' });
          return false;
        } catch (error) {
          return isAgoraError(error);
        }
      }),
      { numRuns: 300 },
    );
  });
});
