import type { ManualClock } from '../core/index.js';
import type { GovernedState, MemberWeight } from '../governance/index.js';
import type { AgentKey } from '../identity/index.js';
import type { Budget, L402Provider } from '../l402/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import type { LightningBackend } from '../lightning/index.js';
import type { RatingToSign } from '../receipts/index.js';
import type { Reputation } from '../reputation/index.js';
import type { StakeCustodian } from '../stake/index.js';
import type { MembershipTree, Verifier } from '../zk/index.js';
import type { CredentialState } from './credentials.js';
import type { SeededRandom } from './random.js';
import type { Scenario } from './scenario.js';

/** A participant of a run: its key and its Lightning node. */
export interface Actor {
  readonly name: string;
  readonly key: AgentKey;
  readonly node: LightningBackend;
}

/** A provider: what it sells and how, and what it made so far. */
export interface ProviderActor extends Actor {
  readonly service: string;
  /** Takes payment and serves garbage. */
  readonly malicious: boolean;
  /** Sells only to payers with an anonymous reputation credential (scenario `gatedProviders`). */
  readonly gated?: boolean;
  readonly baseMsat: number;
  readonly latencyMs: number;
  readonly l402: L402Provider;
  priceMsat: number;
  sales: number;
  /** Sales in the round under way: what its next price follows. */
  roundSales: number;
  revenueMsat: number;
}

/** Who takes part: registered in this order (founders, honest agents, providers, sybils). */
export interface Cast {
  readonly agents: readonly Actor[];
  readonly honest: readonly Actor[];
  readonly sybils: readonly Actor[];
  readonly isSybil: ReadonlySet<Actor>;
  readonly providers: readonly ProviderActor[];
  readonly malicious: readonly ProviderActor[];
  /** The pre-trusted founders' ids (the first honest agents). */
  readonly founders: readonly string[];
  /** The custodian's key, holding every stake. */
  readonly custodian: Actor;
}

/** One market round's figures, as the report draws them. */
export interface RoundFigures {
  readonly round: number;
  readonly payments: number;
  readonly averagePriceMsat: number;
}

/** The market so far. */
export interface MarketState {
  payments: number;
  /** Purchases that failed for an expected reason: a refusal, no route, a payment that did not go through. */
  failedPurchases: number;
  /** Purchases not made because the agent's budget could not cover the price. */
  outOfBudget: number;
  msatMoved: number;
  garbageServed: number;
  readonly rounds: RoundFigures[];
  /** Per provider, its price after each round (msat). */
  readonly prices: Record<string, number[]>;
  readonly budgets: ReadonlyMap<Actor, Budget>;
  /** Which providers served each agent garbage: what it votes on. */
  readonly garbageFrom: Map<Actor, Set<string>>;
  /** Each garbage purchase an honest agent made, with its receipt's id: what it may dispute, in order. */
  readonly garbageReceipts: {
    readonly buyer: Actor;
    readonly provider: ProviderActor;
    readonly receipt: string;
  }[];
  /** The first good purchases honest agents made from honest providers (a few): what a buyer may wrongly dispute. */
  readonly goodReceipts: {
    readonly buyer: Actor;
    readonly provider: ProviderActor;
    readonly receipt: string;
  }[];
  /** Receipts of the round under way, stored with their ratings at its end (one verified batch). */
  readonly pending: LedgerEvent[];
  /** The ratings of those receipts, one each in the same order, signed together at the round's end. */
  readonly ratings: RatingToSign[];
  /**
   * The last round's ratings being signed on a worker thread and its batch stored, while the next round's purchases
   * go on (they never read the ledger); awaited before reputation reads it and when the market closes.
   */
  writing: Promise<void>;
}

/** Reputation as the agents see it: computed every few rounds from the ledger's receipts. */
export interface ReputationState {
  /** Read once from the ledger, then followed (each refresh reads only the events stored since). */
  current: Reputation | undefined;
  /** Each provider's score (ppb) at the last computation, by key id. */
  scores: Map<string, number>;
  /** Per provider, its score each time it was computed, with the round. */
  readonly trajectory: Record<string, { round: number; score: number }[]>;
}

/** The stakes locked before the stake-weighted vote, and the vote's timetable they are promised for. */
export interface StakeState {
  readonly custodian: StakeCustodian;
  readonly locked: number;
  /** When voting opens and closes, and until when stakes stay locked (unix seconds). */
  readonly opens: number;
  readonly closes: number;
  readonly until: number;
}

/** A proposal made in the run, with what its voters need. */
export interface Proposal {
  readonly id: string;
  readonly event: LedgerEvent;
  readonly title: string;
  readonly weightMode: 'reputation' | 'stake' | 'equal';
  /** Members of its snapshot: weight and leaf index, by agent id. */
  readonly members: ReadonlyMap<string, { readonly weight: bigint; readonly index: number }>;
  /** Its snapshot's tree, where each voter finds its path. */
  readonly tree: MembershipTree;
  /** The snapshot's members and weights, in leaf order (public: voters choose their pieces against them). */
  readonly snapshotMembers: readonly MemberWeight[];
}

/** The state every phase of a run reads and fills in. */
export interface SimulationState {
  readonly scenario: Scenario;
  /** Every random choice of the run, in one seeded stream: phases must draw in a fixed order. */
  readonly random: SeededRandom;
  readonly clock: ManualClock;
  readonly ledger: Ledger;
  readonly verifier: Verifier;
  readonly cast: Cast;
  readonly market: MarketState;
  readonly reputation: ReputationState;
  /** Preimages and offer nonces from the seed: the same seed gives the same stakes and proposal ids. */
  readonly randomBytes: (length: number) => Uint8Array;
  /** In force once the votes are tallied: what the providers' blacklist caveat reads. */
  governed: GovernedState | undefined;
  /** Snapshots and credentials, when the scenario gates providers. */
  readonly credentials?: CredentialState;
}
