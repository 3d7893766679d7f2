import { AgoraError, checkNetworkConfig, type DecisionTimeBounds, ErrorCode } from '../core/index.js';

/** What a simulated machine economy looks like. */
export interface Scenario {
  /** Buying agents, sybils included. */
  readonly agents: number;
  readonly providers: number;
  readonly rounds: number;
  readonly seed: string;
  /** The in-memory network, embedded LDK nodes, or the in-memory network behind NWC wallet services (`nwcRelay`). */
  readonly lightning: 'sim' | 'ldk' | 'nwc';
  /** For `nwc`: the Nostr relay (ws:// or wss://) agents reach their wallets over. */
  readonly nwcRelay?: string;
  /** Providers that take payment and serve garbage. */
  readonly maliciousProviders: number;
  /** Agents controlled by the malicious providers: they buy from them only and rate them well. */
  readonly sybils: number;
  /** Agents founded first, pre-trusted by reputation. */
  readonly founders: number;
  /** Most voters proving a vote per proposal (ZK proofs cost about half a second each); the rest abstain. */
  readonly maxProvedVoters: number;
  /** Recompute reputation every this many rounds (agents choose providers by it). */
  readonly reputationEvery: number;
  /** What each agent may spend in all, in sats (a purchase that does not fit is not made). */
  readonly budgetSat: number;
  /** Simulated time a market round takes, in seconds (receipts and ratings carry it). */
  readonly roundSeconds: number;
  /** Least base price a provider draws, in whole sats per request. */
  readonly minBasePriceSat: number;
  /** Most base price a provider draws, in whole sats per request. */
  readonly maxBasePriceSat: number;
  /** Least latency a provider draws, in ms (agents weigh it when choosing). */
  readonly minLatencyMs: number;
  /** Most latency a provider draws, in ms. */
  readonly maxLatencyMs: number;
  /** Most an agent pays for one request, in msat; a price at this limit costs a choice a whole unit of utility. */
  readonly maxPriceMsat: number;
  /** Most a purchase may pay in routing fees, in msat (the hub charges 1 sat and 1 ppm). */
  readonly maxFeeMsat: number;
  /** Latency that costs a choice a whole unit of utility, in ms (as much as the best reputation is worth). */
  readonly latencyCostMs: number;
  /** Utility added at random to each candidate, at most (ties between close providers break either way). */
  readonly choiceNoise: number;
  /** Chance an honest agent tries a provider at random instead of the best by utility (0 to 1). */
  readonly exploreChance: number;
  /**
   * Most a price moves in a round, as a fraction: a provider sold to twice its fair share raises it by this much,
   * one sold to nobody lowers it by this much.
   */
  readonly priceStep: number;
  /** Lowest price a provider goes down to, as a multiple of its base price (rounded up to a msat). */
  readonly priceFloor: number;
  /** Highest price a provider goes up to, as a multiple of its base price. */
  readonly priceCeiling: number;
  /** Sats each agent's channel holds, its own side (what it can ever pay, fees included). */
  readonly agentChannelSat: number;
  /** What an honest agent stakes before the stake-weighted vote, in sats. */
  readonly honestStakeSat: number;
  /** What a sybil stakes, in sats (its master's money is spread thin over many identities). */
  readonly sybilStakeSat: number;
  /**
   * Votes reveal their voters' exact weights (every piece cast, however rare): only to measure the leak; warns, and
   * the tally does not count pieces that name their voter. Default: the private client rule.
   */
  readonly exactWeights?: boolean;
  /**
   * How many honest providers (the first ones) sell only to payers proving anonymously a reputation of at least
   * `gateMinScore` (the `agora_anon_reputation` caveat); default 0. Reputation snapshots are then published every
   * `reputationEvery` rounds, and each gated purchase costs a zero-knowledge proof.
   */
  readonly gatedProviders?: number;
  /** The gated providers' least reputation, ppb (default 1,000,000: 0.1% of all trust). */
  readonly gateMinScore?: number;
  /**
   * Adds the dispute phase: a standing rule adopted before the market, buyers who got garbage disputing it, a panel
   * deciding one dispute and the rule blacklisting the malicious provider before any blacklist proposal. The run's
   * ledger then checks seed blocks by regtest rules. Default off (it costs ten proofs more).
   */
  readonly disputes?: boolean;
  /**
   * The network's decision time bounds (default `DEFAULT_DECISION_TIME`): a decision takes effect once anchored in a
   * block at most `anchorGrace` after voting closed. The run's network configuration (`simulationNetwork`) also fixes
   * the founders as the pre-trusted seeds and the run's custodian as the accepted one.
   */
  readonly decisionTime?: Partial<DecisionTimeBounds>;
}

/** The gated providers' least reputation when the scenario sets none, ppb. */
export const DEFAULT_GATE_MIN_SCORE = 1_000_000;

