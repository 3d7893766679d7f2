import type { ApprovalBallot, Counted, CountingMethod, SingleBallot, WeightedBallot } from './ballot.js';
import { SPLIT_TOTAL } from './ballot.js';
import { leaders, type Tally, weightOf, zeroTotals } from './tally.js';

/** Adds up what each ballot gives each option (`shares` of a ballot: [option, amount] pairs). */
function addUp<B>(
  method: CountingMethod,
  options: readonly string[],
  ballots: readonly Counted<B>[],
  scale: bigint,
  shares: (ballot: B, weight: bigint) => Iterable<readonly [string, bigint]>,
): Tally {
  const totals = zeroTotals(options);
  for (const { weight, ballot } of ballots)
    for (const [option, amount] of shares(ballot, weight)) totals[option] = (totals[option] ?? 0n) + amount;
  return { method, totals, scale, participation: weightOf(ballots), winners: leaders(totals) };
}

/** `single`: each ballot's weight goes to its one choice; the most weighted option leads. */
export function countSingle(options: readonly string[], ballots: readonly Counted<SingleBallot>[]): Tally {
  return addUp('single', options, ballots, 1n, (ballot, weight) => [[ballot.choice, weight]]);
}

/** `approval`: each ballot gives its whole weight to every option it approves. */
export function countApproval(
  options: readonly string[],
  ballots: readonly Counted<ApprovalBallot>[],
): Tally {
  return addUp('approval', options, ballots, 1n, (ballot, weight) =>
    ballot.approve.map((o) => [o, weight] as const),
  );
}

/** `weighted`: each ballot's weight is split by its basis points; totals stay exact in 1/10,000 units. */
export function countWeighted(
  options: readonly string[],
  ballots: readonly Counted<WeightedBallot>[],
): Tally {
  return addUp('weighted', options, ballots, BigInt(SPLIT_TOTAL), (ballot, weight) =>
    Object.entries(ballot.split).map(([option, share]) => [option, weight * BigInt(share)] as const),
  );
}
