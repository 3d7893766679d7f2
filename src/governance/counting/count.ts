import type { BallotOf, Counted, CountingMethod } from './ballot.js';
import { countApproval, countSingle, countWeighted } from './plurality.js';
import { countRanked } from './runoff.js';
import type { Tally } from './tally.js';

const counters: {
  [M in CountingMethod]: (options: readonly string[], ballots: readonly Counted<BallotOf[M]>[]) => Tally;
} = {
  single: countSingle,
  approval: countApproval,
  ranked: countRanked,
  weighted: countWeighted,
};

/** Counts parsed ballots (see `parseBallot`) with `method`; the result depends only on the ballots, not their order. */
export function count<M extends CountingMethod>(
  method: M,
  options: readonly string[],
  ballots: readonly Counted<BallotOf[M]>[],
): Tally {
  return (
    counters[method] as (options: readonly string[], ballots: readonly Counted<BallotOf[M]>[]) => Tally
  )(options, ballots);
}
