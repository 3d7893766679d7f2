export { DEFAULT_ALPHA, type EigenTrustOptions, type EigenTrustResult, eigenTrust } from './eigentrust.js';
export { type FactChanges, LedgerFacts, type ReceiptFact } from './ledger-facts.js';
export { LiveReputation, type LiveReputationOptions } from './live-reputation.js';
export {
  type Explanation,
  Reputation,
  type ReputationOptions,
  readFacts,
} from './reputation.js';
export { SCORE_SCALE, TrustEngine, type TrustUpdateOptions } from './trust-engine.js';
export {
  addInteractions,
  type Interactions,
  normalize,
  type TrustMatrix,
} from './trust-graph.js';
