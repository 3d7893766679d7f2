import type { Ledger } from '../ledger/index.js';
import {
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  decide,
  type Outcome,
  parseBallot,
  type Tally,
} from './counting/index.js';
import { type ProposalBody, readProposal } from './proposal.js';
import type { VoteBody } from './vote.js';

/** A proposal's result as any replica derives it from its ledger. */
export interface ProposalResult {
  readonly proposal: ProposalBody;
  readonly tally: Tally;
  readonly outcome: Outcome;
  /** Ids of the votes counted, one per nullifier, sorted. */
  readonly counted: readonly string[];
  /** Nullifiers used more than once: the vote kept (lowest id) and the others, kept as evidence of a double vote. */
  readonly doubleVotes: readonly {
    readonly nullifier: string;
    readonly kept: string;
    readonly evidence: readonly string[];
  }[];
}

/**
 * Tallies a proposal from the votes stored in `ledger` (every one verified on ingest): one vote per nullifier,
 * the lowest event id winning a conflict (DESIGN.md 3), so replicas holding the same events agree whatever the order
 * they arrived in. Quorum is measured against the snapshot's total weight.
 */
export async function tallyProposal(ledger: Ledger, proposalId: string): Promise<ProposalResult> {
  const { body: proposal } = await readProposal(ledger, proposalId);
  const byNullifier = new Map<string, { id: string; body: VoteBody }[]>();
  for await (const { id, event } of ledger.byIndex('proposal', proposalId)) {
    if (event.type !== 'vote.cast') continue;
    const body = event.body as unknown as VoteBody;
    const group = byNullifier.get(body.nullifier) ?? [];
    group.push({ id, body });
    byNullifier.set(body.nullifier, group);
  }
  const ballots: Counted<BallotOf[CountingMethod]>[] = [];
  const counted: string[] = [];
  const doubleVotes: { nullifier: string; kept: string; evidence: string[] }[] = [];
  for (const nullifier of [...byNullifier.keys()].sort()) {
    const votes = (byNullifier.get(nullifier) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1));
    const [kept, ...others] = votes as [{ id: string; body: VoteBody }, ...{ id: string; body: VoteBody }[]];
    if (others.length > 0) doubleVotes.push({ nullifier, kept: kept.id, evidence: others.map((v) => v.id) });
    counted.push(kept.id);
    ballots.push({
      weight: BigInt(kept.body.votingWeight),
      ballot: parseBallot(proposal.counting, proposal.options, kept.body.ballot),
    });
  }
  const tally = count(proposal.counting, proposal.options, ballots);
  const outcome = decide(tally, proposal, BigInt(proposal.snapshot.total));
  return { proposal, tally, outcome, counted: counted.sort(), doubleVotes };
}
