import type { NetworkConfig } from '../core/index.js';
import { agentKeyFromSecret } from '../identity/index.js';
import { seededBytes } from './random.js';
import type { Scenario } from './scenario.js';

/**
 * The network configuration a run's ledger uses, from its scenario: `regtest` (the run mines its own anchor and seed
 * blocks, whose header times are the run's clock), the founders as the fixed pre-trusted seeds, the run's custodian
 * as the one accepted custodian, and the scenario's decision time bounds. Keys come from the seed, as the cast's do.
 */
export function simulationNetwork(scenario: Scenario): NetworkConfig {
  const id = (name: string) => agentKeyFromSecret(seededBytes(scenario.seed, name)).id;
  return {
    chain: 'regtest',
    seeds: Array.from({ length: scenario.founders }, (_, i) => id(`agent-${i}`)).sort(),
    custodians: [id('custodian')],
    ...(scenario.decisionTime === undefined ? {} : { time: scenario.decisionTime }),
  };
}
