import type { BitcoinNetwork } from '../core/index.js';
import { AgoraError, anchorConfirmations, ErrorCode, toHex } from '../core/index.js';
import {
  type ProposalResult,
  type ProposalState,
  type Publication,
  proposalState,
  tallyProposal,
} from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import { type AnchorCommittedBody, type AnchorConfirmedBody, MAX_ANCHORED_VOTES } from './anchor-events.js';
import { type BestChain, ledgerBestChain, settledBlockAt } from './best-chain.js';
import { parseBlockHeader } from './block-header.js';
import { type CommitmentTree, proposalCommitmentTree } from './commitment.js';
import type { AnchorProof } from './spv.js';

/** A closed proposal's result as it is committed: plain JSON, weights as decimal strings. */
export function committedResult(result: ProposalResult): Record<string, unknown> {
  const decimal = (totals: Readonly<Record<string, bigint>>) =>
    Object.fromEntries(Object.entries(totals).map(([option, total]) => [option, total.toString()]));
  return {
    outcome: { ...result.outcome },
    totals: decimal(result.tally.totals),
    scale: result.tally.scale.toString(),
    participation: result.tally.participation.toString(),
    closes: result.closes,
  };
}

/**
 * The `votes` of an `anchor.committed` for `result`: its counted votes, so that the anchor keeps matching them whatever
 * is published later; none (the anchor then matches only the full tally) past {@link MAX_ANCHORED_VOTES}.
 */
export function anchoredVotes(result: ProposalResult): { votes?: readonly string[] } {
  return result.counted.length <= MAX_ANCHORED_VOTES ? { votes: result.counted } : {};
}

/**
 * The commitment of a closed proposal (its result and counted vote ids, {@link proposalCommitmentTree}), as every
 * replica computes it from its ledger. `INVALID_STATE` while voting is open, when the proposal was canceled, and
 * unless its snapshot is the one its checkpoint's events give and this ledger does not dispute it (only verified
 * decisions are anchored). `published` reads only the votes, cancels and snapshot events it accepts (those
 * published in time, see `publishedBy`). `publication` (`publicationTimes`) dates the votes by their publication, as
 * governance reads decisions (see `tallyProposal`): pass it wherever the witnesses' times are known. `leaveOut` names
 * votes this replica holds that no other can yet (its own pieces not sent to any relay, `unsentOwnEvents`): tallied
 * as if not stored, so the anchor names only votes other replicas can hold; naming a piece before it is public would
 * tell, once it is, that the anchorer cast it.
 */
export async function proposalCommitment(
  ledger: Ledger,
  proposalId: string,
  now: number,
  options: {
    published?: (id: string) => boolean;
    publication?: Publication;
    leaveOut?: ReadonlySet<string>;
  } = {},
): Promise<{ tree: CommitmentTree; commitment: string; result: ProposalResult }> {
  const { leaveOut, ...dating } = options;
  let only: Set<string> | undefined;
  if (leaveOut !== undefined && leaveOut.size > 0) {
    only = new Set();
    for await (const { id, event } of ledger.byIndex('proposal', proposalId))
      if (event.type === 'vote.cast' && !leaveOut.has(id)) only.add(id);
  }
  const result = await tallyProposal(ledger, proposalId, {
    ...dating,
    ...(only === undefined ? {} : { only }),
  });
  if (result.canceledBy !== undefined)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `proposal ${proposalId} was canceled: there is nothing to anchor`,
    );
  if (result.snapshot.status !== 'valid')
    throw new AgoraError(
      ErrorCode.InvalidState,
      `proposal ${proposalId} is ${result.snapshot.status}: ${result.snapshot.reason}; there is no decision to anchor`,
    );
  if (result.snapshot.disputed !== undefined)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `proposal ${proposalId} is disputed: ${result.snapshot.disputed}; its decision is not anchored`,
    );
  if (now < result.closes)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `voting on ${proposalId} closes at ${result.closes}: anchor it after`,
    );
  const tree = proposalCommitmentTree({
    proposal: proposalId,
    result: committedResult(result),
    counted: result.counted,
  });
  return { tree, commitment: toHex(tree.root), result };
}

/** Where a proposal's anchoring stands in a ledger. */
export interface AnchorStatus {
  readonly commitment: string;
  /** `anchor.committed` events for this commitment (others name a result this ledger does not compute). */
  readonly committed: readonly { readonly id: string; readonly body: AnchorCommittedBody }[];
  /**
   * The earliest verified `anchor.confirmed` of one of them (lowest height, then id), with its full proof. Every
   * one was verified on ingest. On a ledger with a checkpoint (always on `bitcoin`) only those whose block is on the
   * heaviest verified header chain at `now` with the network's confirmations count ({@link BestChain}): the height
   * is then the block's position on that chain, so the lowest is the earliest there, not the lowest claim nor a
   * fork's block.
   */
  readonly confirmed?: {
    readonly id: string;
    readonly proof: AnchorProof;
    readonly headers: Readonly<Record<number, string>>;
    /** Blocks on the heaviest verified chain from the anchor's to the tip (on a ledger with a checkpoint). */
    readonly confirmations?: number;
  };
  /** The proposal's state, `anchored` once confirmed. */
  readonly state: ProposalState | 'anchored';
}

