import type { Counted, RankedBallot } from './ballot.js';
import { type RunoffRound, type Tally, weightOf, zeroTotals } from './tally.js';

/**
 * Picks the option to eliminate among those with the lowest total: the one that was lowest in the latest earlier
 * round where they differed (the usual backwards tie-break), and if they never differed, the one listed last in the
 * proposal. Every replica therefore eliminates the same option.
 */
function toEliminate(lowest: string[], rounds: readonly RunoffRound[], options: readonly string[]): string {
  let tied = lowest;
  for (let r = rounds.length - 1; r >= 0 && tied.length > 1; r--) {
    const totals = (rounds[r] as RunoffRound).totals;
    const min = tied.reduce(
      (m, option) => ((totals[option] ?? 0n) < m ? (totals[option] ?? 0n) : m),
      totals[tied[0] as string] ?? 0n,
    );
    tied = tied.filter((option) => (totals[option] ?? 0n) === min);
  }
  return tied.reduce((last, option) => (options.indexOf(option) > options.indexOf(last) ? option : last));
}

/**
 * `ranked`, instant run-off: each round gives every ballot's weight to its highest-ranked continuing option; an
 * option with more than half of the continuing weight wins, otherwise the weakest option is eliminated and the count
 * goes on. Ballots whose ranked options are all eliminated are exhausted and no longer count toward the majority.
 */
export function countRanked(options: readonly string[], ballots: readonly Counted<RankedBallot>[]): Tally {
  const continuing = new Set(options);
  const rounds: RunoffRound[] = [];
  for (;;) {
    const totals = zeroTotals(options.filter((option) => continuing.has(option)));
    let exhausted = 0n;
    for (const { weight, ballot } of ballots) {
      const top = ballot.ranking.find((option) => continuing.has(option));
      if (top === undefined) exhausted += weight;
      else totals[top] = (totals[top] ?? 0n) + weight;
    }
    const live = Object.values(totals).reduce((sum, total) => sum + total, 0n);
    const majority = Object.keys(totals).find((option) => (totals[option] ?? 0n) * 2n > live);
    if (majority !== undefined || continuing.size <= 1 || live === 0n) {
      rounds.push({ totals, exhausted });
      const winner = majority ?? (live > 0n ? [...continuing][0] : undefined);
      return {
        method: 'ranked',
        totals,
        scale: 1n,
        participation: weightOf(ballots),
        winners: winner === undefined ? [] : [winner],
        rounds,
      };
    }
    const min = Object.values(totals).reduce((m, total) => (total < m ? total : m));
    const lowest = Object.keys(totals).filter((option) => totals[option] === min);
    const eliminated = toEliminate(lowest, rounds, options);
    rounds.push({ totals, exhausted, eliminated });
    continuing.delete(eliminated);
  }
}
