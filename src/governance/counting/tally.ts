import type { CountingMethod } from './ballot.js';

/** One round of an instant run-off. */
export interface RunoffRound {
  /** First preferences among the continuing options. */
  readonly totals: Readonly<Record<string, bigint>>;
  /** Weight of ballots with no continuing option left. */
  readonly exhausted: bigint;
  /** The option eliminated after this round, if the count went on. */
  readonly eliminated?: string;
}

/** The outcome of counting one proposal's ballots. */
export interface Tally {
  readonly method: CountingMethod;
  /** Final weight per option, in units of 1/`scale` of a weight (exact: no rounding anywhere). */
  readonly totals: Readonly<Record<string, bigint>>;
  /** 1, except for `weighted` ballots, whose basis-point shares make it 10,000. */
  readonly scale: bigint;
  /** Sum of the weights of all counted ballots (abstentions included), in plain weight units. */
  readonly participation: bigint;
  /** Options with the highest final total: several on a tie, none when nothing was counted for any option. */
  readonly winners: readonly string[];
  /** The run-off rounds (`ranked` only). */
  readonly rounds?: readonly RunoffRound[];
}

/** A zero total for each option, in the proposal's option order. */
export function zeroTotals(options: readonly string[]): Record<string, bigint> {
  return Object.fromEntries(options.map((option) => [option, 0n]));
}

/** The options whose total is highest and positive. */
export function leaders(totals: Readonly<Record<string, bigint>>): string[] {
  let best = 0n;
  for (const total of Object.values(totals)) if (total > best) best = total;
  return best === 0n ? [] : Object.keys(totals).filter((option) => totals[option] === best);
}

/** Sum of the weights of the ballots. */
export function weightOf(ballots: readonly { readonly weight: bigint }[]): bigint {
  return ballots.reduce((sum, { weight }) => sum + weight, 0n);
}
