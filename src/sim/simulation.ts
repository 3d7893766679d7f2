import { MemoryLevel } from 'memory-level';
import { ManualClock } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { levelAtLeast, REPUTATION_LEVELS } from '../l402/index.js';
import { type EventRegistry, Ledger } from '../ledger/index.js';
import { agoraRegistry } from '../registry.js';
import { PanelProver, Prover, releaseCurve, Verifier } from '../zk/index.js';
import { createCast, registerCast } from './cast.js';
import type { AnchorOutcome } from './commitment.js';
import { type CredentialState, openCredentials } from './credentials.js';
import { type Decision, decide, type ProposalOutcome } from './decision.js';
import { adoptDisputeRule, DISPUTE_PHASE_SECONDS, type DisputePhase, runDisputes } from './disputes.js';
import { marketFigures, openMarket, type RoundSnapshot, runMarket } from './market.js';
import { buildNetwork } from './network.js';
import { simulationNetwork } from './network-config.js';
import { SeededRandom, seededBytes } from './random.js';
import { DEFAULT_GATE_MIN_SCORE, type Scenario, scenarioOf } from './scenario.js';
import { scoreOf } from './scores.js';
import { lockStakes, releaseStakes } from './stakes.js';
import type { Actor, Proposal, ProviderActor, SimulationState, StakeState } from './state.js';
import {
  CAST_AFTER_OPEN_SECONDS,
  type CastOutcome,
  castVotes,
  choiceOf,
  propose,
  votersOf,
  WEIGHT_MODES,
} from './votes.js';

export type { ProposalOutcome } from './decision.js';
export type { RoundSnapshot } from './market.js';

/** One provider at the end of a run. */
export interface ProviderOutcome {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly malicious: boolean;
  readonly sales: number;
  readonly revenueSat: number;
  readonly finalPriceMsat: number;
  /** Reputation in ppb of all trust, at the end of the market rounds. */
  readonly reputation: number;
}

/** What a run produced: summary figures and the time series the report draws. */
export interface SimulationResult {
  readonly scenario: Scenario;
  readonly payments: number;
  readonly failedPurchases: number;
  /** Purchases not made because the agent's budget could not cover the price. */
  readonly outOfBudget: number;
  readonly satsMoved: number;
  readonly garbageServed: number;
  readonly providers: readonly ProviderOutcome[];
  readonly reputation: { readonly honestProviders: number; readonly maliciousProviders: number };
  /** Per round: payments and the average price paid (msat). */
  readonly rounds: readonly {
    readonly round: number;
    readonly payments: number;
    readonly averagePriceMsat: number;
  }[];
  /** Per provider, its price after each round (msat). */
  readonly prices: Readonly<Record<string, readonly number[]>>;
  /** Per provider, its reputation (ppb) each time it was computed, with the round. */
  readonly reputationTrajectory: Readonly<Record<string, readonly { round: number; score: number }[]>>;
  readonly governance: {
    readonly target: string;
    readonly targetName: string;
    readonly proposals: readonly ProposalOutcome[];
    readonly blacklisted: readonly string[];
    /** The blacklisted provider, buying from an honest one after the decision: the `agora_blacklist` caveat refuses it. */
    readonly refusedStatus: number;
    readonly stakesLocked: number;
    readonly stakesReleased: number;
  };
  /** Anonymous reputation gating, when the scenario gates providers (`gatedProviders`). */
  readonly gated?: {
    readonly providers: number;
    /** The least reputation asked, ppb (rounded up to a credential level). */
    readonly minScore: number;
    /** Purchases tried at gated providers, and those refused for the credential. */
    readonly purchases: number;
    readonly refused: number;
    /** Reputation snapshots published. */
    readonly snapshots: number;
  };
  /** With the scenario's `disputes`: the standing rule, the disputes and whom the rule blacklisted. */
  readonly disputes?: DisputePhase;
  /** The first proposal's anchor: its commitment's transaction, mined in a regtest block (height, header time). */
  readonly anchor: {
    readonly proposal: string;
    readonly commitment: string;
    readonly txid: string;
    readonly feeSat: string;
    readonly height: number;
    readonly blockTime: number;
  };
}

