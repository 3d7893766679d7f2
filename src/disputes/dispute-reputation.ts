import type { Ledger } from '../ledger/index.js';
import type { ReceiptBody } from '../receipts/index.js';
import { type ReceiptFact, Reputation, type ReputationOptions, readFacts } from '../reputation/index.js';
import { disputeMemo, listDisputes, type ReadDisputeOptions, readDisputeWith } from './dispute-state.js';

/**
 * How much an upheld claim against a provider weighs: as a -2 rating of this many times the disputed receipt's
 * amount, dated when the outcome became final, so it decays with the reputation's half-life (30 days by default)
 * like any receipt. EigenTrust clips each agent's trust in another at zero, so the effect is to wipe out the
 * claimant's trust in the provider from up to ten payments of that size; what the rest of the network thinks of
 * the provider is theirs, and the `blacklist-dispute-losers` standing rule is the sanction beyond it.
 */
export const UPHELD_CLAIM_WEIGHT = 10;

/**
 * The trust statements dispute outcomes add, as receipt facts: for each dispute decided by `now` in which the payer
 * claimed against the provider and won (by the panel or by default), a -2 rating from the payer to the provider of
 * `UPHELD_CLAIM_WEIGHT` times the receipt's amount. The fact's id is the dispute's, so it never replaces a receipt.
 * A win by default counts only once the opening is anchored in time (`options.anchors`). One fact per receipt: a
 * payment disputed several times is one incident.
 */
export async function disputeFacts(
  ledger: Ledger,
  now: number,
  options: ReadDisputeOptions = {},
): Promise<ReceiptFact[]> {
  const facts = new Map<string, ReceiptFact>();
  const memo = disputeMemo();
  for (const id of await listDisputes(ledger)) {
    const view = await readDisputeWith(ledger, id, now, options, memo);
    if (view.status !== 'decided' || view.winner !== 'claimant' || view.claimant !== view.payer) continue;
    // One upheld claim per receipt (as `disputeLosses`): the first final, then the lowest id.
    const known = facts.get(view.receipt);
    if (known !== undefined && known.created <= (view.decidedAt as number)) continue;
    const receipt = (await ledger.get(view.receipt))?.event.body as unknown as ReceiptBody;
    facts.set(view.receipt, {
      id,
      provider: view.provider,
      payer: view.payer,
      amountMsat: receipt.amountMsat * UPHELD_CLAIM_WEIGHT,
      created: view.decidedAt as number,
      serviceRating: -2,
    });
  }
  return [...facts.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Reputation from the ledger's receipts and ratings plus the outcomes of its disputes decided by `now` (`anchors`:
 * the openings' objective times, as for {@link disputeFacts}).
 */
export async function reputationWithDisputes(
  ledger: Ledger,
  now: number,
  options: ReputationOptions & ReadDisputeOptions = {},
): Promise<Reputation> {
  const { registrations, facts } = await readFacts(ledger, options.asOf);
  const upheld = (await disputeFacts(ledger, now, options)).filter(
    (fact) => fact.created <= (options.asOf ?? now),
  );
  return Reputation.fromFacts(registrations, [...facts, ...upheld], options);
}
