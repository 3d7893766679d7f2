export { DEFAULT_ALPHA, type EigenTrustOptions, type EigenTrustResult, eigenTrust } from './eigentrust.js';
export { FactColumns } from './fact-columns.js';
export { type FactChanges, LedgerFacts, type ReceiptFact } from './ledger-facts.js';
export { LiveReputation, type LiveReputationOptions } from './live-reputation.js';
export {
  type CertifiedScore,
  type Explanation,
  Reputation,
  type ReputationOptions,
  readFacts,
  type ScoreCertificate,
} from './reputation.js';
export { SCORE_SCALE, TrustEngine, type TrustUpdateOptions } from './trust-engine.js';
export {
  addInteractions,
  type Interactions,
  normalize,
  type TrustMatrix,
} from './trust-graph.js';
export {
  THREADED_MIN_ENTRIES,
  type ThreadedIteration,
  type ThreadedResult,
  TrustThreads,
} from './trust-threads.js';
export {
  type AssertionOptions,
  algorithmName,
  assertionPublicKey,
  assertionServiceKey,
  publishAssertions,
  TRUSTED_ASSERTION_KIND,
  trustedAssertions,
} from './trusted-assertions.js';
