import type { BitcoinNetwork } from '../core/index.js';
import { decisionTimeBounds, toHex } from '../core/index.js';
import {
  anchorDeadline,
  type DecisionAnchor,
  type ProposalResult,
  type Publication,
  publishedBy,
  readProposal,
  tallyProposal,
} from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import type { AnchorCommittedBody, AnchorConfirmedBody } from './anchor-events.js';
import type { BestChain } from './best-chain.js';
import { parseBlockHeader } from './block-header.js';
import { proposalCommitmentTree } from './commitment.js';
import { committedResult, onBestChain, proposalCommitment } from './proposal-anchor.js';

/** One anchor of a proposal's result whose commitment matches the votes it names, and where it is confirmed. */
export interface ProposalAnchor {
  /** The `anchor.committed` event. */
  readonly committed: string;
  /** Its earliest verified `anchor.confirmed` within the grace, else its earliest (lowest height, then id). */
  readonly confirmation: string;
  readonly height: number;
  /** The confirming block's header time, unix seconds. */
  readonly blockTime: number;
  /** The ids of the votes the commitment counts, sorted. */
  readonly votes: readonly string[];
}

/** A proposal's anchors as governance reads them: see {@link anchoredDecision}. */
export interface AnchoredDecision {
  /** Matching anchors confirmed within the grace ({@link anchorDeadline}), earliest first: they fix the decision. */
  readonly inTime: readonly ProposalAnchor[];
  /** Matching anchors confirmed after the grace, earliest first: they change nothing. */
  readonly late: readonly ProposalAnchor[];
  /**
   * What governance's time rule takes: the earliest anchor in time with the union of the votes of all anchors in
   * time; with none in time, the earliest late one (its decision is void); undefined while nothing is anchored.
   */
  readonly anchor?: DecisionAnchor;
}

