import type { Ledger } from '../ledger/index.js';
import {
  anonymitySets,
  clientAnonymity,
  DEFAULT_MIN_ANONYMITY,
  pieceReveal,
  requiredAnonymity,
} from './anonymity.js';
import {
  BASIS_POINTS,
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  decide,
  type Outcome,
  parseBallot,
  type Tally,
} from './counting/index.js';
import { clientCasts, type LinkedBallot, linkedBallots } from './linked-ballots.js';
import { type ProposalBody, readProposal } from './proposal.js';
import type { Publication } from './publication.js';
import { checkSnapshot, type SnapshotVerdict, snapshotDispute } from './snapshot-ledger.js';
import { pieceRuleOf, type VoteBody } from './vote.js';

/** A proposal's result as any replica derives it from its ledger. */
export interface ProposalResult {
  readonly proposal: ProposalBody;
  /**
   * Whether the proposal's snapshot is the one its checkpoint's events give ({@link checkSnapshot}): only a `valid`
   * proposal is ever decided; the tally of an invalid or pending one is shown, never acted on. `disputed` says why,
   * when this ledger holds events the checkpoint leaves out that change the weights ({@link snapshotDispute}).
   */
  readonly snapshot: {
    readonly status: SnapshotVerdict['status'];
    readonly reason?: string;
    readonly disputed?: string;
  };
  readonly tally: Tally;
  readonly outcome: Outcome;
  /** When voting ends: `window.closes`, or later when a late quorum extended it. */
  readonly closes: number;
  /** The `proposal.canceled` event that withdrew the proposal (the lowest id, if several), if any. */
  readonly canceledBy?: string;
  /** Ids of the votes counted, one per nullifier, sorted. */
  readonly counted: readonly string[];
  /**
   * The anonymity of the votes kept (one per nullifier), found as an observer would with {@link anonymitySets}: how
   * many snapshot members could have cast each, under the proposal's piece rule. Votes below `required` are not
   * counted (`exposed`). Absent while the snapshot is not valid (its weights are not known for sure).
   */
  readonly anonymity?: {
    readonly required: number;
    /**
     * The smallest set among the counted votes (undefined when none is counted), and among the groups of counted
     * pieces carrying one ballot (`linked`, their `anonymity`: 1 where a member is named, or may be).
     */
    readonly smallest?: number;
    /**
     * The counted pieces grouped by ballot, for each ballot two pieces or more carry ({@link linkedBallots}), matched
     * against every member's whole cast at the client's k ({@link clientAnonymity}): the members whose cast is the
     * whole group (a choice one voter made alone), and its decompositions into several members' casts, with the
     * members present in every one (`named`: a choice a few voters made alone can name them all). A group the search's
     * budget leaves unresolved is counted by what the decompositions found prove, never as safe. Reported, not
     * refused: the pieces are public either way.
     */
    readonly linked: readonly LinkedBallot[];
    /** Each kept vote's set size, by vote id, sorted by id. */
    readonly sets: readonly { readonly id: string; readonly size: number }[];
    /** Kept votes not counted because fewer than `required` members could have cast them, sorted. */
    readonly exposed: readonly string[];
  };
  /**
   * Nullifiers used more than once: the vote kept (the first published where witnesses show publication, then the
   * earliest dated, then the lowest id) and the others, kept as evidence of a double vote (or copies of one piece under
   * other dates).
   */
  readonly doubleVotes: readonly {
    readonly nullifier: string;
    readonly kept: string;
    readonly evidence: readonly string[];
  }[];
}

/** A stored vote as the tally sees it. */
export interface StoredVote {
  readonly id: string;
  readonly created: number;
  readonly body: VoteBody;
  /**
   * When the tally takes the vote to have happened: the earliest publication of any copy of it (same nullifier), where
   * witnesses show one; else (no witness, or none lists it yet) `created`.
   */
  readonly time?: number;
}

/**
 * When voting ends. Without an extension, at `window.closes`. With one, if the votes dated before `closes` (in
 * {@link StoredVote.time} order, then id) first reach quorum less than `extension` seconds before `closes`, at that
 * moment plus the extension; a quorum published only after `closes` was reached in the last stretch: the extension
 * runs from `closes`.
 */
