import { toHex } from '../core/index.js';
import type { DecisionAnchor } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { eventsCommitmentTree } from './commitment.js';
import { decisionAnchorOf } from './decision-anchors.js';
import { subjectAnchors } from './proposal-anchor.js';

/**
 * What an anchor of a dispute opening commits to: the root of the commitment tree whose one leaf is the opening's
 * event id (which binds its whole content, claimed times included).
 */
export function disputeOpeningCommitment(disputeId: string): string {
  return toHex(eventsCommitmentTree([disputeId]).root);
}

/**
 * The earliest verified anchor of each dispute opening in the ledger (the lowest verified confirmation of an
 * `anchor.committed` of {@link disputeOpeningCommitment} on the ledger's chain), with its block's header time: the
 * objective moment by which the opening existed, which the disputes layer's time rule takes as input (`readDispute`'s
 * `anchors`). A function of the ledger's events, not of their order.
 */
export async function disputeAnchors(ledger: Ledger): Promise<Map<string, DecisionAnchor>> {
  const network = ledger.registry.network?.chain ?? 'bitcoin';
  const subjects = new Set<string>();
  for await (const { event } of ledger.events({ type: 'anchor.confirmed' }))
    subjects.add((event.body as { proposal: string }).proposal);
  const anchors = new Map<string, DecisionAnchor>();
  for (const id of [...subjects].sort()) {
    if ((await ledger.get(id))?.event.type !== 'dispute.opened') continue;
    const commitment = disputeOpeningCommitment(id);
    const found = await subjectAnchors(ledger, id, commitment, network);
    const anchor = decisionAnchorOf({ commitment, ...found, state: 'anchored' });
    if (anchor !== undefined) anchors.set(id, anchor);
  }
  return anchors;
}
