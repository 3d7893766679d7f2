import { toHex } from '../core/index.js';
import type { DecisionAnchor } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { eventsCommitmentTree } from './commitment.js';
import { confirmedSubjects, decisionAnchorOf } from './decision-anchors.js';
import { subjectAnchors } from './proposal-anchor.js';

/**
 * What an anchor of a dispute's opening or answer commits to: the root of the commitment tree whose one leaf is the
 * event's id (which binds its whole content, claimed times included).
 */
export function disputeEventCommitment(eventId: string): string {
  return toHex(eventsCommitmentTree([eventId]).root);
}

/**
 * The earliest verified anchor of each dispute opening and answer in the ledger (the lowest verified confirmation of
 * an `anchor.committed` of {@link disputeEventCommitment} on the ledger's chain), with its block's header time: the
 * objective moment by which the event existed, which the disputes layer's time rule takes as input (`readDispute`'s
 * `anchors`). On a ledger with a checkpoint only a block on the heaviest verified chain at `now`, deep enough, counts.
 * A function of the ledger's events and `now`, not of their order.
 */
export async function disputeAnchors(ledger: Ledger, now: number): Promise<Map<string, DecisionAnchor>> {
  const { network, bestChain, subjects } = await confirmedSubjects(ledger, now, [
    'dispute.opened',
    'dispute.answered',
  ]);
  const anchors = new Map<string, DecisionAnchor>();
  for (const id of subjects) {
    const commitment = disputeEventCommitment(id);
    const found = await subjectAnchors(ledger, id, commitment, network, now, bestChain);
    const anchor = decisionAnchorOf({ commitment, ...found, state: 'anchored' });
    if (anchor !== undefined) anchors.set(id, anchor);
  }
  return anchors;
}
