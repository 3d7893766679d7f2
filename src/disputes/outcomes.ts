import type { DisputeLoss } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { disputeMemo, listDisputes, type ReadDisputeOptions, readDisputeWith } from './dispute-state.js';

/**
 * The disputes providers lost, final at or before `now`: a dispute decided against the side that is the receipt's
 * provider (as respondent, or as a claimant whose claim failed), by the panel or by default. What the
 * `blacklist-dispute-losers` standing rule counts. A loss by default counts only once its opening is anchored in time
 * (`options.anchors`, see `openingTiming`).
 *
 * One loss per receipt: nothing bounds the disputes a payer opens over one payment (each with its own bond), so a
 * receipt lost several times is one incident, counted as its first loss (the earliest final, then the lowest id). A
 * rule asking for N losses asks for N receipts.
 */
export async function disputeLosses(
  ledger: Ledger,
  now: number,
  options: ReadDisputeOptions = {},
): Promise<DisputeLoss[]> {
  const byReceipt = new Map<string, DisputeLoss>();
  const memo = disputeMemo();
  for (const id of await listDisputes(ledger)) {
    const view = await readDisputeWith(ledger, id, now, options, memo);
    if (view.status !== 'decided' || view.decidedAt === undefined) continue;
    const loser = view.winner === 'claimant' ? view.respondent : view.claimant;
    if (loser !== view.provider) continue;
    const known = byReceipt.get(view.receipt);
    // Ids come in order: a later id replaces only a strictly earlier loss.
    if (known === undefined || view.decidedAt < known.at)
      byReceipt.set(view.receipt, { agent: loser, dispute: id, at: view.decidedAt });
  }
  return [...byReceipt.values()].sort((a, b) => (a.dispute < b.dispute ? -1 : a.dispute > b.dispute ? 1 : 0));
}
