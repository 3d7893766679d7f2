import { AgoraError, ErrorCode } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import { Reputation, type ReputationOptions } from '../reputation/index.js';
import { readStakes, stakeWeights } from '../stake/index.js';
import { MembershipTree } from '../zk/index.js';
import { readDelegations } from './delegation.js';
import { type ProposalBody, proposerStanding } from './proposal.js';
import { computeSnapshot, type Snapshot, type WeightMode } from './snapshot.js';

/** Each agent's ZK commitment from its latest registration at or before `asOf` (same second: lowest id). */
async function commitmentsAt(ledger: Ledger, asOf: number): Promise<Map<string, bigint>> {
  const latest = new Map<string, { id: string; created: number; commitment: bigint }>();
  for await (const { id, event } of ledger.events({ type: 'agent.registered' })) {
    if (event.created > asOf) continue;
    const author = event.author as string;
    const known = latest.get(author);
    if (
      known === undefined ||
      event.created > known.created ||
      (event.created === known.created && id < known.id)
    )
      latest.set(author, {
        id,
        created: event.created,
        commitment: BigInt((event.body as { zkCommitment: string }).zkCommitment),
      });
  }
  return new Map([...latest].map(([agent, { commitment }]) => [agent, commitment]));
}

/**
 * A proposal's weight snapshot computed from the events of `ledger` created at or before `asOf`: registrations
 * (commitments, and the member list for `equal`), reputation scores (`reputation`), locked stakes (`stake`,
 * `quadratic`), delegations. Any replica holding
 * those events computes the same root.
 */
export async function snapshotFromLedger(
  ledger: Ledger,
  options: {
    mode: WeightMode;
    asOf: number;
    minWeight?: bigint;
    /** Stake modes: count only stakes promised locked until then (the proposal's close). */
    lockedThrough?: number;
    reputation?: ReputationOptions;
  },
): Promise<Snapshot> {
  const commitments = await commitmentsAt(ledger, options.asOf);
  let base: Map<string, bigint>;
  if (options.mode === 'equal') {
    base = new Map([...commitments.keys()].map((agent) => [agent, 1n]));
  } else if (options.mode === 'reputation') {
    const reputation = await Reputation.fromLedger(ledger, { ...options.reputation, asOf: options.asOf });
    base = new Map([...commitments.keys()].map((agent) => [agent, BigInt(reputation.score(agent))]));
  } else {
    // `stake` and `quadratic`: sats locked at `asOf` and promised to stay locked through `lockedThrough`.
    const stakes = stakeWeights(await readStakes(ledger), {
      asOf: options.asOf,
      ...(options.lockedThrough === undefined ? {} : { lockedThrough: options.lockedThrough }),
    });
    base = new Map([...commitments.keys()].map((agent) => [agent, stakes.get(agent) ?? 0n]));
  }
  const delegations = await readDelegations(ledger);
  return computeSnapshot({
    mode: options.mode,
    base,
    commitments,
    delegations,
    asOf: options.asOf,
    ...(options.minWeight === undefined ? {} : { minWeight: options.minWeight }),
  });
}

/** The latest moment voting can close (with a late-quorum extension): stakes must stay locked until then. */
const latestClose = (terms: Pick<ProposalBody, 'window' | 'lateQuorumExtension'>) =>
  terms.window.closes + (terms.lateQuorumExtension ?? 0);

/** Rebuilds a proposal's snapshot from the ledger, with the proposal's mode, time and minimum weight. */
export function rebuildSnapshot(ledger: Ledger, proposal: ProposalBody): Promise<Snapshot> {
  return snapshotFromLedger(ledger, {
    mode: proposal.weightMode,
    asOf: proposal.snapshot.asOf,
    minWeight: BigInt(proposal.minWeight),
    lockedThrough: latestClose(proposal),
  });
}

/** `INVALID_STATE` unless the rebuilt snapshot has the proposal's root: events it was computed from are missing. */
export function assertSnapshotMatches(proposal: ProposalBody, snapshot: Snapshot): void {
  const root = snapshot.root.toString();
  if (root !== proposal.snapshot.root)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `the ledger gives snapshot root ${root}, the proposal says ${proposal.snapshot.root}: import the events it was computed from`,
    );
}

/** A proposal's terms: everything but the snapshot, which {@link draftProposal} computes. */
export type ProposalTerms = Omit<ProposalBody, 'snapshot' | 'proposer'>;

/**
 * Computes a proposal's snapshot from `ledger` at `asOf` (default: the window's opening) the way every replica will
 * rebuild it, and returns the body to sign with `createProposal` (with the proposer's standing), the snapshot and its
 * tree (voters' paths). `INVALID_STATE` when nobody would have a vote or the proposer holds no leaf.
 */
export async function draftProposal(
  ledger: Ledger,
  terms: ProposalTerms,
  options: { proposer: string; asOf?: number },
): Promise<{ body: ProposalBody; snapshot: Snapshot; tree: MembershipTree }> {
  const asOf = options.asOf ?? terms.window.opens;
  const snapshot = await snapshotFromLedger(ledger, {
    mode: terms.weightMode,
    asOf,
    minWeight: BigInt(terms.minWeight),
    lockedThrough: latestClose(terms),
  });
  if (snapshot.members.length === 0)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `no registered agent has ${terms.weightMode} weight at ${asOf}: nobody could vote on this proposal`,
    );
  const index = snapshot.members.findIndex((member) => member.agent === options.proposer);
  const own = snapshot.members[index];
  if (own === undefined)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `the proposer ${options.proposer} has no ${terms.weightMode} weight in the snapshot: it cannot propose`,
    );
  const tree = await MembershipTree.build(snapshot.members);
  const body: ProposalBody = {
    ...terms,
    proposer: proposerStanding(tree.path(index), own.weight),
    snapshot: {
      asOf,
      root: snapshot.root.toString(),
      total: snapshot.total.toString(),
      members: snapshot.members.length,
    },
  };
  return { body, snapshot, tree };
}