/** What a caller of {@link simulate} may watch or supply: progress, rounds, the start time, the ledger, the keys. */
export interface SimulationHooks {
  /** Progress: a phase name and how far along it is. */
  onProgress?(phase: string, done: number, total: number): void;
  /** The market after each round. */
  onRound?(snapshot: RoundSnapshot): void;
  /** Unix seconds the run's clock starts at (default 1800000000, fixed so that a seed gives the same event ids). */
  start?: number;
  /** Opens the ledger the run writes (default: a new one in memory); the run closes it when it ends. */
  openLedger?(registry: EventRegistry): Promise<Ledger>;
  /** Every key the run makes (agents, providers, custodian), with its name: to keep them. */
  onKey?(name: string, key: AgentKey): void;
  /** A warning, such as votes cast with their exact weight (`exactWeights`). */
  onWarning?(message: string): void;
}

/** The simulated time the market opens at (unix seconds): fixed, so a seed gives the same events. */
const START = 1_800_000_000;

/** A run's ledger, in memory, accepting every event type of this build; votes checked with `verifier`. */
function openLedger(registry: EventRegistry): Promise<Ledger> {
  return Ledger.fromLevel(new MemoryLevel(), { registry });
}

/** The governance target: the provider with the least reputation at the end of the market (the first on a tie). */
function leastTrusted(state: SimulationState): ProviderActor {
  return state.cast.providers.reduce((a, b) => (scoreOf(state, b.key.id) < scoreOf(state, a.key.id) ? b : a));
}

/** The proposals and vote phases: one proposal per weight mode, each voted on before the next is made. */
async function proposeAndVote(
  state: SimulationState,
  loading: Promise<Prover>,
  target: ProviderActor,
  stakes: StakeState,
  hooks: {
    onProgress: (phase: string, done: number, total: number) => void;
    onWarning?: (message: string) => void;
  },
): Promise<{ proposal: Proposal; cast: CastOutcome }[]> {
  const prover = await loading;
  const voted: { proposal: Proposal; cast: CastOutcome }[] = [];
  try {
    for (const weightMode of WEIGHT_MODES) {
      const proposal = await propose(state, target, weightMode, stakes);
      const plan = {
        voters: votersOf(state, proposal),
        choice: (voter: Actor) => choiceOf(state, target, voter),
        castAt: stakes.opens + CAST_AFTER_OPEN_SECONDS,
      };
      voted.push({ proposal, cast: await castVotes(state, prover, proposal, plan, hooks) });
    }
  } finally {
    await releaseCurve();
  }
  return voted;
}

/** The result people read, from the state after every phase. */
function summarize(
  state: SimulationState,
  target: ProviderActor,
  stakes: StakeState,
  decision: Decision,
  released: number,
  anchor: AnchorOutcome,
): SimulationResult {
  const { cast, market, reputation } = state;
  const average = (list: readonly ProviderActor[]) =>
    list.length === 0 ? 0 : Math.round(list.reduce((s, p) => s + scoreOf(state, p.key.id), 0) / list.length);
  return {
    scenario: state.scenario,
    ...marketFigures(market),
    providers: cast.providers.map((p) => ({
      id: p.key.id,
      name: p.name,
      service: p.service,
      malicious: p.malicious,
      sales: p.sales,
      revenueSat: Math.round(p.revenueMsat / 1000),
      finalPriceMsat: p.priceMsat,
      reputation: scoreOf(state, p.key.id),
    })),
    reputation: {
      honestProviders: average(cast.providers.filter((p) => !p.malicious)),
      maliciousProviders: average(cast.malicious),
    },
    rounds: market.rounds,
    prices: market.prices,
    reputationTrajectory: reputation.trajectory,
    governance: {
      target: target.key.id,
      targetName: target.name,
      proposals: decision.proposals,
      blacklisted: cast.providers.filter((p) => state.governed?.has(p.key.id)).map((p) => p.name),
      refusedStatus: decision.refusedStatus,
      stakesLocked: stakes.locked,
      stakesReleased: released,
    },
    anchor,
    ...(state.credentials === undefined
      ? {}
      : {
          gated: {
            providers: cast.providers.filter((p) => p.gated).length,
            minScore: REPUTATION_LEVELS[
              levelAtLeast(state.scenario.gateMinScore ?? DEFAULT_GATE_MIN_SCORE)
            ] as number,
            purchases: state.credentials.purchases,
            refused: state.credentials.refused,
            snapshots: state.credentials.snapshots,
          },
        }),
  };
}

