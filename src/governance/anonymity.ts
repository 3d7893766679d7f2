import { AgoraError, ErrorCode } from '../core/index.js';
import {
  canonicalPieces,
  denominationsOf,
  MAX_EXPONENT,
  MAX_PIECES,
  type PieceRule,
  piecesOf,
  pieceWeight,
  type VotePiece,
} from './pieces.js';

/** Smallest anonymity set a counted vote may have when its proposal sets none. */
export const DEFAULT_MIN_ANONYMITY = 8;

/** A snapshot member as an observer sees it: the snapshot and its weights are public. */
export interface MemberWeight {
  readonly agent: string;
  readonly weight: bigint;
}

/**
 * The client rule an observer assumes: the voting weights a member with this snapshot weight reveals, one per distinct
 * revealed value. An honest client's rule is published, so the observer knows it.
 */
export type RevealRule = (weight: bigint) => readonly bigint[];

/** The rule before pieces: one vote revealing the member's whole weight. */
export const exactReveal: RevealRule = (weight) => [weight];

/** The piece rule: the denominations of the member's canonical pieces at or above the floor. */
export const pieceReveal =
  (rule: PieceRule): RevealRule =>
  (weight) =>
    denominationsOf(weight, rule);

/** For each revealed voting weight, the members who could have revealed it under `reveal`, in snapshot order. */
export function candidatesByWeight(
  members: readonly MemberWeight[],
  reveal: RevealRule,
): Map<bigint, string[]> {
  const candidates = new Map<bigint, string[]>();
  for (const { agent, weight } of members)
    for (const revealed of new Set(reveal(weight))) {
      const list = candidates.get(revealed) ?? [];
      list.push(agent);
      candidates.set(revealed, list);
    }
  return candidates;
}

/** A counted vote and who could have cast it. */
export interface VoteAnonymity {
  readonly id: string;
  readonly votingWeight: bigint;
  /** Members who could have cast it, given the snapshot, its revealed weight and the client rule. */
  readonly candidates: readonly string[];
}

/**
 * The attack as a function: maps each vote to the snapshot members who could have produced it, given everything
 * public (the snapshot's weights, the vote's revealed weight) and the client rule `reveal`. A vote with one candidate
 * names its voter, and so how that voter voted. Ballots carry no more: every member could have chosen any of them.
 */
export function anonymitySets(
  members: readonly MemberWeight[],
  votes: readonly { readonly id: string; readonly votingWeight: bigint }[],
  reveal: RevealRule,
): VoteAnonymity[] {
  const candidates = candidatesByWeight(members, reveal);
  return votes.map(({ id, votingWeight }) => ({
    id,
    votingWeight,
    candidates: candidates.get(votingWeight) ?? [],
  }));
}

/** The smallest set size among `sets`, or undefined when there are none. */
export function smallestSet(sets: readonly VoteAnonymity[]): number | undefined {
  return sets.reduce<number | undefined>(
    (min, set) => (min === undefined || set.candidates.length < min ? set.candidates.length : min),
    undefined,
  );
}

/**
 * The anonymity a proposal's votes must reach: its `minAnonymity`, but never more than the snapshot's member count
 * (a snapshot of three members cannot hide a vote among eight).
 */
export function requiredAnonymity(minAnonymity: number, members: number): number {
  if (!Number.isInteger(minAnonymity) || minAnonymity < 1)
    throw new AgoraError(ErrorCode.InvalidArgument, 'minAnonymity is a whole number of at least 1');
  return Math.max(1, Math.min(minAnonymity, members));
}

/**
 * The pieces a voter casts under `rule` in a snapshot: its canonical pieces at or above the floor whose denomination at
 * least `k` members could reveal (`counts`: members per denomination, from {@link candidatesByWeight}). Any other piece
 * would not be counted by the tally, so it is not cast.
 */
export function anonymousPieces(
  weight: bigint,
  rule: PieceRule,
  counts: ReadonlyMap<bigint, number>,
  k: number,
): VotePiece[] {
  return piecesOf(weight, rule).filter((piece) => (counts.get(pieceWeight(piece)) ?? 0) >= k);
}

