import type { DisputeLoss } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { listDisputes, type ReadDisputeOptions, readDispute } from './dispute-state.js';

/**
 * The disputes providers lost, final at or before `now`: a dispute decided against the side that is the receipt's
 * provider (as respondent, or as a claimant whose claim failed), by the panel or by default. What the
 * `blacklist-dispute-losers` standing rule counts. A loss by default counts only once its opening is anchored in time
 * (`options.anchors`, see `openingTiming`).
 */
export async function disputeLosses(
  ledger: Ledger,
  now: number,
  options: ReadDisputeOptions = {},
): Promise<DisputeLoss[]> {
  const losses: DisputeLoss[] = [];
  for (const id of await listDisputes(ledger)) {
    const view = await readDispute(ledger, id, now, options);
    if (view.status !== 'decided' || view.decidedAt === undefined) continue;
    const loser = view.winner === 'claimant' ? view.respondent : view.claimant;
    if (loser === view.provider) losses.push({ agent: loser, dispute: id, at: view.decidedAt });
  }
  return losses;
}
