import { decisionTimeBounds } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import { readStakes, stakeWeights } from '../stake/index.js';
import type { Outcome } from './counting/index.js';
import { anchorDeadline, type DecisionAnchor, decisionTiming } from './decision-time.js';
import { acceptedStakes } from './network-trust.js';
import type { ProposalAction, ProposalBody } from './proposal.js';
import { type Publication, publishedBy } from './publication.js';
import {
  type DisputeLoss,
  disputeLosers,
  type RuleFacts,
  type StandingRule,
  type StandingRuleKind,
} from './standing-rules.js';
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
  private readonly installed = new Map<StandingRuleKind, StandingRule>();
  private readonly ruleBlacklisted = new Set<string>();
  /** Every action carried out, in order. */
  readonly applied: { readonly proposal: string; readonly action: ProposalAction }[] = [];
  /** Succeeded proposals not carried out because their proposer held less stake than `min-proposer-stake` asked. */
  readonly skipped: { readonly proposal: string; readonly reason: string }[] = [];
  /**
   * Succeeded proposals not in effect by the time rule ({@link decisionTiming}), in id order: `waiting` for their
   * anchor, or `void` for good. Filled by {@link GovernedState.fromLedger}.
   */
  readonly held: {
    readonly proposal: string;
    readonly status: 'waiting' | 'void';
    readonly reason: string;
  }[] = [];

  /**
   * Carries out `closed` in order of closing time, then evaluates the standing rules in force at `now` (default: the
   * last closing time) against `facts`: a `blacklist-dispute-losers` rule blacklists the providers whose lost
   * disputes it counts, and `min-proposer-stake` holds back the later proposals of proposers below it.
   */
  constructor(closed: readonly ClosedProposal[], options: { facts?: RuleFacts; now?: number } = {}) {
    const order = [...closed].sort(
      (a, b) => closesOf(a) - closesOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    for (const { id, proposal, outcome } of order) {
      if (outcome.state !== 'succeeded') continue;
      const minStake = this.installed.get('min-proposer-stake');
      if (minStake?.kind === 'min-proposer-stake') {
        const held = options.facts?.proposerStake?.get(id) ?? 0n;
        if (held < BigInt(minStake.sat)) {
          this.skipped.push({
            proposal: id,
            reason: `its proposer held ${held} sats, the rule asks ${minStake.sat}`,
          });
          continue;
        }
      }
      for (const action of proposal.actions) {
        if (action.type === 'blacklist.add') this.blacklisted.add(action.agent);
        else if (action.type === 'blacklist.remove') this.blacklisted.delete(action.agent);
        else if (action.type === 'parameter.set') this.values.set(action.name, action.value);
        else if (action.type === 'rule.install') this.installed.set(action.rule.kind, action.rule);
        else if (action.type === 'rule.remove') this.installed.delete(action.kind);
        this.applied.push({ proposal: id, action });
      }
    }
    const now = options.now ?? (order.length === 0 ? 0 : closesOf(order[order.length - 1] as ClosedProposal));
    const losers = this.installed.get('blacklist-dispute-losers');
    if (losers?.kind === 'blacklist-dispute-losers')
      for (const agent of disputeLosers(losers, options.facts?.losses ?? [], now))
        this.ruleBlacklisted.add(agent);
  }

  /**
   * Reads the ledger: every proposal whose voting closed by `now`, that was not canceled and whose snapshot is valid,
   * tallied and decided. A proposal still waiting for its snapshot's events is not decided yet. A disputed one (its
   * checkpoint leaves out events this ledger holds that change the weights) is not carried out unless
   * `carryOutDisputed`: a forged electorate weighs more than a decision held up by a backdated event. A succeeded one
   * takes effect only once its result is anchored in time (`anchors`, from the anchoring layer: {@link decisionTiming}
   * under the ledger's network bounds), and is decided by the votes its anchors name (`DecisionAnchor.votes`), when
   * they name them; the others are listed in `held`. With `publication`, a cancel or a weight-changing event counts only
   * if published by the end of the grace: one withheld until later changes nothing.
   *
   * Use the entry point of the layers above (`governedState` of `agora402`), which reads the anchors and the
   * disputes' outcomes from the ledger.
   */
  static async fromLedger(
    ledger: Ledger,
    now: number,
    options: {
      /** Each proposal's earliest verified anchor in time, and the votes its anchors commit to, by proposal id. */
      anchors: ReadonlyMap<string, DecisionAnchor>;
      carryOutDisputed?: boolean;
      /** Providers' lost disputes, final by `now` (from the disputes layer), for `blacklist-dispute-losers`. */
      losses?: readonly DisputeLoss[];
      /**
       * When events were published, by the network's witnesses (the anchoring layer's `publicationTimes`): votes,
       * cancels and events disputing a snapshot count only if published by the proposal's {@link anchorDeadline}.
       */
      publication?: Publication;
    },
  ): Promise<GovernedState> {
    const network = ledger.registry.network;
    const bounds = decisionTimeBounds(network);
    const closed: ClosedProposal[] = [];
    const held: GovernedState['held'] = [];
    for await (const { id, event } of ledger.events({ type: 'proposal.created' })) {
      if ((event.body as unknown as ProposalBody).window.closes > now) continue;
      // An anchored decision is the tally of the votes its anchors committed to: pieces published later change nothing.
      // Where witnesses show publication, a cancel or an event disputing the snapshot counts only if shown by the end
      // of the grace.
      const anchor = options.anchors.get(id);
      const published = publishedBy(
        options.publication,
        anchorDeadline(event.body as unknown as ProposalBody, bounds),
      );
      const result = await tallyProposal(ledger, id, {
        ...(anchor?.votes === undefined ? {} : { only: new Set(anchor.votes) }),
        // Not anchored yet, it shows the tally of every stored vote: it waits for an anchor, which will name its votes.
        ...(published === undefined ? {} : { published, everyStoredVote: anchor === undefined }),
        ...(options.publication === undefined ? {} : { publication: options.publication }),
      });
      if (result.canceledBy !== undefined || result.closes > now || result.snapshot.status !== 'valid')
        continue;
      if (result.snapshot.disputed !== undefined && options.carryOutDisputed !== true) continue;
      if (result.outcome.state !== 'succeeded') continue;
      const timing = decisionTiming(result.proposal, result.closes, anchor, bounds);
      if (timing.status !== 'in-effect') {
        held.push({ proposal: id, status: timing.status, reason: timing.reason });
        continue;
      }
      closed.push({ id, proposal: result.proposal, outcome: result.outcome, closes: result.closes });
    }
    // Each proposer's stake at its snapshot's moment, for `min-proposer-stake`: under accepted custodians only (none
    // on a `bitcoin` network that names none).
    const stakes =
      closed.length === 0 || (network?.chain === 'bitcoin' && network.custodians === undefined)
        ? []
        : acceptedStakes(await readStakes(ledger), network, 'min-proposer-stake');
    const proposerStake = new Map<string, bigint>();
    for (const { id, proposal } of closed) {
      const proposer = (await ledger.get(id))?.event.author as string;
      const weights = stakeWeights(stakes, { asOf: proposal.snapshot.asOf });
      proposerStake.set(id, weights.get(proposer) ?? 0n);
    }
    const state = new GovernedState(closed, {
      now,
      facts: { proposerStake, ...(options.losses ? { losses: options.losses } : {}) },
    });
    state.held.push(...held);
    return state;
  }

  /** The standing rules in force, in the vocabulary's order. */
  rules(): StandingRule[] {
    return [...this.installed.values()].sort((a, b) => (a.kind < b.kind ? -1 : 1));
  }

  /** The agents a standing rule blacklists now (not those a decision named). */
  blacklistedByRule(): string[] {
    return [...this.ruleBlacklisted].sort();
  }

  /** The least reputation score an L402 gate should ask, when a `min-reputation` rule is in force. */
  minReputation(): number | undefined {
    const rule = this.installed.get('min-reputation');
    return rule?.kind === 'min-reputation' ? rule.score : undefined;
  }

  /** The least stake a proposer must hold, when a `min-proposer-stake` rule is in force. */
  minProposerStake(): bigint | undefined {
    const rule = this.installed.get('min-proposer-stake');
    return rule?.kind === 'min-proposer-stake' ? BigInt(rule.sat) : undefined;
  }

  /** Whether the agent is blacklisted by a decision or by a standing rule. */
  has(agent: string): boolean {
    return this.blacklisted.has(agent) || this.ruleBlacklisted.has(agent);
  }

  /** A parameter's decided value, if a proposal set it. */
  parameter(name: string): string | number | boolean | undefined {
    return this.values.get(name);
  }
}
