import type { Ledger } from '../ledger/index.js';
import { readStakes, type StakeRecord, stakeState } from '../stake/index.js';
import type { DisputeDrawnBody } from './dispute-events.js';
import {
  bondOwner,
  type DisputeMemo,
  type DisputeRound,
  type DisputeView,
  disputeMemo,
  type ReadDisputeOptions,
  readDispute,
  readDisputeWith,
} from './dispute-state.js';
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
 * it holds when they are weighted by reputation. A non-custodial stake cannot be taken (its custodian lacks the
 * preimage). A juror without such a stake loses nothing but the share it would have earned: reputation-weighted
 * panels hold their jurors by that alone.
 *
 * One instruction per stake, whatever else names it:
 * - a stake that backs a dispute bond is left alone only when that bond was committed before the round opened
 *   (the dispute event it belongs to, `bondOwner`, published before the round's voting opened where witnesses show
 *   publication, else dated before it) and its dispute can still take it when the round's reveals close (that
 *   dispute counts the bond and is not invalid, void, or decided for the staker): its bond settles it. A bond named
 *   after the fact, or in a dispute that can never take it, frees nothing.
 * - a juror absent from several rounds (of several disputes) pays each stake's penalty once: to the first of them
 *   (the dispute final first, by `decidedAt`, then earliest reveal close, then lowest dispute id) in which the stake
 *   was locked and not so shielded. Ordering by finality keeps a final dispute's instructions fixed: a dispute still
 *   open when it became final can only become final later.
 *
 * Each instruction settles the stake: the penalty is shared equally among the one-time payout keys of the round's
 * jurors who revealed the majority vote (whole sats; the remainder and any penalty of a round without such a juror
 * go to the dispute's winner), the rest goes back to the staker. Undefined while the dispute is not decided; empty
 * for a void dispute or one decided by default (no panel sat). `options`: the times the dispute was read with.
 */
export async function absentPenalties(
  ledger: Ledger,
  view: DisputeView,
  options: ReadDisputeOptions = {},
): Promise<BondInstruction[] | undefined> {
  if (view.status === 'void') return [];
  if (view.status !== 'decided' || view.winner === undefined) return undefined;
  const winner = view.winner === 'claimant' ? view.claimant : view.respondent;
  const decidedAt = view.decidedAt ?? Number.POSITIVE_INFINITY;
  const instructions: BondInstruction[] = [];
  const memo = disputeMemo();
  for (const round of view.rounds) {
    if (round.outcome === undefined) continue;
    const absent = absentJurors(round);
    if (absent.length === 0) continue;
    const majority = round.reveals.filter((r) => r.choice === round.outcome).map((r) => r.payout);
    const at = round.times.revealsClose;
    for (const juror of absent) {
      const stakes = (await readStakes(ledger, { staker: juror })).filter(
        (stake) => stake.statement.mode === 'custodial' && stakeState(stake, at) === 'locked',
      );
      if (stakes.length === 0) continue;
      const earlier = await earlierAbsences(
        ledger,
        juror,
        { dispute: view.id, decidedAt, revealsClose: at },
        options,
        memo,
      );
      for (const stake of stakes) {
        if (await shielded(ledger, stake.id, round.times, options)) continue;
        if (await paidBefore(ledger, stake, earlier, options)) continue;
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
  }
  return instructions;
}

/**
 * Whether `lock` backs a bond committed before the round opened (`votesOpen`) that its dispute can still take when
 * the round's reveals close (`revealsClose`). Committed: the dispute event it belongs to was published before the
 * opening (where witnesses show publication), else dated before it. Can still take: that dispute, read at
 * `revealsClose` with the same options, counts the bond and is neither `invalid`, `void`, nor decided for the
 * stake's owner; a bond named once in an idle dispute would otherwise shield its stake in every round for ever.
 */
async function shielded(
  ledger: Ledger,
  lock: string,
  times: { readonly votesOpen: number; readonly revealsClose: number },
  options: ReadDisputeOptions,
) {
  const { publication } = options;
  const owner = await bondOwner(ledger, lock, publication);
  if (owner === undefined) return false;
  const stored = (await ledger.get(owner))?.event;
  if (stored === undefined) return false;
  const opens = times.votesOpen;
  const committed =
    publication?.witnessed === true
      ? (publication.at(owner)?.blockTime ?? opens) < opens
      : stored.created < opens;
  if (!committed) return false;
  const dispute =
    stored.type === 'dispute.opened' ? owner : (stored.body as unknown as { dispute: string }).dispute;
  const view = await readDispute(ledger, dispute, times.revealsClose, options);
  return canTake(view, lock);
}

/** Whether a dispute, as read, counts `lock` as a bond and may still settle it against its staker. */
function canTake(view: DisputeView, lock: string): boolean {
  const bond = [
    view.bond,
    view.answer?.bond,
    ...view.appeals.map((appeal) => appeal.bond),
    view.forfeited?.bond,
  ].find((counted) => counted?.lock === lock);
  if (bond === undefined || view.status === 'invalid' || view.status === 'void') return false;
  if (view.status !== 'decided') return true;
  const winner = view.winner === 'claimant' ? view.claimant : view.respondent;
  return bond.staker !== winner;
}

/** A round of another decided dispute in which the juror was absent, before the one being read. */
interface Absence {
  readonly revealsClose: number;
  readonly votesOpen: number;
}

/**
 * The rounds of other decided disputes in which `juror` sat absent before this one: found through the draws that list
 * it. "Before" orders by the moment each dispute became final (`decidedAt`), then the round's reveals close, then the
 * dispute id: a dispute not final when this one became final ends later, so no event arriving after this one is final
 * (an appeal round of another dispute drawn, say) moves a penalty out of it.
 */
async function earlierAbsences(
  ledger: Ledger,
  juror: string,
  self: { readonly dispute: string; readonly decidedAt: number; readonly revealsClose: number },
  options: ReadDisputeOptions,
  memo: DisputeMemo,
): Promise<Absence[]> {
  const { dispute, decidedAt, revealsClose } = self;
  const others = new Set<string>();
  for await (const { event } of ledger.events({ type: 'dispute.drawn' })) {
    const body = event.body as unknown as DisputeDrawnBody;
    if (body.dispute !== dispute && body.panel.includes(juror)) others.add(body.dispute);
  }
  const absences: Absence[] = [];
  for (const other of others) {
    const view = await readDisputeWith(ledger, other, Number.MAX_SAFE_INTEGER, options, memo);
    if (view.status !== 'decided') continue;
    const final = view.decidedAt ?? Number.POSITIVE_INFINITY;
    for (const round of view.rounds) {
      const close = round.times.revealsClose;
      const before =
        final < decidedAt ||
        (final === decidedAt && (close < revealsClose || (close === revealsClose && other < dispute)));
      if (before && round.outcome !== undefined && absentJurors(round).includes(juror))
        absences.push({ revealsClose: close, votesOpen: round.times.votesOpen });
    }
  }
  return absences;
}

/** Whether an earlier absence already takes `stake` (locked then, and not shielded by a bond then). */
async function paidBefore(
  ledger: Ledger,
  stake: StakeRecord,
  earlier: readonly Absence[],
  options: ReadDisputeOptions,
): Promise<boolean> {
  for (const absence of earlier)
    if (
      stakeState(stake, absence.revealsClose) === 'locked' &&
      !(await shielded(ledger, stake.id, absence, options))
    )
      return true;
  return false;
}
