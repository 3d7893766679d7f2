import { AgoraError, ErrorCode } from '../../core/index.js';
import type { Tally } from './tally.js';

/** Basis points: 10,000 is the whole. */
export const BASIS_POINTS = 10_000n;

/** How a proposal decides, once counted. */
export interface DecisionRules {
  /** Participation (abstentions included) needed, in basis points of the snapshot's total weight: reached at >=. */
  readonly quorum: number;
  /** Share of the decisive weight the winner must exceed, in basis points: 5,000 is a strict majority. */
  readonly threshold: number;
}

/** Whether a counted proposal passed, and why. */
export interface Outcome {
  readonly state: 'succeeded' | 'defeated';
  readonly quorumReached: boolean;
  /** The option that carried the proposal (`for` for a yes/no proposal), when it succeeded. */
  readonly winner?: string;
  /** Why it was defeated: `quorum`, `threshold`, `tie`, `against` or `no votes`. */
  readonly reason?: 'quorum' | 'threshold' | 'tie' | 'against' | 'no votes';
}

/** The options of a yes/no proposal counted with `single`; abstentions count toward quorum only. */
export const YES_NO_OPTIONS = ['for', 'against', 'abstain'] as const;

/** Whether `options` are exactly those of a yes/no proposal (in any order). */
export function isYesNo(options: readonly string[]): boolean {
  return (
    options.length === YES_NO_OPTIONS.length && YES_NO_OPTIONS.every((option) => options.includes(option))
  );
}

function basisPoints(value: number, field: string): bigint {
  if (!Number.isInteger(value) || value < 0 || value > 10_000)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `${field} must be an integer number of basis points, 0..10000`,
    );
  return BigInt(value);
}

/**
 * Applies quorum and threshold to a tally. The decisive weight is what the winner's share is measured against: For +
 * Against for a yes/no proposal, the live weight of the last round for `ranked`, and all participation otherwise.
 * A yes/no proposal succeeds only when For wins; any other proposal when one option leads alone.
 */
export function decide(tally: Tally, rules: DecisionRules, totalWeight: bigint): Outcome {
  const quorum = basisPoints(rules.quorum, 'quorum');
  const threshold = basisPoints(rules.threshold, 'threshold');
  if (totalWeight < 0n) throw new AgoraError(ErrorCode.InvalidArgument, 'total weight is negative');
  const quorumReached = tally.participation * BASIS_POINTS >= quorum * totalWeight;
  if (!quorumReached) return { state: 'defeated', quorumReached, reason: 'quorum' };

  const yesNo = tally.method === 'single' && isYesNo(Object.keys(tally.totals));
  let totals = tally.totals;
  let decisive: bigint;
  if (yesNo) {
    totals = { for: tally.totals.for ?? 0n, against: tally.totals.against ?? 0n };
    decisive = (totals.for ?? 0n) + (totals.against ?? 0n);
  } else if (tally.method === 'ranked') {
    decisive = Object.values(tally.totals).reduce((sum, total) => sum + total, 0n);
  } else {
    decisive = tally.participation * tally.scale;
  }
  if (decisive === 0n) return { state: 'defeated', quorumReached, reason: 'no votes' };
  const best = Object.values(totals).reduce((max, total) => (total > max ? total : max), 0n);
  const leaders = Object.keys(totals).filter((option) => totals[option] === best);
  if (leaders.length !== 1) return { state: 'defeated', quorumReached, reason: 'tie' };
  const winner = leaders[0] as string;
  if (yesNo && winner === 'against') return { state: 'defeated', quorumReached, reason: 'against' };
  if (best * BASIS_POINTS <= threshold * decisive)
    return { state: 'defeated', quorumReached, reason: 'threshold' };
  return { state: 'succeeded', quorumReached, winner };
}
