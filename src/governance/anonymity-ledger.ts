import type { Ledger } from '../ledger/index.js';
import {
  anonymitySets,
  clientAnonymity,
  DEFAULT_MIN_ANONYMITY,
  exactReveal,
  pieceReveal,
  requiredAnonymity,
  type VoteAnonymity,
} from './anonymity.js';
import { clientCasts, type LinkedBallot, linkedBallots } from './linked-ballots.js';
import { readProposal } from './proposal.js';
import { verifiedSnapshot } from './snapshot-ledger.js';
import { tallyProposal } from './tally-ledger.js';
import { pieceRuleOf, type VoteBody } from './vote.js';

/** Every stored vote on a proposal and who could have cast it, with the anonymity the proposal requires. */
export interface ProposalAnonymity {
  readonly required: number;
  /** In vote id order, double votes included. */
  readonly votes: readonly VoteAnonymity[];
  /**
   * The counted votes grouped by ballot, each group two votes or more carry, decomposed into members' whole casts
   * under the rule assumed ({@link linkedBallots}, as the tally reports them): the members a linked group names.
   */
  readonly linked: readonly LinkedBallot[];
}

/**
 * The client rule an observer assumes: `pieces` (the proposal's piece rule, which honest clients follow: each
 * member's whole cast its pieces at the client's k, {@link clientAnonymity}) or `exact` (each vote its voter's whole
 * weight, {@link exactReveal}: the rule before pieces).
 */
export type AssumedRule = 'pieces' | 'exact';

/**
 * The attack tool on a ledger: maps every stored vote on `proposalId` to the snapshot members who could have cast it,
 * under the rule `assume` (default `pieces`), and groups the counted ones by ballot as an observer links them,
 * decomposed into members' whole casts under the same rule. `INVALID_STATE` while the proposal's snapshot is not
 * valid: without its weights nobody can be matched.
 */
export async function voteAnonymity(
  ledger: Ledger,
  proposalId: string,
  options: { assume?: AssumedRule } = {},
): Promise<ProposalAnonymity> {
  const { body: proposal } = await readProposal(ledger, proposalId);
  const snapshot = await verifiedSnapshot(ledger, proposalId);
  const votes: { id: string; votingWeight: bigint; ballot: string }[] = [];
  for await (const { id, event } of ledger.byIndex('proposal', proposalId))
    if (event.type === 'vote.cast') {
      const body = event.body as unknown as VoteBody;
      votes.push({ id, votingWeight: BigInt(body.votingWeight), ballot: JSON.stringify(body.ballot) });
    }
  votes.sort((a, b) => (a.id < b.id ? -1 : 1));
  const { members } = snapshot;
  const rule = pieceRuleOf(proposal);
  const counted = new Set((await tallyProposal(ledger, proposalId)).counted);
  const exact = options.assume === 'exact';
  const casts = exact
    ? members.map(({ agent, weight }) => ({ agent, cast: [weight] }))
    : clientCasts(members, rule, clientAnonymity(proposal.minAnonymity, members.length));
  return {
    required: requiredAnonymity(proposal.minAnonymity ?? DEFAULT_MIN_ANONYMITY, members.length),
    votes: anonymitySets(members, votes, exact ? exactReveal : pieceReveal(rule)),
    linked: linkedBallots(
      casts,
      votes.filter((vote) => counted.has(vote.id)),
    ),
  };
}
