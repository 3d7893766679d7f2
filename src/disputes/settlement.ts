import type { Bond, DisputeView } from './dispute-state.js';
import { DISPUTE_TERMS } from './terms.js';

/** What a custodian is asked to do with one bond it holds. */
export interface BondInstruction {
  readonly lock: string;
  readonly custodian: string;
  readonly staker: string;
  /**
   * `release`: cancel the hold invoice, the sats go back to the staker. `settle`: settle it (custodial: the custodian
   * holds the preimage) and pay `payouts` out of it.
   */
  readonly action: 'release' | 'settle';
  readonly amountSat: bigint;
  /** For `settle`: who gets how many sats (agent ids or jurors' one-time payout keys); sums to `amountSat`. */
  readonly payouts: readonly { readonly to: string; readonly sat: bigint }[];
}

/**
 * What a decided (or void) dispute asks of the custodians, as a pure function of its view: every bond of the winning
 * side released; every bond of the losing side settled, `jurorShareBps` of it shared equally among the one-time
 * payout keys of the jurors who revealed the final round's majority vote (whole sats, rounding down), the rest to
 * the winner; a dispute lost by default or with no majority revealer pays the winner in full. A forfeited appeal's
 * bond is a losing bond (the round it appealed stands, and its majority revealers share it). A void dispute (too few
 * eligible jurors) releases every bond. Undefined while the dispute is not final.
 */
export function settlement(view: DisputeView): BondInstruction[] | undefined {
  const bonds: Bond[] = [
    ...(view.bond === undefined ? [] : [view.bond]),
    ...(view.answer === undefined ? [] : [view.answer.bond]),
    ...view.appeals.map((appeal) => appeal.bond),
    ...(view.forfeited === undefined ? [] : [view.forfeited.bond]),
  ];
  const release = (bond: Bond): BondInstruction => ({
    lock: bond.lock,
    custodian: bond.custodian,
    staker: bond.staker,
    action: 'release',
    amountSat: bond.amountSat,
    payouts: [],
  });
  if (view.status === 'void') return bonds.map(release);
  if (view.status !== 'decided' || view.winner === undefined) return undefined;
  const winner = view.winner === 'claimant' ? view.claimant : view.respondent;
  const final = view.rounds[view.rounds.length - 1];
  const majority =
    view.byDefault || final?.outcome === undefined
      ? []
      : final.reveals.filter((reveal) => reveal.choice === final.outcome).map((reveal) => reveal.payout);
  return bonds.map((bond) => {
    if (bond.staker === winner) return release(bond);
    const jurorPart =
      majority.length === 0 ? 0n : (bond.amountSat * BigInt(DISPUTE_TERMS.jurorShareBps)) / 10_000n;
    const each = majority.length === 0 ? 0n : jurorPart / BigInt(majority.length);
    const payouts = majority.map((to) => ({ to, sat: each }));
    payouts.push({ to: winner, sat: bond.amountSat - each * BigInt(majority.length) });
    return { ...release(bond), action: 'settle', payouts: payouts.filter((p) => p.sat > 0n) };
  });
}