/** The README's demo: 50 agents, 5 providers, 200 rounds. */
export const DEFAULT_SCENARIO: Scenario = {
  agents: 50,
  providers: 5,
  rounds: 200,
  seed: 'agora402',
  lightning: 'sim',
  maliciousProviders: 1,
  sybils: 5,
  founders: 5,
  maxProvedVoters: 40,
  reputationEvery: 20,
  budgetSat: 5_000,
  roundSeconds: 60,
  minBasePriceSat: 2,
  maxBasePriceSat: 6,
  minLatencyMs: 20,
  maxLatencyMs: 400,
  maxPriceMsat: 20_000,
  maxFeeMsat: 2_000,
  latencyCostMs: 4_000,
  choiceNoise: 0.05,
  exploreChance: 0.1,
  priceStep: 0.2,
  priceFloor: 0.5,
  priceCeiling: 3,
  agentChannelSat: 200_000,
  honestStakeSat: 20_000,
  sybilStakeSat: 2_000,
};

/** The services providers sell, in turn. */
export const SERVICES = ['weather', 'similarity', 'geocode', 'translate', 'price-feed'] as const;

/** Fills in defaults and checks ranges; `INVALID_ARGUMENT` naming the first problem. */
export function scenarioOf(options: Partial<Scenario> = {}): Scenario {
  const scenario = { ...DEFAULT_SCENARIO, ...options };
  const whole = (name: keyof Scenario, min: number, max: number) => {
    const value = scenario[name];
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
      throw new AgoraError(ErrorCode.InvalidArgument, `${name} is a whole number from ${min} to ${max}`);
  };
  const fraction = (name: keyof Scenario, min: number, max: number) => {
    const value = scenario[name];
    if (typeof value !== 'number' || !(value >= min && value <= max))
      throw new AgoraError(ErrorCode.InvalidArgument, `${name} is a number from ${min} to ${max}`);
  };
  whole('agents', 2, 100_000);
  whole('providers', 2, 1_000);
  whole('rounds', 1, 100_000);
  whole('maliciousProviders', 1, scenario.providers - 1);
  whole('sybils', 0, scenario.agents - 2);
  whole('founders', 1, scenario.agents - scenario.sybils);
  whole('maxProvedVoters', 1, 100_000);
  whole('reputationEvery', 1, 100_000);
  whole('budgetSat', 1, 1_000_000);
  if (scenario.exactWeights !== undefined && typeof scenario.exactWeights !== 'boolean')
    throw new AgoraError(ErrorCode.InvalidArgument, 'exactWeights is true or false');
  if (scenario.gatedProviders !== undefined)
    whole('gatedProviders', 0, scenario.providers - scenario.maliciousProviders);
  if (scenario.gateMinScore !== undefined) whole('gateMinScore', 1, 1_000_000_000);
  if (scenario.disputes !== undefined && typeof scenario.disputes !== 'boolean')
    throw new AgoraError(ErrorCode.InvalidArgument, 'disputes is true or false');
  whole('roundSeconds', 1, 86_400);
  whole('minBasePriceSat', 1, 1_000_000);
  whole('maxBasePriceSat', scenario.minBasePriceSat, 1_000_000);
  whole('minLatencyMs', 0, 60_000);
  whole('maxLatencyMs', scenario.minLatencyMs, 60_000);
  whole('maxPriceMsat', 1, 1_000_000_000);
  whole('maxFeeMsat', 0, 1_000_000_000);
  whole('latencyCostMs', 1, 1_000_000);
  whole('agentChannelSat', 1, 10_000_000_000);
  whole('honestStakeSat', 1, 100_000_000);
  whole('sybilStakeSat', 1, 100_000_000);
  fraction('choiceNoise', 0, 1);
  fraction('exploreChance', 0, 1);
  fraction('priceStep', 0, 1);
  fraction('priceFloor', 0, 1);
  fraction('priceCeiling', 1, 1_000);
  if (scenario.lightning !== 'sim' && scenario.lightning !== 'ldk' && scenario.lightning !== 'nwc')
    throw new AgoraError(ErrorCode.InvalidArgument, 'lightning is sim, ldk or nwc');
  if (scenario.lightning === 'nwc' && !/^wss?:\/\/\S+$/.test(scenario.nwcRelay ?? ''))
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'lightning nwc needs nwcRelay, a ws:// or wss:// relay URL',
    );
  if (typeof scenario.seed !== 'string' || scenario.seed.length === 0 || scenario.seed.length > 100)
    throw new AgoraError(ErrorCode.InvalidArgument, 'the seed is 1 to 100 characters');
  if (scenario.decisionTime !== undefined)
    checkNetworkConfig({ chain: 'regtest', time: scenario.decisionTime });
  return scenario;
}