/** Members per denomination under `rule`. */
export function denominationCounts(members: readonly MemberWeight[], rule: PieceRule): Map<bigint, number> {
  return new Map(
    [...candidatesByWeight(members, pieceReveal(rule))].map(([weight, list]) => [weight, list.length]),
  );
}

/** What a piece rule keeps of a snapshot's weight, and what it costs in proofs, if every member voted. */
export interface RuleCost {
  /** Weight the anonymous pieces carry, summed over members. */
  readonly counted: bigint;
  readonly total: bigint;
  /** Proofs each member needs, in member order. */
  readonly proofs: readonly number[];
}

/** The cost of `rule` on `members` at anonymity `k`. */
export function ruleCost(members: readonly MemberWeight[], rule: PieceRule, k: number): RuleCost {
  const counts = denominationCounts(members, rule);
  let counted = 0n;
  let total = 0n;
  const proofs: number[] = [];
  for (const { weight } of members) {
    total += weight;
    const all = weight >> BigInt(rule.top);
    const top = all < MAX_PIECES ? all : MAX_PIECES;
    const topCounted = (counts.get(1n << BigInt(rule.top)) ?? 0) >= k ? top : 0n;
    let count = Number(topCounted);
    counted += topCounted << BigInt(rule.top);
    for (let exponent = rule.top - 1; exponent >= rule.floor; exponent--) {
      const denomination = 1n << BigInt(exponent);
      if ((weight & denomination) !== 0n && (counts.get(denomination) ?? 0) >= k) {
        counted += denomination;
        count++;
      }
    }
    proofs.push(count);
  }
  return { counted, total, proofs };
}

/**
 * The piece rule a proposal publishes for a snapshot, by a fixed rule anyone can recompute: `top` is the largest
 * exponent that at least `k` members reach (so the top pieces hide among `k`), and `floor` the largest whose rounding
 * loses no more than `lossBasisPoints` of the total weight beyond what pieces too rare to hide lose anyway.
 */
export function choosePieceRule(
  members: readonly MemberWeight[],
  k: number,
  lossBasisPoints = 50,
): PieceRule {
  let top = 0;
  for (let exponent = MAX_EXPONENT; exponent > 0; exponent--) {
    const reach = members.filter((m) => m.weight >> BigInt(exponent) > 0n).length;
    if (reach >= k) {
      top = exponent;
      break;
    }
  }
  let best: PieceRule = { top, floor: 0 };
  const kept = ruleCost(members, best, k);
  for (let floor = 1; floor <= top; floor++) {
    const rule = { top, floor };
    const cost = ruleCost(members, rule, k);
    if ((kept.counted - cost.counted) * 10_000n > kept.total * BigInt(lossBasisPoints)) break;
    best = rule;
  }
  return best;
}

/**
 * The piece rule of a proposal on a snapshot with these members and `minAnonymity` (default
 * {@link DEFAULT_MIN_ANONYMITY}): {@link choosePieceRule} at the larger of `minAnonymity` and the default, as required
 * of the snapshot. What `draftProposal` writes and the snapshot check recomputes, floor and top alike.
 *
 * Never below the default: voters keep their own k (8 unless they lower it), and under a rule computed at a lower k
 * the top is a denomination fewer than 8 members reach, so those voters could cast only the bits 8 members share and
 * lose the rest of their weight (on 50 Pareto members, 37 % of the snapshot countable instead of 99.6 %). A proposal
 * asking less only lets the tally count smaller sets (`minAnonymity`), never change the pieces.
 */
export const proposalPieceRule = (
  members: readonly MemberWeight[],
  minAnonymity: number = DEFAULT_MIN_ANONYMITY,
): PieceRule =>
  choosePieceRule(members, requiredAnonymity(Math.max(minAnonymity, DEFAULT_MIN_ANONYMITY), members.length));

/** Every canonical piece of `weight`, floor ignored: what a voter revealing its exact weight would cast. */
export const allPieces = (weight: bigint, rule: PieceRule): VotePiece[] => canonicalPieces(weight, rule.top);