const byHeightThenId = <T extends { height: number; id: string }>(a: T, b: T) =>
  a.height - b.height || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The anchor rule of decisions: which votes a closed proposal's decision counts, fixed by Bitcoin.
 *
 * An `anchor.committed` names the votes its commitment counts (`votes`); it matches when the tally of those stored
 * votes alone, as every replica computes it ({@link tallyProposal} with `only`), counts exactly them and gives that
 * commitment. An older anchor without the list matches only the tally of every stored vote. An anchor is in time when
 * a verified confirmation's block time is at most {@link anchorDeadline}, which depends on the proposal alone (a later
 * block holding the same transaction, on a fork, changes nothing). The decision counts the union of the votes of every matching anchor in time:
 * - a vote published after the grace, whatever its claimed time, is in no anchor in time: it changes nothing, and the
 *   anchors already made keep matching (each is checked against its own votes, not every stored one);
 * - an anchor that leaves votes out cannot censor them: anyone who holds them anchors them too, within the grace;
 * - the decision may change while anchors in time arrive (each adds votes), and is fixed once the grace is over.
 * With `publication` (the network's witnesses, `publicationTimes`), an anchor counts only if it and the votes it names
 * were published by the deadline, and cancels and snapshot disputes only if published by then: an anchor withheld
 * and shown after the grace adds nothing, however early its block.
 * A function of the ledger's events, not of their order. `INVALID_STATE` as {@link proposalCommitment}: canceled,
 * invalid, disputed or still open proposals have no decision to anchor. `network` is the chain anchored to (default:
 * the ledger's configured network, else `bitcoin`).
 */
export async function anchoredDecision(
  ledger: Ledger,
  proposalId: string,
  now: number,
  options: { network?: BitcoinNetwork; bestChain?: BestChain; publication?: Publication } = {},
): Promise<AnchoredDecision> {
  const network = options.network ?? ledger.registry.network?.chain ?? 'bitcoin';
  const { body: proposal } = await readProposal(ledger, proposalId);
  const deadline = anchorDeadline(proposal, decisionTimeBounds(ledger.registry.network));
  // Where witnesses show publication, only what was public by the end of the grace decides.
  const published = publishedBy(options.publication, deadline);
  // Votes are dated by their publication (the copy first shown, its time), as governance reads the decision.
  const dating = options.publication === undefined ? {} : { publication: options.publication };
  const full = await proposalCommitment(ledger, proposalId, now, {
    ...dating,
    ...(published === undefined ? {} : { published }),
  });
  const onChain = await onBestChain(ledger, now, network, options.bestChain);
  const committed: { id: string; body: AnchorCommittedBody }[] = [];
  const confirmations: { id: string; height: number; body: AnchorConfirmedBody }[] = [];
  for await (const { id, event } of ledger.byIndex('proposal', proposalId)) {
    if (event.type === 'anchor.committed') {
      const body = event.body as unknown as AnchorCommittedBody;
      if (body.chain === network) committed.push({ id, body });
    } else if (event.type === 'anchor.confirmed') {
      const body = event.body as unknown as AnchorConfirmedBody;
      // On a ledger with a checkpoint, only blocks on the heaviest verified chain, deep enough, count.
      if (onChain(body) !== 0) confirmations.push({ id, height: body.proof.height, body });
    }
  }
  confirmations.sort(byHeightThenId);
  const inTime: ProposalAnchor[] = [];
  const late: ProposalAnchor[] = [];
  for (const { id, body } of committed.sort((a, b) => (a.id < b.id ? -1 : 1))) {
    // A verified confirmation carries its block's header (the SPV check starts from it).
    const confirmed = confirmations.flatMap((c) => {
      const header = c.body.committed === id ? c.body.headers[String(c.height)] : undefined;
      return header === undefined ? [] : [{ ...c, blockTime: parseBlockHeader(header).time }];
    });
    // The earliest confirmation in time, else the earliest: a second block holding the same transaction, dated
    // later (a fork block mined at a lower height, say), does not make an anchor made in time late.
    const earliest = confirmed.find((c) => c.blockTime <= deadline) ?? confirmed[0];
    if (earliest === undefined) continue;
    // An anchor shown after the grace, or naming a vote shown after it, was kept from the replicas while the decision
    // was being fixed: it counts for nothing (not even as a late anchor, whose block may be in time).
    if (published !== undefined && (!published(id) || !(body.votes ?? []).every(published))) continue;
    const votes = await matchingVotes(ledger, proposalId, body, full, dating);
    if (votes === undefined) continue;
    const anchor: ProposalAnchor = {
      committed: id,
      confirmation: earliest.id,
      height: earliest.height,
      blockTime: earliest.blockTime,
      votes,
    };
    (anchor.blockTime <= deadline ? inTime : late).push(anchor);
  }
  const order = (a: ProposalAnchor, b: ProposalAnchor) =>
    byHeightThenId({ height: a.height, id: a.confirmation }, { height: b.height, id: b.confirmation });
  inTime.sort(order);
  late.sort(order);
  const first = inTime[0] ?? late[0];
  if (first === undefined) return { inTime, late };
  const counted = inTime.length > 0 ? new Set(inTime.flatMap((a) => a.votes)) : new Set(first.votes);
  return {
    inTime,
    late,
    anchor: {
      blockTime: first.blockTime,
      height: first.height,
      confirmation: first.confirmation,
      votes: [...counted].sort(),
    },
  };
}

/**
 * The votes an anchor's commitment counts, when it matches them: the votes it names, if their tally alone counts
 * exactly them and commits to the same root; an anchor naming none, the votes of the full tally if it matches that.
 */
async function matchingVotes(
  ledger: Ledger,
  proposalId: string,
  body: AnchorCommittedBody,
  full: { commitment: string; result: ProposalResult },
  dating: { publication?: Publication },
): Promise<readonly string[] | undefined> {
  if (body.votes === undefined) return body.commitment === full.commitment ? full.result.counted : undefined;
  const named = body.votes;
  const sameAsFull =
    named.length === full.result.counted.length && named.every((v, i) => v === full.result.counted[i]);
  if (sameAsFull) return body.commitment === full.commitment ? named : undefined;
  const result = await tallyProposal(ledger, proposalId, { ...dating, only: new Set(named) });
  if (result.counted.length !== named.length || !result.counted.every((v, i) => v === named[i]))
    return undefined;
  const tree = proposalCommitmentTree({
    proposal: proposalId,
    result: committedResult(result),
    counted: result.counted,
  });
  return toHex(tree.root) === body.commitment ? named : undefined;
}
