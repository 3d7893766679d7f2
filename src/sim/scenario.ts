import { AgoraError, ErrorCode } from '../core/index.js';

/** What a simulated machine economy looks like. */
export interface Scenario {
  /** Buying agents, sybils included. */
  readonly agents: number;
  readonly providers: number;
  readonly rounds: number;
  readonly seed: string;
  readonly lightning: 'sim' | 'ldk';
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
  /**
   * Votes reveal their voters' exact weights (every piece cast, however rare): only to measure the leak; warns, and
   * the tally does not count pieces that name their voter. Default: the private client rule.
   */
  readonly exactWeights?: boolean;
}

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
  if (scenario.lightning !== 'sim' && scenario.lightning !== 'ldk')
    throw new AgoraError(ErrorCode.InvalidArgument, 'lightning is sim or ldk');
  if (typeof scenario.seed !== 'string' || scenario.seed.length === 0 || scenario.seed.length > 100)
    throw new AgoraError(ErrorCode.InvalidArgument, 'the seed is 1 to 100 characters');
  return scenario;
}
