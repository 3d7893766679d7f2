import { anonymousPieces, denominationCounts, type MemberWeight } from './anonymity.js';
import {
  DECOMPOSITION_BUDGET,
  type DecompositionOptions,
  decomposeGroup,
  type MemberCast,
} from './cast-decomposition.js';
import { type PieceRule, pieceWeight } from './pieces.js';

/** The pieces that carry one ballot, as an observer groups them, and what their decompositions into casts show. */
export interface LinkedBallot {
  /** The ballot, as its pieces carry it (canonical JSON). */
  readonly ballot: string;
  readonly pieces: number;
  /**
   * Members whose whole cast under the client rule is exactly these pieces: were they one voter's (a choice only one
   * member made), the voter is among them. 0 when no single member casts them (several voters made that choice, or
   * one voter off the default rule).
   */
  readonly size: number;
  /** Whether every decomposition was enumerated within the budget (see {@link decomposeGroup}). */
  readonly resolved: boolean;
  /** Ways to write the group as the whole casts of distinct members; absent when not resolved. */
  readonly decompositions?: number;
  /**
   * Members in every decomposition: the observer names them as voters of this ballot. When not resolved, those no
   * decomposition found leaves out (they may be named, and are counted so).
   */
  readonly named: readonly string[];
  /** Members in at least one decomposition (a lower bound when not resolved). */
  readonly candidates: number;
  /**
   * The group's anonymity set, what `smallest` counts: the fewest members who could be the voter of any one of its
   * pieces ({@link GroupDecomposition.anonymity}: 1 when a member is named, or may be), and `size` when one member's
   * cast is the whole group (the voter of a choice made alone). Absent when no member, nor several together, casts
   * the group under the client rule (a voter cast one piece or at a higher k): the link then names nobody this way, and
   * its pieces count by their own sets.
   */
  readonly anonymity?: number;
}

/** Groups' worth of budget (`options.budget` each) all the groups of one call share. */
const LINKED_BUDGET_GROUPS = 4;

const key = (denominations: readonly bigint[]) =>
  [...denominations]
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map(String)
    .join(',');

/**
 * Each member's whole cast under the client rule: its pieces under `rule` whose denomination at least `k` members
 * hold (`k` the client's, see {@link clientAnonymity}, not the proposal's: clients cast at it).
 */
export function clientCasts(members: readonly MemberWeight[], rule: PieceRule, k: number): MemberCast[] {
  const counts = denominationCounts(members, rule);
  return members.map(({ agent, weight }) => ({
    agent,
    cast: anonymousPieces(weight, rule, counts, k).map(pieceWeight),
  }));
}

/**
 * The per-ballot groups of counted pieces an observer links (every piece carries its ballot in clear, as every
 * per-option total shows), for each ballot carried by two pieces or more, matched against `casts` (each member's
 * whole cast under the client rule: {@link clientCasts}): the members whose cast is exactly the group (a choice one
 * voter made alone hides it only among them), and the group's decompositions into the whole casts of several members
 * ({@link decomposeGroup}): a choice a few voters made alone can name every one of them. No client rule avoids it
 * short of casting such a vote in one piece, and no published tally hides it. `options.enough` is passed on: the
 * caller's threshold above which a set changes nothing it reports; `options.budget` is each group's, and all of them
 * share four times that (the groups are taken in ballot order).
 */
export function linkedBallots(
  casts: readonly MemberCast[],
  pieces: readonly { readonly ballot: string; readonly votingWeight: bigint }[],
  options: DecompositionOptions = {},
): LinkedBallot[] {
  const groups = new Map<string, bigint[]>();
  for (const { ballot, votingWeight } of pieces)
    groups.set(ballot, [...(groups.get(ballot) ?? []), votingWeight]);
  // In ballot order, before the shared budget is spent: which groups it reaches must not follow vote ids or arrival.
  const linked = [...groups]
    .filter(([, denominations]) => denominations.length > 1)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (linked.length === 0) return [];
  // One budget for all the groups: a ledger full of linked ballots slows no tally, its last groups go unresolved.
  let left = (options.budget ?? DECOMPOSITION_BUDGET) * LINKED_BUDGET_GROUPS;
  const alone = new Map<string, number>();
  for (const { cast } of casts) {
    const cast_ = key(cast);
    alone.set(cast_, (alone.get(cast_) ?? 0) + 1);
  }
  return linked.map(([ballot, denominations]): LinkedBallot => {
    const size = alone.get(key(denominations)) ?? 0;
    const found = decomposeGroup(casts, denominations, {
      ...options,
      budget: Math.min(options.budget ?? DECOMPOSITION_BUDGET, left),
    });
    left -= found.steps;
    const sets = [...(size > 0 ? [size] : []), ...(found.anonymity === undefined ? [] : [found.anonymity])];
    return {
      ballot,
      pieces: denominations.length,
      size,
      resolved: found.resolved,
      ...(found.decompositions === undefined ? {} : { decompositions: found.decompositions }),
      named: found.named,
      candidates: found.candidates,
      ...(sets.length === 0 ? {} : { anonymity: Math.min(...sets) }),
    };
  });
}
