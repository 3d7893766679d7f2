export type { DisputeOutcome, DisputePhase } from './disputes.js';
export { simulationNetwork } from './network-config.js';
export { SeededRandom, seededBytes } from './random.js';
export { type ReportOptions, renderReport } from './report.js';
export { DEFAULT_SCENARIO, type Scenario, SERVICES, scenarioOf } from './scenario.js';
export {
  type ProposalOutcome,
  type ProviderOutcome,
  type RoundSnapshot,
  type SimulationHooks,
  type SimulationResult,
  simulate,
} from './simulation.js';
export { describeDisputes, formatSummary } from './summary.js';
