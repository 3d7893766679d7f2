// What an observer of anonymous weighted votes computes beyond each piece's own anonymity set (issue 17 review): the
// client rule is public and deterministic, so a group of pieces known to come from one voter (linked by anything:
// their ballot, their times) is matched against each member's whole cast, not piece by piece.
import {
  anonymousPieces,
  denominationCounts,
  type MemberWeight,
  type PieceRule,
  pieceWeight,
} from '../../src/governance/index.js';
import { SeededRandom } from '../../src/sim/index.js';

/** A multiset of denominations as a comparable key. */
const keyOf = (denominations: readonly bigint[]): string =>
  [...denominations]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map(String)
    .join(',');

/** The denominations the client rule casts for a member of `weight` (what its pieces reveal, all together). */
export function castDenominations(
  weight: bigint,
  rule: PieceRule,
  counts: ReadonlyMap<bigint, number>,
  k: number,
): bigint[] {
  return anonymousPieces(weight, rule, counts, k).map(pieceWeight);
}

/**
 * The members who, following the client rule, cast exactly the pieces `denominations` (one voter's pieces, linked):
 * the anonymity set of every piece of that group once the observer has linked them.
 */
export function linkedCandidates(
  members: readonly MemberWeight[],
  rule: PieceRule,
  k: number,
  denominations: readonly bigint[],
): string[] {
  const counts = denominationCounts(members, rule);
  const wanted = keyOf(denominations);
  return members
    .filter((m) => keyOf(castDenominations(m.weight, rule, counts, k)) === wanted)
    .map((m) => m.agent);
}

/** For every member, in order: the size of its anonymity set once all its pieces are linked to each other. */
export function linkedSetSizes(members: readonly MemberWeight[], rule: PieceRule, k: number): number[] {
  const counts = denominationCounts(members, rule);
  const keys = members.map((m) => keyOf(castDenominations(m.weight, rule, counts, k)));
  const sizes = new Map<string, number>();
  for (const key of keys) sizes.set(key, (sizes.get(key) ?? 0) + 1);
  return keys.map((key) => sizes.get(key) as number);
}

/** Heavy-tailed weights like reputation scores (Pareto, shape 1.2, x_min 10^6), seeded. */
export function paretoMembers(n: number, seed: string): MemberWeight[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    agent: `m${i}`,
    weight: BigInt(Math.floor(1_000_000 / (1 - random.next()) ** (1 / 1.2))),
  }));
}
