import type { Ledger } from '../ledger/index.js';
import {
  anonymitySets,
  DEFAULT_MIN_ANONYMITY,
  pieceReveal,
  type RevealRule,
  requiredAnonymity,
  type VoteAnonymity,
} from './anonymity.js';
import { readProposal } from './proposal.js';
import { verifiedSnapshot } from './snapshot-ledger.js';
import { pieceRuleOf, type VoteBody } from './vote.js';

/** Every stored vote on a proposal and who could have cast it, with the anonymity the proposal requires. */
export interface ProposalAnonymity {
  readonly required: number;
  /** In vote id order, double votes included. */
  readonly votes: readonly VoteAnonymity[];
}

/**
 * The attack tool on a ledger: maps every stored vote on `proposalId` to the snapshot members who could have cast it,
 * under `reveal` (default: the proposal's own piece rule, which honest clients follow). `INVALID_STATE` while the
 * proposal's snapshot is not valid: without its weights nobody can be matched.
 */
export async function voteAnonymity(
  ledger: Ledger,
  proposalId: string,
  options: { reveal?: RevealRule } = {},
): Promise<ProposalAnonymity> {
  const { body: proposal } = await readProposal(ledger, proposalId);
  const snapshot = await verifiedSnapshot(ledger, proposalId);
  const votes: { id: string; votingWeight: bigint }[] = [];
  for await (const { id, event } of ledger.byIndex('proposal', proposalId))
    if (event.type === 'vote.cast')
      votes.push({ id, votingWeight: BigInt((event.body as unknown as VoteBody).votingWeight) });
  votes.sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    required: requiredAnonymity(proposal.minAnonymity ?? DEFAULT_MIN_ANONYMITY, snapshot.members.length),
    votes: anonymitySets(snapshot.members, votes, options.reveal ?? pieceReveal(pieceRuleOf(proposal))),
  };
}
