import { AgoraError, ErrorCode } from '../core/index.js';
import { type Member, MembershipTree } from '../zk/index.js';
import { type Delegation, delegateWeights, resolveDelegations } from './delegation.js';
import { isWeightScale, scaledWeight, UNIT_SCALE } from './pieces.js';

/** Where a proposal's weights come from. */
export type WeightMode = 'reputation' | 'stake' | 'equal' | 'quadratic';

/** Largest weight a leaf can carry: the circuit range-checks weights below 2^64. */
export const MAX_WEIGHT = (1n << 64n) - 1n;

/** Floor of the square root of a non-negative integer (Newton's method on bigints). */
export function isqrt(value: bigint): bigint {
  if (value < 0n) throw new AgoraError(ErrorCode.InvalidArgument, 'no square root of a negative weight');
  if (value < 2n) return value;
  let x = 1n << ((BigInt(value.toString(2).length) + 1n) / 2n);
  for (;;) {
    const y = (x + value / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}

/** What a snapshot is computed from, all of it derived from the ledger's events. */
export interface SnapshotInput {
  readonly mode: WeightMode;
  /**
   * Each agent's base weight: its reputation score for `reputation`, its locked sats for `stake` and `quadratic`
   * (which takes their square root); ignored by `equal`, where every agent listed has weight 1.
   */
  readonly base: ReadonlyMap<string, bigint>;
  /** Each registered agent's ZK commitment: an agent without one cannot vote and holds no leaf. */
  readonly commitments: ReadonlyMap<string, bigint>;
  readonly delegations: readonly Delegation[];
  /** The snapshot moment (unix seconds): later delegations do not count. */
  readonly asOf: number;
  /** Least own weight (after the mode is applied) to take part at all, default 1. */
  readonly minWeight?: bigint;
}

/** A proposal's fixed weights: one leaf per voting agent in agent id order, and the tree's root. */
export interface Snapshot {
  readonly members: readonly (Member & { readonly agent: string })[];
  readonly total: bigint;
  readonly root: bigint;
  /** Delegations set aside because they would have closed a cycle. */
  readonly cycles: readonly Delegation[];
  /** Agents whose (delegated) weight could not be placed: they have no ZK commitment. */
  readonly withoutCommitment: readonly string[];
}

const weightOf: { [M in WeightMode]: (base: bigint) => bigint } = {
  reputation: (base) => base,
  stake: (base) => base,
  equal: () => 1n,
  quadratic: isqrt,
};

/**
 * Computes a proposal's weight snapshot as a pure function of its inputs: the mode applied to each agent's own
 * weight, agents below `minWeight` bringing none of their own (a chain through them still passes weight on),
 * delegation carried to the end of each chain, then one leaf `(commitment, weight)` per agent with a positive weight and a commitment, in agent id order.
 */
export async function computeSnapshot(input: SnapshotInput): Promise<Snapshot> {
  const minWeight = input.minWeight ?? 1n;
  const own = new Map<string, bigint>();
  for (const [agent, base] of input.base) {
    if (base < 0n) throw new AgoraError(ErrorCode.InvalidArgument, `negative base weight for ${agent}`);
    const weight = weightOf[input.mode](base);
    if (weight >= minWeight && weight > 0n) own.set(agent, weight);
  }
  const { edges, cycles } = resolveDelegations(input.delegations, input.asOf);
  const totals = delegateWeights(own, edges);
  const members: (Member & { agent: string })[] = [];
  const withoutCommitment: string[] = [];
  for (const agent of [...totals.keys()].sort()) {
    const weight = totals.get(agent) as bigint;
    if (weight > MAX_WEIGHT)
      throw new AgoraError(ErrorCode.InvalidArgument, `${agent} would carry a weight above 2^64`);
    const commitment = input.commitments.get(agent);
    if (commitment === undefined) withoutCommitment.push(agent);
    else members.push({ agent, commitment, weight });
  }
  const tree = await MembershipTree.build(members);
  return {
    members,
    total: members.reduce((sum, member) => sum + member.weight, 0n),
    root: tree.root,
    cycles,
    withoutCommitment,
  };
}

/**
 * `snapshot` in another weight unit: each member's weight times `scale / 2^16`, rounded down (see
 * `PieceRule.scale`), the total and the root recomputed. The same snapshot when `scale` is 2^16.
 */
export async function scaleSnapshot(snapshot: Snapshot, scale: number): Promise<Snapshot> {
  if (scale === UNIT_SCALE) return snapshot;
  if (!isWeightScale(scale))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a weight scale is a whole number in [2^16, 2^17)');
  const members = snapshot.members.map((member) => {
    const weight = scaledWeight(member.weight, scale);
    if (weight > MAX_WEIGHT)
      throw new AgoraError(ErrorCode.InvalidArgument, `${member.agent} would carry a weight above 2^64`);
    return { ...member, weight };
  });
  const tree = await MembershipTree.build(members);
  return {
    ...snapshot,
    members,
    total: members.reduce((sum, member) => sum + member.weight, 0n),
    root: tree.root,
  };
}
