import { AgoraError, ErrorCode } from '../../core/index.js';

/** How a proposal's ballots are counted. */
export type CountingMethod = 'single' | 'approval' | 'ranked' | 'weighted';

/** One choice among the options (`single`: For / Against / Abstain by default). */
export interface SingleBallot {
  readonly choice: string;
}
/** Any subset of the options, each approved with the voter's whole weight. */
export interface ApprovalBallot {
  readonly approve: readonly string[];
}
/** Options in order of preference; unranked options are never reached (instant run-off). */
export interface RankedBallot {
  readonly ranking: readonly string[];
}
/** The voter's weight split across options in basis points that sum to exactly 10,000. */
export interface WeightedBallot {
  readonly split: Readonly<Record<string, number>>;
}

/** The ballot shape of each counting method. */
export interface BallotOf {
  single: SingleBallot;
  approval: ApprovalBallot;
  ranked: RankedBallot;
  weighted: WeightedBallot;
}

/** A ballot with the weight its vote proved. */
export interface Counted<B> {
  readonly weight: bigint;
  readonly ballot: B;
}

/** Basis points in a whole `weighted` ballot. */
export const SPLIT_TOTAL = 10_000;

function invalid(why: string): never {
  throw new AgoraError(ErrorCode.InvalidBallot, `invalid ballot: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that `value` is an array of distinct known options. */
function distinctOptions(value: unknown, options: readonly string[], field: string): string[] {
  if (!Array.isArray(value)) invalid(`${field} must be an array of options`);
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item !== 'string' || !options.includes(item)) invalid(`${field} names an unknown option`);
    if (seen.has(item)) invalid(`${field} names ${item} twice`);
    seen.add(item);
  }
  return value as string[];
}

function onlyKey(value: Record<string, unknown>, key: string): void {
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== key) invalid(`expected exactly the field "${key}"`);
}

const parsers: { [M in CountingMethod]: (value: unknown, options: readonly string[]) => BallotOf[M] } = {
  single(value, options) {
    if (!isRecord(value)) invalid('not an object');
    onlyKey(value, 'choice');
    if (typeof value.choice !== 'string' || !options.includes(value.choice)) invalid('unknown choice');
    return { choice: value.choice };
  },
  approval(value, options) {
    if (!isRecord(value)) invalid('not an object');
    onlyKey(value, 'approve');
    return { approve: distinctOptions(value.approve, options, 'approve') };
  },
  ranked(value, options) {
    if (!isRecord(value)) invalid('not an object');
    onlyKey(value, 'ranking');
    const ranking = distinctOptions(value.ranking, options, 'ranking');
    if (ranking.length === 0) invalid('an empty ranking');
    return { ranking };
  },
  weighted(value, options) {
    if (!isRecord(value)) invalid('not an object');
    onlyKey(value, 'split');
    const split = value.split;
    if (!isRecord(split)) invalid('split must be an object');
    let total = 0;
    for (const [option, share] of Object.entries(split)) {
      if (!options.includes(option)) invalid('split names an unknown option');
      if (!Number.isInteger(share) || (share as number) <= 0) invalid('split shares are positive integers');
      total += share as number;
    }
    if (total !== SPLIT_TOTAL) invalid(`split shares sum to ${total}, not ${SPLIT_TOTAL}`);
    return { split: split as Record<string, number> };
  },
};

/** Parses untrusted ballot data for `method` over `options`; `INVALID_BALLOT` when it does not fit. */
export function parseBallot<M extends CountingMethod>(
  method: M,
  options: readonly string[],
  value: unknown,
): BallotOf[M] {
  // The method may come from untrusted data too: only the table's own keys count (not "toString").
  if (!Object.hasOwn(parsers, method)) invalid(`unknown counting method ${String(method)}`);
  return (parsers[method] as (value: unknown, options: readonly string[]) => BallotOf[M])(value, options);
}