/**
 * Reads a closed proposal's anchor events (checked on ingest) and matches them with its commitment. `network` is the
 * chain the ledger anchors to (default: the ledger's configured network, else `bitcoin`): events naming another chain
 * (stored under another configuration) are ignored, whatever they claim. On a ledger with a checkpoint, a
 * confirmation counts once its block is on the heaviest verified chain at `now` (`bestChain`, computed from the
 * ledger unless given) with the network's confirmations (`NetworkConfig.confirmations`). `publication` dates the
 * votes as {@link proposalCommitment} does.
 */
export async function anchorStatus(
  ledger: Ledger,
  proposalId: string,
  now: number,
  options: { network?: BitcoinNetwork; bestChain?: BestChain; publication?: Publication } = {},
): Promise<AnchorStatus> {
  const network = options.network ?? ledger.registry.network?.chain ?? 'bitcoin';
  const { commitment, result } = await proposalCommitment(
    ledger,
    proposalId,
    now,
    options.publication === undefined ? {} : { publication: options.publication },
  );
  const found = await subjectAnchors(ledger, proposalId, commitment, network, now, options.bestChain);
  const state = proposalState(result, now);
  return found.confirmed === undefined
    ? { commitment, ...found, state }
    : { commitment, ...found, state: 'anchored' };
}

/**
 * The anchor events of `subject` (a proposal, or a dispute event: whatever `anchor.committed` names) for `commitment`
 * on `network`: its `anchor.committed` events and the earliest verified `anchor.confirmed` of one of them (lowest
 * height, then id), with its proof; on a ledger with a checkpoint only a block on the heaviest verified chain at `now`
 * with the network's confirmations counts ({@link onBestChain}). A function of the ledger's events and `now`, not of
 * their order.
 */
export async function subjectAnchors(
  ledger: Ledger,
  subject: string,
  commitment: string,
  network: BitcoinNetwork,
  now: number,
  bestChain?: BestChain,
): Promise<Pick<AnchorStatus, 'committed' | 'confirmed'>> {
  const onChain = await onBestChain(ledger, now, network, bestChain);
  const committed: { id: string; body: AnchorCommittedBody }[] = [];
  const confirmations: { id: string; body: AnchorConfirmedBody }[] = [];
  for await (const { id, event } of ledger.byIndex('proposal', subject)) {
    if (event.type === 'anchor.committed') {
      const body = event.body as unknown as AnchorCommittedBody;
      if (body.commitment === commitment && body.chain === network) committed.push({ id, body });
    } else if (event.type === 'anchor.confirmed') {
      confirmations.push({ id, body: event.body as unknown as AnchorConfirmedBody });
    }
  }
  const ours = confirmations
    .filter((c) => committed.some((k) => k.id === c.body.committed) && onChain(c.body) !== 0)
    .sort((a, b) => a.body.proof.height - b.body.proof.height || (a.id < b.id ? -1 : 1))[0];
  if (ours === undefined) return { committed };
  const depth = onChain(ours.body);
  return {
    committed,
    confirmed: {
      id: ours.id,
      proof: { commitment, ...ours.body.proof },
      headers: Object.fromEntries(
        Object.entries(ours.body.headers).map(([h, header]) => [Number(h), header]),
      ),
      ...(depth === undefined ? {} : { confirmations: depth }),
    },
  };
}

/**
 * How a confirmation stands on a ledger's heaviest verified chain at `now`: its confirmations there, 0 if its block
 * is not on that chain or has fewer than the network asks (it does not count, yet or at all), undefined on a ledger
 * without a checkpoint (no verified chain: the SPV check on ingest is all there is).
 */
export async function onBestChain(
  ledger: Ledger,
  now: number,
  network: BitcoinNetwork,
  given: BestChain | undefined,
): Promise<(body: AnchorConfirmedBody) => number | undefined> {
  if (!ledger.registry.types().includes('anchor.headers')) return () => undefined;
  const chain = given ?? (await ledgerBestChain(ledger, now));
  const settled = settledBlockAt(chain, anchorConfirmations({ ...ledger.registry.network, chain: network }));
  return ({ proof, headers }) => {
    const header = headers[proof.height];
    if (header === undefined || settled(proof.height) !== parseBlockHeader(header).hash) return 0;
    return (chain as BestChain).confirmations(proof.height);
  };
}
