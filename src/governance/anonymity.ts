import { AgoraError, ErrorCode } from '../core/index.js';
import {
  canonicalPieces,
  denominationsOf,
  MAX_EXPONENT,
  MAX_PIECES,
  type PieceRule,
  piecesOf,
  pieceWeight,
  scaledWeight,
  UNIT_SCALE,
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
 * The k a client casts at: the larger of the voter's own (default {@link DEFAULT_MIN_ANONYMITY}) and the proposal's
 * `minAnonymity` (default the same), at most the snapshot's member count. A proposal asking less than the default
 * only lets the tally count smaller sets: the client keeps its own k. `castPrivateVote` casts at it, the piece rule is
 * computed at it, and the anonymity report computes each member's whole cast at it, as an observer knowing the
 * published client rule does.
 */
export function clientAnonymity(
  proposalMinAnonymity: number | undefined,
  members: number,
  own: number = DEFAULT_MIN_ANONYMITY,
): number {
  return requiredAnonymity(Math.max(own, proposalMinAnonymity ?? DEFAULT_MIN_ANONYMITY), members);
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
): PieceRule => choosePieceRule(members, clientAnonymity(minAnonymity, members.length));

/** Share of the weight the piece rule may lose before a proposal looks for another weight scale: the 1 %. */
export const SCALE_SEARCH_LOSS_BP = 100n;

/** Most proofs the 99th-percentile member may need under a scaled rule (the budget). */
export const PROOF_BUDGET = 16;

/** Steps of the scale search over `[2^16, 2^17)`: 64 scales, `2^16 + i * 2^10`. */
const SCALE_STEPS = 64;

/** The proofs the 99th-percentile member needs. */
const p99 = (proofs: readonly number[]): number => {
  const sorted = [...proofs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] ?? 0;
};

/** `members` with their weights scaled by `scale / 2^16`. */
export const scaleMembers = <T extends MemberWeight>(members: readonly T[], scale: number): T[] =>
  members.map((member) => ({ ...member, weight: scaledWeight(member.weight, scale) }));

/**
 * The weight scale a reputation snapshot takes, by a fixed rule anyone can recompute: 2^16 (weights as they are)
 * while {@link choosePieceRule} there loses at most 1 % of the weight within {@link PROOF_BUDGET} proofs for the
 * 99th-percentile member; otherwise, among 64 scales in `[2^16, 2^17)`, the one whose rule counts the most within that
 * budget (the smallest on a tie; 2^16 if none beats it).
 *
 * Why: a denomination below the top counts only where k members hold its bit, and in a small electorate (9 members,
 * k = 8) most bits are held by fewer; a lower top would move that weight into top pieces at ten or more proofs a
 * voter. Reputation is a share in an arbitrary unit, so the snapshot may express it in another: each scale gives
 * other bits, and one of them is shared by k members far more often (the demo's reputation vote: 93.95 % counted
 * under 2^16, 98.6 % under the scale found, 14 proofs at most). Weights stay proportional (rounded down by less than
 * one unit each), every piece still hides among k members, and the circuit is the same.
 */
export function chooseWeightScale(members: readonly MemberWeight[], k: number): number {
  const costAt = (scale: number) => {
    const scaled = scaleMembers(members, scale);
    const cost = ruleCost(scaled, choosePieceRule(scaled, k), k);
    return { counted: cost.counted, total: cost.total, p99: p99(cost.proofs) };
  };
  const plain = costAt(UNIT_SCALE);
  const within = (cost: { p99: number }) => cost.p99 <= PROOF_BUDGET;
  if (within(plain) && (plain.total - plain.counted) * 10_000n <= plain.total * SCALE_SEARCH_LOSS_BP)
    return UNIT_SCALE;
  let best = { scale: UNIT_SCALE, ...plain };
  for (let step = 1; step < SCALE_STEPS; step++) {
    const scale = UNIT_SCALE + (step * UNIT_SCALE) / SCALE_STEPS;
    const cost = costAt(scale);
    // Within the budget, and counted / total above the best's (compared exactly).
    if (within(cost) && (!within(best) || cost.counted * best.total > best.counted * cost.total))
      best = { scale, ...cost };
  }
  return within(best) ? best.scale : UNIT_SCALE;
}

/**
 * The weight scale of a proposal on a snapshot with these (unscaled) members: {@link chooseWeightScale} for
 * reputation weights at the k {@link proposalPieceRule} takes, 2^16 for any other mode (stakes stay in sats, where a
 * minimum weight or a total means an amount).
 */
export const proposalWeightScale = (
  mode: string,
  members: readonly MemberWeight[],
  minAnonymity: number = DEFAULT_MIN_ANONYMITY,
): number =>
  mode === 'reputation'
    ? chooseWeightScale(members, clientAnonymity(minAnonymity, members.length))
    : UNIT_SCALE;

/** Every canonical piece of `weight`, floor ignored: what a voter revealing its exact weight would cast. */
export const allPieces = (weight: bigint, rule: PieceRule): VotePiece[] => canonicalPieces(weight, rule.top);
