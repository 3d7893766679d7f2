import { AgoraError, ErrorCode } from '../core/index.js';
import type { DecisionAnchor } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { parseBlockHeader } from './block-header.js';
import { type AnchorStatus, anchorStatus } from './proposal-anchor.js';

/**
 * The earliest verified anchor of each closed proposal's result, as this ledger computes it ({@link anchorStatus}:
 * the lowest verified confirmation of a matching `anchor.committed` on the ledger's chain), with its block's header
 * time: what governance's time rule takes as input. A function of the ledger's events, not of their order.
 * Proposals canceled, invalid, disputed or still open have no decision to anchor and are left out.
 */
export async function decisionAnchors(ledger: Ledger, now: number): Promise<Map<string, DecisionAnchor>> {
  const network = ledger.registry.network?.chain ?? 'bitcoin';
  const proposals = new Set<string>();
  for await (const { event } of ledger.events({ type: 'anchor.confirmed' }))
    proposals.add((event.body as { proposal: string }).proposal);
  const anchors = new Map<string, DecisionAnchor>();
  for (const proposal of [...proposals].sort()) {
    // Dispute openings are anchored too (`disputeAnchors`): they have no decision.
    if ((await ledger.get(proposal))?.event.type !== 'proposal.created') continue;
    let status: Awaited<ReturnType<typeof anchorStatus>>;
    try {
      status = await anchorStatus(ledger, proposal, now, { network });
    } catch (error) {
      if (error instanceof AgoraError && error.code === ErrorCode.InvalidState) continue;
      throw error;
    }
    const anchor = decisionAnchorOf(status);
    if (anchor !== undefined) anchors.set(proposal, anchor);
  }
  return anchors;
}

/** The earliest verified confirmation of an {@link AnchorStatus}, with its block's header time; none if unconfirmed. */
export function decisionAnchorOf(status: AnchorStatus): DecisionAnchor | undefined {
  const confirmed = status.confirmed;
  // A verified confirmation carries its block's header (the SPV check starts from it).
  const header = confirmed?.headers[confirmed.proof.height];
  if (confirmed === undefined || header === undefined) return undefined;
  return {
    blockTime: parseBlockHeader(header).time,
    height: confirmed.proof.height,
    confirmation: confirmed.id,
  };
}
