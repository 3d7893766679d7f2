import { AgoraError, ErrorCode, type NetworkConfig } from '../core/index.js';
import type { RecoveryJob } from '../identity/index.js';
import type { LedgerEvent } from './event.js';

/** What a type's verifier may ask of the ledger while an event is being checked. */
export interface VerifyContext {
  /** An event by id: stored already, or earlier in the batch being appended. */
  get(id: string): Promise<LedgerEvent | undefined>;
  /** Events under a secondary index (stored, then earlier in the batch), in append order. */
  byIndex(name: string, value: string): Promise<LedgerEvent[]>;
  /**
   * ECDSA public-key recoveries over the ledger's worker pool, where it has one (see `SchnorrPool.recoverMany`): for
   * types whose `prepare` decodes a batch's invoices at once instead of one by one on the calling thread.
   */
  recoverMany?(jobs: readonly RecoveryJob[]): Promise<(Uint8Array | null)[]>;
}

/** One secondary index entry: the event is found under `name` = `value`. */
export type IndexEntry = readonly [name: string, value: string];

/**
 * How a type summarizes each of its events in a fixed-width binary record, written beside the event in the same
 * atomic batch, so that readers of many events (reputation reads every receipt) scan packed bytes instead of parsing
 * JSON. The ledger stores the bytes and never interprets them; the type's owner defines and decodes them.
 */
export interface EventRecordCodec {
  /** Bytes per record, the same for every event of the type (at most 65,535). */
  readonly size: number;
  /** The record of a verified event; `id` is its 32-byte id. Must return exactly `size` bytes. */
  encode(event: LedgerEvent, id: Uint8Array): Uint8Array;
}

/**
 * Everything the ledger needs to know about one event type. The module that owns the type defines it and
 * registers it; the ledger never branches on type names itself.
 */
export interface EventTypeDefinition {
  readonly type: string;
  /**
   * `signature`: the event has `author` and a BIP-340 `sig`, checked by the ledger in bulk while `prepare` and
   * `verify` run (a batch is stored only if every check holds): `verify` may see an event whose signature turns out
   * bad, so it must leave no lasting state.
   * `proof`: the event is anonymous (no author, no sig) and `verify` must check its `proof`.
   */
  readonly auth: 'signature' | 'proof';
  /**
   * Optional: called once per appended batch with all its events of this type, before any `verify`, so that costly
   * checks (proof verification) can run together. It must not throw for a bad event: `verify` still decides each
   * one, and may use what `prepare` found. The context sees stored events only, not the rest of the batch.
   */
  prepare?(events: readonly LedgerEvent[], context: VerifyContext): Promise<void>;
  /** Checks the body and any references; throws {@link AgoraError} (normally `INVALID_EVENT`) to refuse. */
  verify(event: LedgerEvent, context: VerifyContext): void | Promise<void>;
  /** Secondary indexes to maintain for this event, written in the same batch as the event. */
  indexes?(event: LedgerEvent): Iterable<IndexEntry>;
  /** A fixed-width binary record kept for each event of this type (see {@link EventRecordCodec}). */
  readonly record?: EventRecordCodec;
}

/**
 * The set of event types a ledger accepts, and the network configuration its readers apply (what every replica of a
 * network configures alike: seeds, custodians, decision time bounds; see {@link NetworkConfig}).
 */
export class EventRegistry {
  private readonly definitions = new Map<string, EventTypeDefinition>();
  /** The network this ledger belongs to; undefined for a bare registry (development defaults apply). */
  readonly network: NetworkConfig | undefined;

  constructor(definitions: Iterable<EventTypeDefinition> = [], network?: NetworkConfig) {
    for (const definition of definitions) this.register(definition);
    this.network = network;
  }

  /** Adds a type; registering one name twice is an error (`ALREADY_EXISTS`). */
  register(definition: EventTypeDefinition): this {
    if (this.definitions.has(definition.type)) {
      throw new AgoraError(ErrorCode.AlreadyExists, `event type ${definition.type} is registered already`);
    }
    this.definitions.set(definition.type, definition);
    return this;
  }

  /** The definition of `type`; throws `UNKNOWN_EVENT_TYPE` if none was registered. */
  get(type: string): EventTypeDefinition {
    const definition = this.definitions.get(type);
    if (definition === undefined) {
      throw new AgoraError(ErrorCode.UnknownEventType, `no verifier is registered for event type ${type}`);
    }
    return definition;
  }

  /** The registered type names, sorted. */
  types(): string[] {
    return [...this.definitions.keys()].sort();
  }
}