export function votingCloses(proposal: ProposalBody, votes: readonly StoredVote[]): number {
  const { closes } = proposal.window;
  const extension = proposal.lateQuorumExtension;
  if (extension === undefined) return closes;
  const needed = BigInt(proposal.quorum) * BigInt(proposal.snapshot.total);
  let participation = 0n;
  const timeOf = (vote: StoredVote) => vote.time ?? vote.created;
  const inTime = votes
    .filter((vote) => vote.created < closes)
    .sort((a, b) => timeOf(a) - timeOf(b) || (a.id < b.id ? -1 : 1));
  for (const vote of inTime) {
    participation += BigInt(vote.body.votingWeight);
    if (participation * BASIS_POINTS >= needed) {
      const reached = Math.min(timeOf(vote), closes);
      return reached < closes - extension ? closes : reached + extension;
    }
  }
  return closes;
}

/**
 * Tallies a proposal from the votes stored in `ledger` (every one verified on ingest): one vote per nullifier,
 * the earliest dated (then the lowest event id) winning a conflict, so replicas holding the same events agree
 * whatever the order they arrived in; votes after the (possibly extended) close do not count. Quorum is measured against the
 * snapshot's total weight. The result says whether the snapshot is valid: see {@link ProposalResult.snapshot}.
 *
 * `only` restricts the tally to the stored votes with these ids, as if the ledger held no other: the result of an
 * anchored set of votes, which pieces published later cannot change (see `anchoredDecision` in the anchoring layer).
 * `published` restricts the votes, cancels and the events that may dispute the snapshot to those shown in time (see
 * {@link publishedBy}): what is published after the grace changes no decision, whatever time it claims. With
 * `everyStoredVote`, votes are not restricted (what a decision still waiting for its anchor shows).
 *
 * `publication` (the witnesses' publication times, from the anchoring layer's `publicationTimes`) dates the votes:
 * a piece's `created` is bound by nothing (no signature, the proof does not cover it), so anyone can store a copy
 * under another date. Where witnesses show publication, the copy kept for a nullifier is the first published (then
 * the earliest dated, then the lowest id), and every copy takes the earliest publication of any of them as its time
 * for quorum and the late-quorum extension ({@link votingCloses}): a copy made later, whatever its date, moves
 * neither. Without witnesses (or before any lists the vote) `created` is all there is: the earliest-dated copy is
 * kept and dates the vote, so a copy dated earlier can still move quorum out of the last stretch there.
 */
