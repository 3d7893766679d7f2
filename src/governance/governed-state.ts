import type { Ledger } from '../ledger/index.js';
import type { Outcome } from './counting/index.js';
import type { ProposalAction, ProposalBody } from './proposal.js';
import { tallyProposal } from './tally-ledger.js';

/** Where a proposal stands at a moment. */
export type ProposalState = 'pending' | 'active' | 'succeeded' | 'defeated';

/** The state of a proposal at `now` (unix seconds); `outcome` is its decided result once the window has closed. */
export function proposalState(proposal: ProposalBody, now: number, outcome: Outcome): ProposalState {
  if (now < proposal.window.opens) return 'pending';
  if (now < proposal.window.closes) return 'active';
  return outcome.state;
}

/** A proposal that has closed, with its result. */
export interface ClosedProposal {
  readonly id: string;
  readonly proposal: ProposalBody;
  readonly outcome: Outcome;
}

/**
 * What the community decided: the blacklist and parameters that result from carrying out, in order of closing time
 * (then proposal id), the actions of every proposal that succeeded. A `GovernedState` is a BlacklistLookup: it plugs
 * into the L402 provider's `agora_blacklist` caveat.
 */
export class GovernedState {
  private readonly blacklisted = new Set<string>();
  private readonly values = new Map<string, string | number | boolean>();
  /** Every action carried out, in order. */
  readonly applied: { readonly proposal: string; readonly action: ProposalAction }[] = [];

  constructor(closed: readonly ClosedProposal[]) {
    const order = [...closed].sort(
      (a, b) =>
        a.proposal.window.closes - b.proposal.window.closes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    for (const { id, proposal, outcome } of order) {
      if (outcome.state !== 'succeeded') continue;
      for (const action of proposal.actions) {
        if (action.type === 'blacklist.add') this.blacklisted.add(action.agent);
        else if (action.type === 'blacklist.remove') this.blacklisted.delete(action.agent);
        else if (action.type === 'parameter.set') this.values.set(action.name, action.value);
        this.applied.push({ proposal: id, action });
      }
    }
  }

  /** Reads the ledger: every proposal whose window closed by `now`, tallied and decided. */
  static async fromLedger(ledger: Ledger, now: number): Promise<GovernedState> {
    const closed: ClosedProposal[] = [];
    for await (const { id, event } of ledger.events({ type: 'proposal.created' })) {
      const proposal = event.body as unknown as ProposalBody;
      if (proposal.window.closes > now) continue;
      closed.push({ id, proposal, outcome: (await tallyProposal(ledger, id)).outcome });
    }
    return new GovernedState(closed);
  }

  /** Whether the agent is blacklisted by a decision. */
  has(agent: string): boolean {
    return this.blacklisted.has(agent);
  }

  /** A parameter's decided value, if a proposal set it. */
  parameter(name: string): string | number | boolean | undefined {
    return this.values.get(name);
  }
}