/**
 * Runs a machine economy: agents buy from L402 providers over Lightning, receipts feed
 * reputation, a founder proposes to blacklist the worst provider, agents vote with real ZK proofs weighted by
 * reputation and then by stake, the decision takes effect through the `agora_blacklist` caveat, and the result is
 * anchored in a regtest block before it takes effect. Deterministic for a seed.
 *
 * The run goes in phases over one {@link SimulationState}: market (with reputation every `reputationEvery` rounds),
 * stakes, proposals and votes, decision, release of the stakes, anchor.
 */
export async function simulate(
  options: Partial<Scenario> = {},
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  const scenario = scenarioOf(options);
  const random = new SeededRandom(scenario.seed);
  const start = hooks.start ?? START;
  const clock = new ManualClock(start * 1000);
  const onProgress = hooks.onProgress?.bind(hooks) ?? (() => {});
  const verifier = await Verifier.load();
  // The run mines its anchor blocks (and the disputes' seed blocks): regtest, with the founders as fixed seeds.
  const { chain, ...config } = simulationNetwork(scenario);
  const registry = agoraRegistry({ verifier, network: chain, config });
  const ledger = await (hooks.openLedger?.(registry) ?? openLedger(registry));
  try {
    const network = await buildNetwork(scenario, clock);
    let credentials: CredentialState | undefined;
    try {
      // Preimages and offer nonces from the seed: the same seed gives the same stakes, checkpoints and proposal ids.
      let drawn = 0;
      const randomBytes = (length: number) =>
        seededBytes(scenario.seed, `stake-random/${drawn++}`).slice(0, length);
      if ((scenario.gatedProviders ?? 0) > 0) credentials = openCredentials(await Prover.load(), verifier);
      const cast = createCast(scenario, random, network, {
        clock,
        ...(credentials === undefined
          ? {}
          : {
              credential: {
                minScore: scenario.gateMinScore ?? DEFAULT_GATE_MIN_SCORE,
                roots: () => (credentials as CredentialState).roots,
                verifier: credentials.verifier,
              },
            }),
        blacklist: () => state.governed,
        ...(hooks.onKey === undefined ? {} : { onKey: hooks.onKey.bind(hooks) }),
      });
      const state: SimulationState = {
        scenario,
        random,
        clock,
        ledger,
        verifier,
        cast,
        market: openMarket(scenario, cast),
        reputation: {
          current: undefined,
          scores: new Map(),
          trajectory: Object.fromEntries(cast.providers.map((p) => [p.name, []])),
        },
        randomBytes,
        governed: undefined,
        ...(credentials === undefined ? {} : { credentials }),
      };
      await registerCast(cast, ledger, start);
      const disputing = scenario.disputes === true ? await Prover.load() : undefined;
      const rule = disputing && (await adoptDisputeRule(state, disputing, onProgress));
      // The vote prover loads (its fixed-base tables: about ten proofs' work, worth it for many voters only) on its
      // own threads while the market runs on this one.
      const voteProver = Prover.load(undefined, { tables: scenario.maxProvedVoters >= 16 });
      voteProver.catch(() => {}); // awaited in the vote phase; a failure surfaces there
      try {
        await runMarket(state, hooks);
      } catch (error) {
        await voteProver.then((p) => p.close()).catch(() => {});
        throw error;
      }
      const target = leastTrusted(state);
      const stakes = await lockStakes(
        state,
        onProgress,
        rule ? { voteDelaySeconds: DISPUTE_PHASE_SECONDS } : {},
      );
      await disputing?.close();
      const jurors = rule && (await PanelProver.load());
      const disputes = jurors && rule && (await runDisputes(state, jurors, stakes, rule, onProgress));
      await jurors?.close();
      const voted = await proposeAndVote(state, voteProver, target, stakes, {
        onProgress,
        ...(hooks.onWarning === undefined ? {} : { onWarning: hooks.onWarning.bind(hooks) }),
      });
      const decision = await decide(state, voted, target, stakes);
      const released = await releaseStakes(state, stakes);
      const anchor = decision.anchors[0] as AnchorOutcome;
      return {
        ...summarize(state, target, stakes, decision, released, anchor),
        ...(disputes ? { disputes } : {}),
      };
    } finally {
      await credentials?.prover.close();
      await network.close();
    }
  } finally {
    await ledger.close();
  }
}