export async function tallyProposal(
  ledger: Ledger,
  proposalId: string,
  options: {
    only?: ReadonlySet<string>;
    published?: (id: string) => boolean;
    everyStoredVote?: boolean;
    publication?: Publication;
  } = {},
): Promise<ProposalResult> {
  const { published, publication } = options;
  // A vote's publication by the witnesses, block time; undefined where none shows it (or no witness is configured).
  const shownAt = (id: string) =>
    publication?.witnessed === true ? publication.at(id)?.blockTime : undefined;
  const { body: proposal } = await readProposal(ledger, proposalId);
  const verdict = await checkSnapshot(ledger, proposalId);
  const disputed = await snapshotDispute(ledger, proposalId, published === undefined ? {} : { published });
  const byNullifier = new Map<string, StoredVote[]>();
  let canceledBy: string | undefined;
  for await (const { id, event } of ledger.byIndex('proposal', proposalId)) {
    const shown = published === undefined || published(id);
    if (event.type === 'proposal.canceled' && shown && (canceledBy === undefined || id < canceledBy))
      canceledBy = id;
    if (!shown && (event.type !== 'vote.cast' || options.everyStoredVote !== true)) continue;
    if (event.type !== 'vote.cast' || (options.only !== undefined && !options.only.has(id))) continue;
    const body = event.body as unknown as VoteBody;
    const group = byNullifier.get(body.nullifier) ?? [];
    const publishedAt = shownAt(id);
    group.push({
      id,
      created: event.created,
      body,
      ...(publishedAt === undefined ? {} : { time: publishedAt }),
    });
    byNullifier.set(body.nullifier, group);
  }
  const doubleVotes: { nullifier: string; kept: string; evidence: string[] }[] = [];
  const kept: StoredVote[] = [];
  // Unpublished last: a copy no witness lists yet is no earlier than one a witness does.
  const shownOrLast = (vote: StoredVote) => vote.time ?? Number.POSITIVE_INFINITY;
  for (const nullifier of [...byNullifier.keys()].sort()) {
    // The first published vote of a nullifier is kept (where witnesses show it), then the earliest dated, then the
    // lowest id. A piece's `created` is not bound by its proof, so anyone can republish it under another date: were
    // the lowest id kept, a copy dated after the close and ground for a lower id would drop the piece cast in time;
    // were its date trusted, a copy dated earlier would move quorum out of the last stretch and cancel the extension
    // (so the time the tally takes is the earliest publication, which a later copier cannot move). Only the voter can
    // make another ballot for its nullifier (the proof binds the ballot), so no copy counts what the voter did not cast.
    const votes = (byNullifier.get(nullifier) ?? []).sort(
      (a, b) =>
        (shownOrLast(a) === shownOrLast(b) ? 0 : shownOrLast(a) < shownOrLast(b) ? -1 : 1) ||
        a.created - b.created ||
        (a.id < b.id ? -1 : 1),
    );
    const [first, ...others] = votes as [StoredVote, ...StoredVote[]];
    if (others.length > 0) doubleVotes.push({ nullifier, kept: first.id, evidence: others.map((v) => v.id) });
    kept.push(first);
  }
  // A vote that names its voter is not counted: the tally enforces the anonymity the client rule promises.
  let anonymous = kept;
  let anonymity: ProposalResult['anonymity'];
  if (verdict.status === 'valid') {
    const members = verdict.snapshot.members;
    const required = requiredAnonymity(proposal.minAnonymity ?? DEFAULT_MIN_ANONYMITY, members.length);
    const sets = anonymitySets(
      members,
      kept.map((vote) => ({ id: vote.id, votingWeight: BigInt(vote.body.votingWeight) })),
      pieceReveal(pieceRuleOf(proposal)),
    );
    const size = new Map(sets.map((set) => [set.id, set.candidates.length]));
    anonymous = kept.filter((vote) => (size.get(vote.id) ?? 0) >= required);
    const exposed = kept.filter((vote) => (size.get(vote.id) ?? 0) < required).map((vote) => vote.id);
    anonymity = {
      required,
      linked: [],
      sets: sets
        .map((set) => ({ id: set.id, size: set.candidates.length }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
      exposed: exposed.sort(),
    };
  }
  const closes = votingCloses(proposal, anonymous);
  const counted = anonymous.filter((vote) => vote.created < closes);
  if (anonymity !== undefined && verdict.status === 'valid') {
    const countedIds = new Set(counted.map((vote) => vote.id));
    const pieceSets = anonymity.sets.filter((set) => countedIds.has(set.id)).map((set) => set.size);
    const members = verdict.snapshot.members;
    // Each member's cast at the client's k (what clients cast), not the proposal's `required`: under a proposal
    // asking less than the default, casts computed at `required` hold pieces no default client casts.
    const linked = linkedBallots(
      clientCasts(members, pieceRuleOf(proposal), clientAnonymity(proposal.minAnonymity, members.length)),
      counted.map((vote) => ({
        ballot: JSON.stringify(vote.body.ballot),
        votingWeight: BigInt(vote.body.votingWeight),
      })),
      // A group's set past the smallest piece's changes no figure reported: not refined further.
      { enough: pieceSets.reduce((min, size) => Math.min(min, size), Number.POSITIVE_INFINITY) },
    );
    const smallest = [
      ...pieceSets,
      ...linked.flatMap((group) => (group.anonymity === undefined ? [] : [group.anonymity])),
    ].reduce<number | undefined>((min, size) => (min === undefined || size < min ? size : min), undefined);
    anonymity = { ...anonymity, linked, ...(smallest === undefined ? {} : { smallest }) };
  }
  const ballots: Counted<BallotOf[CountingMethod]>[] = counted.map((vote) => ({
    weight: BigInt(vote.body.votingWeight),
    ballot: parseBallot(proposal.counting, proposal.options, vote.body.ballot),
  }));
  const tally = count(proposal.counting, proposal.options, ballots);
  const outcome = decide(tally, proposal, BigInt(proposal.snapshot.total));
  return {
    proposal,
    snapshot:
      verdict.status !== 'valid'
        ? { status: verdict.status, reason: verdict.reason }
        : disputed === undefined
          ? { status: 'valid' }
          : { status: 'valid', disputed },
    tally,
    outcome,
    closes,
    ...(canceledBy === undefined ? {} : { canceledBy }),
    counted: counted.map((vote) => vote.id).sort(),
    doubleVotes,
    ...(anonymity === undefined ? {} : { anonymity }),
  };
}
