import type { Ledger } from '../ledger/index.js';
import type { Outcome } from './counting/index.js';
import type { ProposalAction, ProposalBody } from './proposal.js';
import { type ProposalResult, tallyProposal } from './tally-ledger.js';

/** Where a proposal stands at a moment. (`anchored` comes with the anchoring layer.) */
export type ProposalState =
  | 'pending'
  | 'active'
  | 'succeeded'
  | 'defeated'
  | 'canceled'
  | 'invalid'
  | 'disputed';

/**
 * The state of a proposal at `now` (unix seconds) from its tally: canceled if its proposer withdrew it, invalid if its
 * snapshot is not the one its checkpoint's events give, pending before the window or while some of those events are
 * missing, disputed when this ledger holds events its checkpoint leaves out that change the weights, active until
 * voting closes (later than `window.closes` when a late quorum extended it), then the decided outcome.
 */
export function proposalState(result: ProposalResult, now: number): ProposalState {
  if (result.canceledBy !== undefined) return 'canceled';
  if (result.snapshot.status === 'invalid') return 'invalid';
  if (result.snapshot.status === 'pending') return 'pending';
  if (result.snapshot.disputed !== undefined) return 'disputed';
  if (now < result.proposal.window.opens) return 'pending';
  if (now < result.closes) return 'active';
  return result.outcome.state;
}

/** A proposal that has closed, with its result. */
export interface ClosedProposal {
  readonly id: string;
  readonly proposal: ProposalBody;
  readonly outcome: Outcome;
  /** When voting ended, after any late-quorum extension; default `window.closes`. */
  readonly closes?: number;
}

const closesOf = (closed: ClosedProposal) => closed.closes ?? closed.proposal.window.closes;

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
      (a, b) => closesOf(a) - closesOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
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

  /**
   * Reads the ledger: every proposal whose voting closed by `now`, that was not canceled and whose snapshot is valid,
   * tallied and decided. A proposal still waiting for its snapshot's events is not decided yet. A disputed one (its
   * checkpoint leaves out events this ledger holds that change the weights) is not carried out unless
   * `carryOutDisputed`: a forged electorate weighs more than a decision held up by a backdated event.
   */
  static async fromLedger(
    ledger: Ledger,
    now: number,
    options: { carryOutDisputed?: boolean } = {},
  ): Promise<GovernedState> {
    const closed: ClosedProposal[] = [];
    for await (const { id, event } of ledger.events({ type: 'proposal.created' })) {
      if ((event.body as unknown as ProposalBody).window.closes > now) continue;
      const result = await tallyProposal(ledger, id);
      if (result.canceledBy !== undefined || result.closes > now || result.snapshot.status !== 'valid')
        continue;
      if (result.snapshot.disputed !== undefined && options.carryOutDisputed !== true) continue;
      closed.push({ id, proposal: result.proposal, outcome: result.outcome, closes: result.closes });
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
