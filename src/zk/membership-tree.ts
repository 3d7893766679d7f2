import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD, getPoseidon, type Poseidon } from '../identity/index.js';

/** Arity of the vote circuit's membership tree. */
export const TREE_ARITY = 4;
/** Depth of the vote circuit's membership tree: 4^10 = 1,048,576 members. */
export const TREE_LEVELS = 10;
/** Depth of the panel circuit's tree: 4^3 = 64 seats, the largest panel (a second appeal) being 23. */
export const PANEL_LEVELS = 3;

/** One member of a weight snapshot. */
export interface Member {
  /** Poseidon(secret), the agent's published ZK commitment. */
  readonly commitment: bigint;
  /** Voting weight, below 2^64. */
  readonly weight: bigint;
}

/** A member's path to the root, as the circuit takes it. */
export interface MembershipPath {
  readonly leaf: bigint;
  /** Position among its siblings at each level, 0..3, leaf level first. */
  readonly pathIndices: number[];
  /** The three other children at each level, in order. */
  readonly siblings: bigint[][];
  readonly root: bigint;
}

/**
 * The root a leaf and its path lead to, hashed as the circuit does: at each level the node takes its position among
 * the three siblings. Lets a prover check a witness before spending a proof on it.
 */
export function rootOfPath(
  poseidon: Poseidon,
  leaf: bigint,
  path: Pick<MembershipPath, 'pathIndices' | 'siblings'>,
  levels: number = TREE_LEVELS,
): bigint {
  if (path.pathIndices.length !== levels || path.siblings.length !== levels)
    throw new AgoraError(ErrorCode.InvalidArgument, `a path has ${levels} levels`);
  let node = leaf;
  path.pathIndices.forEach((position, level) => {
    const siblings = path.siblings[level] as bigint[];
    if (
      !(Number.isInteger(position) && position >= 0 && position < TREE_ARITY) ||
      siblings.length !== TREE_ARITY - 1
    )
      throw new AgoraError(ErrorCode.InvalidArgument, `malformed path at level ${level}`);
    const children = [...siblings];
    children.splice(position, 0, node);
    node = poseidon.hash(children);
  });
  return node;
}

/**
 * The 4-ary Poseidon Merkle tree of a weight snapshot, as the vote circuit checks it: leaf `Poseidon(commitment,
 * weight)`, node `Poseidon(c0, c1, c2, c3)`, empty leaves 0 (empty subtrees hash level by level). Members keep the
 * order given, so callers build it deterministically (agent id order). A panel's tree is the same with
 * {@link PANEL_LEVELS} levels.
 */
export class MembershipTree {
  private readonly levels: bigint[][];
  private readonly zeros: bigint[];

  private constructor(
    private readonly poseidon: Poseidon,
    leaves: bigint[],
    /** Levels above the leaves. */
    readonly depth: number,
  ) {
    this.zeros = [0n];
    for (let level = 0; level < depth; level++) {
      const zero = this.zeros[level] as bigint;
      this.zeros.push(poseidon.hash([zero, zero, zero, zero]));
    }
    this.levels = [leaves];
    for (let level = 0; level < depth; level++) this.levels.push(this.parents(level));
  }

  /** Builds the tree of `members` (at most 4^depth), in the order given, `depth` levels high (default the vote's). */
  static async build(members: readonly Member[], depth: number = TREE_LEVELS): Promise<MembershipTree> {
    if (members.length > TREE_ARITY ** depth)
      throw new AgoraError(ErrorCode.InvalidArgument, 'too many members for the tree');
    const poseidon = await getPoseidon();
    const leaves = members.map((member) => MembershipTree.leafOf(poseidon, member));
    return new MembershipTree(poseidon, leaves, depth);
  }

  /** The leaf of a member: Poseidon(commitment, weight). */
  static leafOf(poseidon: Poseidon, { commitment, weight }: Member): bigint {
    if (commitment < 0n || commitment >= BN254_SCALAR_FIELD)
      throw new AgoraError(ErrorCode.InvalidArgument, 'commitment outside the field');
    if (weight < 0n || weight >= 1n << 64n)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a weight must be below 2^64');
    return poseidon.hash([commitment, weight]);
  }

  /** Hash of the four nodes of `level` starting at `first`, missing ones standing for empty subtrees. */
  private hashChildren(level: number, first: number): bigint {
    const nodes = this.levels[level] as bigint[];
    const zero = this.zeros[level] as bigint;
    return this.poseidon.hash([0, 1, 2, 3].map((k) => nodes[first + k] ?? zero));
  }

  private parents(level: number): bigint[] {
    const parents: bigint[] = [];
    const count = (this.levels[level] as bigint[]).length;
    for (let at = 0; at < count; at += TREE_ARITY) parents.push(this.hashChildren(level, at));
    return parents;
  }

  get size(): number {
    return (this.levels[0] as bigint[]).length;
  }

  get root(): bigint {
    return (this.levels[this.depth] as bigint[])[0] ?? (this.zeros[this.depth] as bigint);
  }

  /** Replaces member `index` (for example after a weight change) and rehashes its path. */
  update(index: number, member: Member): void {
    if (!(index >= 0 && index < this.size))
      throw new AgoraError(ErrorCode.InvalidArgument, `no member at ${index}`);
    (this.levels[0] as bigint[])[index] = MembershipTree.leafOf(this.poseidon, member);
    let at = index;
    for (let level = 0; level < this.depth; level++) {
      const parentAt = Math.floor(at / TREE_ARITY);
      (this.levels[level + 1] as bigint[])[parentAt] = this.hashChildren(level, parentAt * TREE_ARITY);
      at = parentAt;
    }
  }

  /** The path of member `index` to the root. */
  path(index: number): MembershipPath {
    if (!(index >= 0 && index < this.size))
      throw new AgoraError(ErrorCode.InvalidArgument, `no member at ${index}`);
    const pathIndices: number[] = [];
    const siblings: bigint[][] = [];
    let at = index;
    for (let level = 0; level < this.depth; level++) {
      const position = at % TREE_ARITY;
      const first = at - position;
      const nodes = this.levels[level] as bigint[];
      const zero = this.zeros[level] as bigint;
      pathIndices.push(position);
      siblings.push([0, 1, 2, 3].filter((k) => k !== position).map((k) => nodes[first + k] ?? zero));
      at = Math.floor(at / TREE_ARITY);
    }
    return { leaf: (this.levels[0] as bigint[])[index] as bigint, pathIndices, siblings, root: this.root };
  }
}
