export {
  type AgentRegistration,
  agentRegisteredType,
  createAgentRegistration,
  decodeRegistrationRecord,
  REGISTRATION_RECORD_SIZE,
  type RegistrationRecord,
  registrationInForce,
} from './agent-registered.js';
export {
  type LedgerEvent,
  MAX_EVENT_BYTES,
  type ParsedEnvelope,
  parseEnvelope,
  type StoredEvent,
  signEvent,
} from './event.js';
export { type EventReader, EventSet } from './event-set.js';
export {
  type AppendResult,
  type ImportProblem,
  type ImportResult,
  type IterateOptions,
  Ledger,
  type LedgerOptions,
  type LedgerStats,
  type LedgerStore,
} from './ledger.js';
export { AGORA_NOSTR_KIND, fromNostrEvent, toNostrEvent } from './nostr.js';
export {
  DEFAULT_OVERLAP_SECONDS,
  followRelay,
  OVERDUE_SECONDS,
  type PublishResult,
  type PullResult,
  publishToRelay,
  publishWhenDue,
  pullFromRelay,
  type Redate,
  unsentOwnEvents,
} from './nostr-sync.js';
export type { RecordBlock } from './record-block.js';
export {
  type EventRecordCodec,
  EventRegistry,
  type EventTypeDefinition,
  type IndexEntry,
  type VerifyContext,
} from './registry.js';
