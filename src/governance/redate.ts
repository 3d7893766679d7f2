import type { Ledger, LedgerEvent, Redate } from '../ledger/index.js';
import { publicationTimes } from './private-vote.js';
import { readProposal } from './proposal.js';
import type { Publication } from './publication.js';
import { tallyProposal } from './tally-ledger.js';
import type { VoteBody } from './vote.js';

/**
 * The fresh dates `publishToRelay` gives this agent's vote pieces kept back or overdue (`redate`): one drawn as
 * `castPrivateVote` draws them, uniform over what is left of the voting window (up to the close the ledger's tally
 * shows, a late-quorum extension included), so a piece published late is dated like any other and reaches the relay
 * alone at its own time instead of in a burst, or beside the agent's signed events. Undefined (keep its own date)
 * for other events and once voting has closed. `random` as in {@link publicationTimes}; `publication` dates votes as
 * the tally does.
 */
export function redatePiece(
  ledger: Ledger,
  options: { random?: () => number; publication?: Publication } = {},
): Redate {
  const closes = new Map<string, Promise<number>>();
  return async (event: LedgerEvent, now: number) => {
    if (event.type !== 'vote.cast') return undefined;
    const proposalId = (event.body as unknown as VoteBody).proposal;
    const dating = options.publication === undefined ? {} : { publication: options.publication };
    const close =
      closes.get(proposalId) ?? tallyProposal(ledger, proposalId, dating).then((result) => result.closes);
    closes.set(proposalId, close);
    const { body } = await readProposal(ledger, proposalId);
    const until = await close;
    if (now + 1 >= until) return undefined;
    return publicationTimes(body, 1, now + 1, options.random, until)[0];
  };
}
