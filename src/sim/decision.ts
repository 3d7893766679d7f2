import { governedState } from '../decisions.js';
import { type ProposalBody, type ProposalResult, proposalState, tallyProposal } from '../governance/index.js';
import { l402Fetch } from '../l402/index.js';
import { type AnchorOutcome, anchorDecision } from './commitment.js';
import { isExpectedPurchaseFailure } from './market.js';
import type { Actor, Proposal, ProviderActor, SimulationState, StakeState } from './state.js';
import type { CastOutcome } from './votes.js';

/** A proposal of the run and its result. */
export interface ProposalOutcome {
  readonly id: string;
  readonly title: string;
  readonly weightMode: string;
  readonly members: number;
  readonly votes: number;
  readonly totals: Record<string, string>;
  readonly state: string;
  /** Voters who proved their vote, and the pieces (proofs) each cast, in the order they voted. */
  readonly voters: number;
  readonly proofs: readonly number[];
  /** Weight the voters held, and the weight the tally counted (pieces below the floor or too rare are lost). */
  readonly weightVoted: string;
  readonly weightCounted: string;
  /** Members who could have cast each counted vote (the observer's view: see `anonymitySets`), by vote id order. */
  readonly anonymity: readonly number[];
  /** The smallest of those sets, and the least the proposal required. */
  readonly minAnonymity?: number;
  readonly requiredAnonymity?: number;
  /** The snapshot's weights, heaviest first (public: what an observer matches votes against). */
  readonly memberWeights: readonly string[];
  /**
   * The snapshot's weight scale (`PieceRule.scale`) when it is not 1: weights, totals and the two figures above are
   * the mode's unit times `weightScale / 2^16`.
   */
  readonly weightScale?: number;
}

/** The anonymity figures of a tally: each counted vote's set size, the smallest, and the least required. */
function anonymityOf(
  result: ProposalResult,
): Pick<ProposalOutcome, 'anonymity' | 'minAnonymity' | 'requiredAnonymity'> {
  const counted = new Set(result.counted);
  const anonymity = result.anonymity;
  if (anonymity === undefined) return { anonymity: [] };
  return {
    anonymity: anonymity.sets.filter((set) => counted.has(set.id)).map((set) => set.size),
    ...(anonymity.smallest === undefined ? {} : { minAnonymity: anonymity.smallest }),
    requiredAnonymity: anonymity.required,
  };
}

/** The proposal's weight scale, when its snapshot has one. */
function weightScaleOf(proposal: Proposal): Pick<ProposalOutcome, 'weightScale'> {
  const scale = (proposal.event.body as unknown as ProposalBody).pieces?.scale;
  return scale === undefined ? {} : { weightScale: scale };
}

/** What the votes decided and what it changed. */
export interface Decision {
  readonly proposals: readonly ProposalOutcome[];
  /**
   * The HTTP status the target gets buying from another provider after the decision (403 once blacklisted: the
   * `agora_blacklist` caveat refuses it); 0 when the purchase failed for an expected reason before any answer.
   */
  readonly refusedStatus: number;
  /** Each proposal's anchor, in the order of `proposals`: a decision is in effect only once anchored in time. */
  readonly anchors: readonly AnchorOutcome[];
}

/**
 * The decision phase: voting closes, each proposal is tallied from the ledger and its result anchored in a block ten
 * minutes later, the governed state (the blacklist the providers' caveat reads, decisions anchored in time only)
 * takes effect, and the target tries to buy from an honest provider of its own service.
 */
export async function decide(
  state: SimulationState,
  proposals: readonly { proposal: Proposal; cast: CastOutcome }[],
  target: ProviderActor,
  stakes: StakeState,
): Promise<Decision> {
  const { ledger, clock, cast, scenario } = state;
  clock.set(stakes.closes * 1000);
  const outcomes: ProposalOutcome[] = [];
  for (const { proposal, cast: voted } of proposals) {
    const result = await tallyProposal(ledger, proposal.id);
    outcomes.push({
      id: proposal.id,
      title: proposal.title,
      weightMode: proposal.weightMode,
      members: proposal.members.size,
      votes: voted.votes,
      totals: Object.fromEntries(Object.entries(result.tally.totals).map(([o, t]) => [o, t.toString()])),
      state: proposalState(result, stakes.closes),
      voters: voted.voters,
      proofs: voted.proofs,
      weightVoted: voted.weightVoted.toString(),
      weightCounted: result.tally.participation.toString(),
      ...anonymityOf(result),
      ...weightScaleOf(proposal),
      memberWeights: proposal.snapshotMembers
        .map((m) => m.weight)
        .sort((a, b) => (b > a ? 1 : b < a ? -1 : 0))
        .map(String),
    });
  }
  // Each result anchored ten minutes after the close, recorded by the proposer: what puts the decision in effect.
  const anchoredAt = stakes.closes + 600;
  clock.set(anchoredAt * 1000);
  const anchors: AnchorOutcome[] = [];
  for (const { proposal } of proposals)
    anchors.push(await anchorDecision(state, proposal.id, anchoredAt, cast.honest[0] as Actor));
  // The standing rules count the disputes' outcomes: a provider they blacklist stays blacklisted.
  state.governed = await governedState(ledger, anchoredAt);
  // Another provider than the target (there are two at least), honest and of its service if there is one. The target
  // may be honest itself (the least trusted need not be malicious): it is never asked to pay its own invoice.
  const others = cast.providers.filter((p) => p !== target);
  // An ungated one first: the blacklist caveat needs the buyer's id, which a gated provider never learns.
  const seller = (others.find((p) => !p.malicious && !p.gated && p.service === target.service) ??
    others.find((p) => !p.malicious && !p.gated) ??
    others.find((p) => !p.malicious && p.service === target.service) ??
    others.find((p) => !p.malicious) ??
    others[0]) as ProviderActor;
  let refusedStatus = 0;
  try {
    const response = await l402Fetch(
      `http://${seller.name}.sim/${seller.service}?q=after`,
      {},
      {
        lightning: target.node,
        maxPriceMsat: scenario.maxPriceMsat,
        identity: target.key,
        fetch: ((input: URL, init: RequestInit) =>
          seller.l402.handle(new Request(input, init), async () => new Response('ok'))) as typeof fetch,
      },
    );
    refusedStatus = response.status;
  } catch (error) {
    if (!isExpectedPurchaseFailure(error)) throw error;
  }
  return { proposals: outcomes, refusedStatus, anchors };
}
