import type { BitcoinNetwork } from '../core/index.js';
import { AgoraError, ErrorCode, toHex } from '../core/index.js';
import {
  type ProposalResult,
  type ProposalState,
  proposalState,
  tallyProposal,
} from '../governance/index.js';
import type { Ledger } from '../ledger/index.js';
import type { AnchorCommittedBody, AnchorConfirmedBody } from './anchor-events.js';
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
 * The commitment of a closed proposal (its result and counted vote ids, {@link proposalCommitmentTree}), as every
 * replica computes it from its ledger. `INVALID_STATE` while voting is open, when the proposal was canceled, and
 * unless its snapshot is the one its checkpoint's events give and this ledger does not dispute it (only verified
 * decisions are anchored).
 */
export async function proposalCommitment(
  ledger: Ledger,
  proposalId: string,
  now: number,
): Promise<{ tree: CommitmentTree; commitment: string; result: ProposalResult }> {
  const result = await tallyProposal(ledger, proposalId);
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
   * one was verified on ingest; on a ledger with a checkpoint (always on `bitcoin`) its height is the block's
   * position on the header chain verified from the checkpoint, so the lowest is the earliest, not the lowest claim.
   */
  readonly confirmed?: {
    readonly id: string;
    readonly proof: AnchorProof;
    readonly headers: Readonly<Record<number, string>>;
  };
  /** The proposal's state, `anchored` once confirmed. */
  readonly state: ProposalState | 'anchored';
}

/**
 * Reads a closed proposal's anchor events (checked on ingest) and matches them with its commitment. `network` is the
 * chain the ledger anchors to (default: the ledger's configured network, else `bitcoin`): events naming another chain
 * (stored under another configuration) are ignored, whatever they claim.
 */
export async function anchorStatus(
  ledger: Ledger,
  proposalId: string,
  now: number,
  options: { network?: BitcoinNetwork } = {},
): Promise<AnchorStatus> {
  const network = options.network ?? ledger.registry.network?.chain ?? 'bitcoin';
  const { commitment, result } = await proposalCommitment(ledger, proposalId, now);
  const found = await subjectAnchors(ledger, proposalId, commitment, network);
  const state = proposalState(result, now);
  return found.confirmed === undefined
    ? { commitment, ...found, state }
    : { commitment, ...found, state: 'anchored' };
}

/**
 * The anchor events of `subject` (a proposal, or a dispute event: whatever `anchor.committed` names) for `commitment`
 * on `network`: its `anchor.committed` events and the earliest verified `anchor.confirmed` of one of them (lowest
 * height, then id), with its proof. A function of the ledger's events, not of their order.
 */
export async function subjectAnchors(
  ledger: Ledger,
  subject: string,
  commitment: string,
  network: BitcoinNetwork,
): Promise<Pick<AnchorStatus, 'committed' | 'confirmed'>> {
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
    .filter((c) => committed.some((k) => k.id === c.body.committed))
    .sort((a, b) => a.body.proof.height - b.body.proof.height || (a.id < b.id ? -1 : 1))[0];
  if (ours === undefined) return { committed };
  return {
    committed,
    confirmed: {
      id: ours.id,
      proof: { commitment, ...ours.body.proof },
      headers: Object.fromEntries(
        Object.entries(ours.body.headers).map(([h, header]) => [Number(h), header]),
      ),
    },
  };
}
