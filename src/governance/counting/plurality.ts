import type { ApprovalBallot, Counted, SingleBallot, WeightedBallot } from './ballot.js';
import { SPLIT_TOTAL } from './ballot.js';
import { leaders, type Tally, weightOf, zeroTotals } from './tally.js';

/** `single`: each ballot's weight goes to its one choice; the most weighted option leads. */
export function countSingle(options: readonly string[], ballots: readonly Counted<SingleBallot>[]): Tally {
  const totals = zeroTotals(options);
  for (const { weight, ballot } of ballots) totals[ballot.choice] = (totals[ballot.choice] ?? 0n) + weight;
  return { method: 'single', totals, scale: 1n, participation: weightOf(ballots), winners: leaders(totals) };
}

/** `approval`: each ballot gives its whole weight to every option it approves. */
export function countApproval(
  options: readonly string[],
  ballots: readonly Counted<ApprovalBallot>[],
): Tally {
  const totals = zeroTotals(options);
  for (const { weight, ballot } of ballots)
    for (const option of ballot.approve) totals[option] = (totals[option] ?? 0n) + weight;
  return {
    method: 'approval',
    totals,
    scale: 1n,
    participation: weightOf(ballots),
    winners: leaders(totals),
  };
}

/** `weighted`: each ballot's weight is split by its basis points; totals stay exact in 1/10,000 units. */
export function countWeighted(
  options: readonly string[],
  ballots: readonly Counted<WeightedBallot>[],
): Tally {
  const totals = zeroTotals(options);
  for (const { weight, ballot } of ballots)
    for (const [option, share] of Object.entries(ballot.split))
      totals[option] = (totals[option] ?? 0n) + weight * BigInt(share);
  return {
    method: 'weighted',
    totals,
    scale: BigInt(SPLIT_TOTAL),
    participation: weightOf(ballots),
    winners: leaders(totals),
  };
}
