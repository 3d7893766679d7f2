import { anonymousPieces, denominationCounts, type MemberWeight } from './anonymity.js';
import { type PieceRule, pieceWeight } from './pieces.js';

/** The pieces that carry one ballot, as an observer groups them, and who could have cast them all. */
export interface LinkedBallot {
  /** The ballot, as its pieces carry it (canonical JSON). */
  readonly ballot: string;
  readonly pieces: number;
  /**
   * Members whose whole cast under the client rule is exactly these pieces: were they one voter's (a choice only one
   * member made), the voter is among them. 0 when no single member casts them (several voters made that choice).
   */
  readonly size: number;
}

const key = (denominations: readonly bigint[]) =>
  [...denominations]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map(String)
    .join(',');

/**
 * The per-ballot groups of counted pieces an observer links (every piece carries its ballot in clear, as every
 * per-option total shows): for each ballot carried by two pieces or more, the members whose whole cast under `rule`
 * at anonymity `k` is exactly that group's denominations. A group one voter cast alone (a lone `abstain`, a lone
 * dissenter) hides it only among those members, whatever each piece's own set: no client rule avoids it short of
 * casting such a vote in one piece, and no published tally hides it.
 */
export function linkedBallots(
  members: readonly MemberWeight[],
  rule: PieceRule,
  k: number,
  pieces: readonly { readonly ballot: string; readonly votingWeight: bigint }[],
): LinkedBallot[] {
  const groups = new Map<string, bigint[]>();
  for (const { ballot, votingWeight } of pieces)
    groups.set(ballot, [...(groups.get(ballot) ?? []), votingWeight]);
  const linked = [...groups].filter(([, denominations]) => denominations.length > 1);
  if (linked.length === 0) return [];
  const counts = denominationCounts(members, rule);
  const casts = new Map<string, number>();
  for (const { weight } of members) {
    const cast = key(anonymousPieces(weight, rule, counts, k).map(pieceWeight));
    casts.set(cast, (casts.get(cast) ?? 0) + 1);
  }
  return linked
    .map(([ballot, denominations]) => ({
      ballot,
      pieces: denominations.length,
      size: casts.get(key(denominations)) ?? 0,
    }))
    .sort((a, b) => (a.ballot < b.ballot ? -1 : a.ballot > b.ballot ? 1 : 0));
}
