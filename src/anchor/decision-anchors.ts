import { AgoraError, type BitcoinNetwork, ErrorCode } from '../core/index.js';
import type { DecisionAnchor, Publication } from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { type AnchoredDecision, anchoredDecision } from './anchored-decision.js';
import { type BestChain, ledgerBestChain } from './best-chain.js';
import { parseBlockHeader } from './block-header.js';
import type { AnchorStatus } from './proposal-anchor.js';

/**
 * Each closed proposal's anchored decision, as this ledger computes it at `now` ({@link anchoredDecision}): the
 * earliest verified anchor within the grace with the votes all anchors within the grace commit to, else the earliest
 * late one, with its block's header time: what governance's time rule and tally take as input. On a ledger with a
 * checkpoint only confirmations on the heaviest verified header chain at `now`, with the network's confirmations,
 * count. A function of the ledger's events and `now`, not of their order: a reorg recorded later moves the chain, and
 * the anchors with it. The header time is bounded by Bitcoin's rules: above the median time of the 11 blocks before
 * it (checked on ingest), and not counted while more than 2 hours after `now`. Proposals canceled, invalid, disputed
 * or still open have no decision to anchor and are left out. `publication` (`publicationTimes`): only anchors and
 * votes published within the grace count ({@link anchoredDecision}).
 */
export async function decisionAnchors(
  ledger: Ledger,
  now: number,
  options: { publication?: Publication } = {},
): Promise<Map<string, DecisionAnchor>> {
  const { network, bestChain, subjects } = await confirmedSubjects(ledger, now, ['proposal.created']);
  const anchors = new Map<string, DecisionAnchor>();
  for (const proposal of subjects) {
    let decision: AnchoredDecision;
    try {
      decision = await anchoredDecision(ledger, proposal, now, {
        network,
        ...(bestChain === undefined ? {} : { bestChain }),
        ...(options.publication === undefined ? {} : { publication: options.publication }),
      });
    } catch (error) {
      if (error instanceof AgoraError && error.code === ErrorCode.InvalidState) continue;
      throw error;
    }
    if (decision.anchor !== undefined) anchors.set(proposal, decision.anchor);
  }
  return anchors;
}

/**
 * The ids of the events of `types` that some `anchor.confirmed` in the ledger names, sorted, with the ledger's chain
 * and its heaviest verified header chain at `now` (computed once for every subject, not per subject).
 */
export async function confirmedSubjects(
  ledger: Ledger,
  now: number,
  types: readonly string[],
): Promise<{ network: BitcoinNetwork; bestChain: BestChain | undefined; subjects: string[] }> {
  const named = new Set<string>();
  for await (const { event } of ledger.events({ type: 'anchor.confirmed' }))
    named.add((event.body as { proposal: string }).proposal);
  const subjects: string[] = [];
  for (const id of [...named].sort()) {
    const type = (await ledger.get(id))?.event.type;
    if (type !== undefined && types.includes(type)) subjects.push(id);
  }
  return {
    network: ledger.registry.network?.chain ?? 'bitcoin',
    bestChain: await ledgerBestChain(ledger, now),
    subjects,
  };
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
