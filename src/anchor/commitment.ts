import {
  AgoraError,
  bytesEqual,
  canonicalJson,
  ErrorCode,
  fromHex,
  taggedHash,
  toHex,
  utf8,
} from '../core/index.js';

/** The 4-byte magic before a commitment in an OP_RETURN output. */
export const ANCHOR_MAGIC = utf8('AGR1');
/** Standard relay policy's largest OP_RETURN data. */
export const MAX_OP_RETURN_DATA = 80;
const OP_RETURN = 0x6a;

/** `AGR1` + the 32-byte commitment: the OP_RETURN data of an anchor (36 bytes). */
export function anchorPayload(commitment: Uint8Array): Uint8Array {
  if (commitment.length !== 32) throw new AgoraError(ErrorCode.InvalidArgument, 'a commitment is 32 bytes');
  const payload = new Uint8Array(ANCHOR_MAGIC.length + 32);
  payload.set(ANCHOR_MAGIC, 0);
  payload.set(commitment, ANCHOR_MAGIC.length);
  return payload;
}

/** An OP_RETURN output script carrying `data` (a single push); `INVALID_ARGUMENT` over 80 bytes. */
export function opReturnScript(data: Uint8Array): Uint8Array {
  if (data.length > MAX_OP_RETURN_DATA)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `OP_RETURN data is at most ${MAX_OP_RETURN_DATA} bytes, not ${data.length}`,
    );
  // Pushes of up to 75 bytes carry their length as the opcode; longer ones need OP_PUSHDATA1.
  const push = data.length <= 75 ? [data.length] : [0x4c, data.length];
  return Uint8Array.from([OP_RETURN, ...push, ...data]);
}

/** The commitment an output script carries, or undefined when it is not an `AGR1` OP_RETURN. */
export function commitmentOfScript(script: Uint8Array): Uint8Array | undefined {
  const expected = opReturnScript(anchorPayload(new Uint8Array(32)));
  if (script.length !== expected.length || script[0] !== OP_RETURN || script[1] !== expected[1])
    return undefined;
  const data = script.subarray(2);
  if (!bytesEqual(data.subarray(0, 4), ANCHOR_MAGIC)) return undefined;
  return Uint8Array.from(data.subarray(4));
}

const LEAF = 'agora402/anchor-leaf';
const NODE = 'agora402/anchor-node';

/** One step of an inclusion proof in a commitment tree (hex sibling, its side). */
export interface CommitmentStep {
  readonly sibling: string;
  readonly side: 'left' | 'right';
}

/**
 * A Merkle tree of tagged SHA-256 hashes over byte strings (event ids, a result): leaf `H_leaf(data)`, node
 * `H_node(left || right)`, an odd node carried up unchanged (never paired with itself, so no two leaf lists share a
 * root by duplication). The root is an anchor's commitment.
 */
export class CommitmentTree {
  private readonly levels: Uint8Array[][];

  constructor(leaves: readonly Uint8Array[]) {
    if (leaves.length === 0)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a commitment tree needs a leaf');
    let level = leaves.map((leaf) => taggedHash(LEAF, leaf));
    this.levels = [level];
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const left = level[i] as Uint8Array;
        const right = level[i + 1];
        next.push(right === undefined ? left : hashNode(left, right));
      }
      level = next;
      this.levels.push(level);
    }
  }

  get root(): Uint8Array {
    return (this.levels.at(-1) as Uint8Array[])[0] as Uint8Array;
  }

  get size(): number {
    return (this.levels[0] as Uint8Array[]).length;
  }

  /** The inclusion proof of leaf `index`. */
  proof(index: number): CommitmentStep[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new AgoraError(ErrorCode.InvalidArgument, `no leaf ${index} in a tree of ${this.size}`);
    const steps: CommitmentStep[] = [];
    let position = index;
    for (const level of this.levels.slice(0, -1)) {
      const siblingIndex = position % 2 === 0 ? position + 1 : position - 1;
      const sibling = level[siblingIndex];
      if (sibling !== undefined)
        steps.push({ sibling: toHex(sibling), side: position % 2 === 0 ? 'right' : 'left' });
      position = Math.floor(position / 2);
    }
    return steps;
  }
}

function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  const pair = new Uint8Array(64);
  pair.set(left, 0);
  pair.set(right, 32);
  return taggedHash(NODE, pair);
}

/** The root a leaf's data and its inclusion proof lead to. */
export function commitmentRootOf(leaf: Uint8Array, proof: readonly CommitmentStep[]): Uint8Array {
  let current = taggedHash(LEAF, leaf);
  for (const { sibling, side } of proof) {
    const other = fromHex(sibling, 32);
    current = side === 'left' ? hashNode(other, current) : hashNode(current, other);
  }
  return current;
}

/** Throws `INVALID_PROOF` unless `leaf` is in the tree with root `commitment`. */
export function verifyInclusion(
  commitment: Uint8Array,
  leaf: Uint8Array,
  proof: readonly CommitmentStep[],
): void {
  if (!bytesEqual(commitmentRootOf(leaf, proof), commitment))
    throw new AgoraError(ErrorCode.InvalidProof, 'the inclusion proof does not lead to the commitment');
}

/** What an anchor of a closed proposal commits to: its result and the ids of the votes counted. */
export interface ProposalCommitmentInput {
  readonly proposal: string;
  /** The result as JSON-able data (outcome and totals); hashed in canonical JSON. */
  readonly result: unknown;
  /** Ids of the counted votes. */
  readonly counted: readonly string[];
}

/**
 * The commitment tree of a closed proposal: leaf 0 is the canonical JSON of `{proposal, result}`, then one leaf per
 * counted vote id in sorted order, so a single vote's inclusion can be proved.
 */
export function proposalCommitmentTree(input: ProposalCommitmentInput): CommitmentTree {
  const head = utf8(canonicalJson({ proposal: input.proposal, result: input.result }));
  return new CommitmentTree([head, ...[...input.counted].sort().map((id) => fromHex(id, 32))]);
}

/** The commitment tree of a ledger range: one leaf per event id, in the order given. */
export function eventsCommitmentTree(eventIds: readonly string[]): CommitmentTree {
  return new CommitmentTree(eventIds.map((id) => fromHex(id, 32)));
}
