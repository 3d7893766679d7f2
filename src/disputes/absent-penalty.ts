import type { Ledger } from '../ledger/index.js';
import { readStakes, stakeState } from '../stake/index.js';
import type { DisputeRound, DisputeView } from './dispute-state.js';
import type { BondInstruction } from './settlement.js';
import { DISPUTE_TERMS } from './terms.js';

/**
 * The jurors of a round who count as absent once its reveals closed: the panel members that did not attest in their
 * own name that they voted (`dispute.attended`). Votes are anonymous, so an absent juror could attest falsely: when
 * more members attest than votes were counted, nobody can tell the liars from the voters, and the whole panel counts
 * as absent (a lie saves its author nothing and costs its fellow jurors). Empty for a round not drawn.
 */
export function absentJurors(round: DisputeRound): string[] {
  const panel = round.panel ?? [];
  if (round.attended.length > round.votes) return [...panel].sort();
  const attended = new Set(round.attended);
  return panel.filter((agent) => !attended.has(agent)).sort();
}

/**
 * What the custodians are asked to take from jurors who did not vote, as a pure function of the ledger and a final
 * dispute's view (whatever order the events arrived in). For each round whose reveals closed, each absent juror (see
 * {@link absentJurors}) loses `absentPenaltyBps` (1 %) of every custodial stake it had locked when that round's
 * reveals closed, rounded down to whole sats: the stake it was drawn for when jurors are weighted by stake, and any
 * it holds when they are weighted by reputation. A stake that backs a dispute bond is left alone (its bond settles
 * it), and a non-custodial one cannot be taken (its custodian lacks the preimage). A juror without such a stake loses
 * nothing but the share it would have earned: reputation-weighted panels hold their jurors by that alone.
 *
 * Each instruction settles the stake: the penalty is shared equally among the one-time payout keys of the round's
 * jurors who revealed the majority vote (whole sats; the remainder and any penalty of a round without such a juror
 * go to the dispute's winner), the rest goes back to the staker. Undefined while the dispute is not decided; empty
 * for a void dispute or one decided by default (no panel sat).
 */
export async function absentPenalties(
  ledger: Ledger,
  view: DisputeView,
): Promise<BondInstruction[] | undefined> {
  if (view.status === 'void') return [];
  if (view.status !== 'decided' || view.winner === undefined) return undefined;
  const winner = view.winner === 'claimant' ? view.claimant : view.respondent;
  const instructions: BondInstruction[] = [];
  for (const round of view.rounds) {
    if (round.outcome === undefined) continue;
    const absent = absentJurors(round);
    if (absent.length === 0) continue;
    const majority = round.reveals.filter((r) => r.choice === round.outcome).map((r) => r.payout);
    const at = round.times.revealsClose;
    for (const juror of absent)
      for (const stake of await readStakes(ledger, { staker: juror })) {
        if (stake.statement.mode !== 'custodial' || stakeState(stake, at) !== 'locked') continue;
        if (await backsABond(ledger, stake.id)) continue;
        const amountSat = BigInt(stake.statement.amountSat);
        const penalty = (amountSat * BigInt(DISPUTE_TERMS.absentPenaltyBps)) / 10_000n;
        if (penalty === 0n) continue;
        const each = majority.length === 0 ? 0n : penalty / BigInt(majority.length);
        const payouts = [
          { to: juror, sat: amountSat - penalty },
          ...majority.map((to) => ({ to, sat: each })),
          { to: winner, sat: penalty - each * BigInt(majority.length) },
        ];
        instructions.push({
          lock: stake.id,
          custodian: stake.custodian,
          staker: juror,
          action: 'settle',
          amountSat,
          payouts: payouts.filter((p) => p.sat > 0n),
        });
      }
  }
  return instructions;
}

/** Whether a dispute event names `lock` as its bond. */
async function backsABond(ledger: Ledger, lock: string): Promise<boolean> {
  for await (const { event } of ledger.byIndex('dispute-bond', lock, { limit: 1 }))
    if (event.type.startsWith('dispute.')) return true;
  return false;
}
