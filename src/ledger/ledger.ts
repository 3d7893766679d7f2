import type {
  AbstractBatchOperation,
  AbstractBatchOptions,
  AbstractLevel,
  AbstractSublevel,
} from 'abstract-level';
import { Level } from 'level';
import {
  AgoraError,
  canonicalJson,
  ErrorCode,
  type ErrorDetails,
  fromHex,
  isAgoraError,
  parseJson,
} from '../core/index.js';
import {
  defaultSchnorr,
  type SchnorrPool,
  type SchnorrVerifier,
  type SignatureCheck,
  sharedSchnorrPool,
} from '../identity/index.js';
import { type LedgerEvent, type ParsedEnvelope, parseEnvelope, type StoredEvent } from './event.js';
import { decodeRecordBlock, encodeRecordBlock, type RecordBlock } from './record-block.js';
import type { EventRegistry, EventTypeDefinition, IndexEntry, VerifyContext } from './registry.js';

/** Options of {@link Ledger.open} and {@link Ledger.fromLevel}. */
export interface LedgerOptions {
  /** The event types this ledger accepts. */
  registry: EventRegistry;
  /** Signature verifier for bulk checks; libsecp256k1 by default (native where built, else WebAssembly). */
  verifier?: SchnorrVerifier;
  /**
   * Worker threads that check a batch's signatures in parallel (libsecp256k1, same verdicts); default: the process's
   * shared pool, one worker per core beyond the first. Not used with a custom `verifier`, which checks every
   * signature itself; `new SchnorrPool(0)` verifies on the calling thread.
   */
  pool?: SchnorrPool;
  /**
   * Flush every write to disk before acknowledging it (fsync). Default true: an acknowledged event survives a
   * power cut, not only a process crash. Turn off only for throwaway ledgers.
   */
  sync?: boolean;
}

/** Outcome of appending one event. */
export interface AppendResult {
  readonly id: string;
  readonly seq: number;
  /** False when the event was stored already (appending is idempotent). */
  readonly added: boolean;
}

/** Options of {@link Ledger.events} and {@link Ledger.byIndex}. */
export interface IterateOptions {
  /** Only events appended after this sequence number. */
  afterSeq?: number;
  /** At most this many events. */
  limit?: number;
  /** Newest first. */
  reverse?: boolean;
}

/** Counts that describe a ledger. */
export interface LedgerStats {
  readonly events: number;
  readonly lastSeq: number;
  readonly types: Readonly<Record<string, number>>;
}

/** Outcome of {@link Ledger.importLines}. */
export interface ImportResult {
  /** Non-blank lines read. */
  readonly lines: number;
  readonly added: number;
  /** Lines whose event was stored already. */
  readonly duplicates: number;
  /** Lines refused for good (not JSON, a bad signature, a broken rule), in line order. */
  readonly refused: readonly ImportProblem[];
  /** Lines whose event refers to one that is neither stored nor in the import: they may be imported later. */
  readonly waiting: readonly ImportProblem[];
}

/** The key-value store a ledger keeps its events in: any abstract-level database (LevelDB, memory-level...). */
export type LedgerStore = AbstractLevel<string | Uint8Array, string, string>;
type Section = AbstractSublevel<LedgerStore, string | Uint8Array, string, string>;
type BinarySection = AbstractSublevel<LedgerStore, string | Uint8Array, string, Uint8Array>;
type Operation = AbstractBatchOperation<LedgerStore, string, string>;
/** A record block put on the store itself (see `Ledger.batchOf`): its value is bytes. */
const BYTES = { valueEncoding: 'view' } as const;
/** What {@link Ledger.prepareTypes} leaves for a batch's verification: stored copies and the verify context. */
interface Preparation {
  readonly stored: (string | undefined)[];
  readonly pending: Map<string, { event: LedgerEvent; seq: number }>;
  readonly pendingIndex: Map<string, LedgerEvent[]>;
  readonly context: VerifyContext;
}

// Format 2 added index entries (`agent` on registrations), format 3 the record blocks of the types that keep
// records; an older store gets what it lacks when it is opened.
export const FORMAT = '3';
const UPGRADABLE = new Set(['1', '2']);
const SEP = '\x00';
// Fifteen digits hold every safe integer sequence number and keep lexicographic order equal to numeric order.
const seqKey = (seq: number): string => seq.toString().padStart(15, '0');

function withIndex(index: number, total: number, error: unknown): unknown {
  if (!isAgoraError(error) || total === 1) return error;
  const details: ErrorDetails = { ...error.details, index };
  return new AgoraError(error.code, `event ${index}: ${error.message}`, { cause: error, details });
}

function checkIndexPart(part: string, what: string): string {
  if (part.length === 0 || part.includes(SEP)) {
    throw new AgoraError(
      ErrorCode.InvalidEvent,
      `index ${what} must be non-empty and free of NUL characters`,
    );
  }
  return part;
}

/**
 * A grow-only, verified set of events in LevelDB (or any abstract-level store), with this replica's append
 * order and secondary indexes.
 *
 * Every event is verified (envelope, signature, its type's rules) before it is stored; appending an event
 * that is stored already is a no-op; a batch is written atomically together with its index entries, so a crash
 * leaves all of it or none of it. The one removal: {@link Ledger.redateUnpublished} replaces an anonymous event of
 * this replica's own that no other holds by its copy under another date, in one atomic write.
 *
 * Key layout (sublevels): `event` id -> "seq canonical-json"; `order` seq -> id; `type` type NUL seq -> id;
 * `index` name NUL value NUL seq -> id; `record` type NUL first seq -> record block (binary: the fixed-width records of
 * that type's events of one batch, see `RecordBlock`); `meta` format, seq, count NUL type.
 */
export class Ledger {
  readonly registry: EventRegistry;
  private readonly db: LedgerStore;
  private readonly verifier: SchnorrVerifier;
  private readonly pool: SchnorrPool | undefined;
  // `sync` is classic-level's (LevelDB's) option; other stores ignore it.
  private readonly writeOptions: AbstractBatchOptions<string, string>;
  private readonly eventSection: Section;
  private readonly orderSection: Section;
  private readonly typeSection: Section;
  private readonly indexSection: Section;
  private readonly metaSection: Section;
  private readonly recordSection: BinarySection;
  /** True when the store's own key and value encodings are UTF-8: a batch then goes to it directly. */
  private readonly textStore: boolean;
  private lastSeq = 0;
  private readonly typeCounts = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(db: LedgerStore, options: LedgerOptions) {
    this.db = db;
    this.registry = options.registry;
    this.verifier = options.verifier ?? defaultSchnorr;
    this.pool = options.verifier === undefined ? (options.pool ?? sharedSchnorrPool()) : undefined;
    this.writeOptions = { sync: options.sync ?? true } as AbstractBatchOptions<string, string>;
    this.textStore = db.keyEncoding().name === 'utf8' && db.valueEncoding().name === 'utf8';
    const section = (name: string): Section =>
      db.sublevel<string, string>(name, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    this.eventSection = section('event');
    this.orderSection = section('order');
    this.typeSection = section('type');
    this.indexSection = section('index');
    this.metaSection = section('meta');
    this.recordSection = db.sublevel<string, Uint8Array>('record', {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
    });
  }

  /** Opens (creating if needed) a LevelDB ledger in the directory `location`. */
  static async open(location: string, options: LedgerOptions): Promise<Ledger> {
    return Ledger.fromLevel(
      new Level<string, string>(location, { keyEncoding: 'utf8', valueEncoding: 'utf8' }),
      options,
    );
  }

  /** Opens a ledger on any abstract-level store (for example `memory-level` for simulations). */
  static async fromLevel(db: LedgerStore, options: LedgerOptions): Promise<Ledger> {
    try {
      await db.open();
    } catch (cause) {
      const reason = (cause as { cause?: Error }).cause?.message ?? (cause as Error).message;
      throw new AgoraError(ErrorCode.StoreUnavailable, `cannot open the ledger store: ${reason}`, { cause });
    }
    const ledger = new Ledger(db, options);
    await ledger.load();
    return ledger;
  }

  private async load(): Promise<void> {
    const format = await this.metaSection.get('format');
    if (format !== undefined && UPGRADABLE.has(format)) {
      await this.reindex();
      await this.write([{ type: 'put', sublevel: this.metaSection, key: 'format', value: FORMAT }]);
    } else if (format !== undefined && format !== FORMAT) {
      await this.db.close();
      throw new AgoraError(
        ErrorCode.StoreUnavailable,
        `ledger store format ${format} is not supported (want ${FORMAT})`,
      );
    }
    if (format === undefined) {
      await this.write([{ type: 'put', sublevel: this.metaSection, key: 'format', value: FORMAT }]);
    }
    this.lastSeq = Number((await this.metaSection.get('seq')) ?? '0');
    for await (const [key, value] of this.metaSection.iterator({
      gt: `count${SEP}`,
      lt: `count${SEP}\uffff`,
    })) {
      this.typeCounts.set(key.slice(6), Number(value));
    }
  }

  /**
   * Writes the index entries and record blocks every stored event of a registered type should have: how an older
   * store gains what a newer format added. Events are read in append order and cut into the same chunks on every
   * run, so an upgrade interrupted by a crash and run again puts the same keys with the same values; the format is
   * bumped only after the last chunk, so a store is never read in the new format half-upgraded.
   */
  private async reindex(): Promise<void> {
    const known = new Set(this.registry.types());
    const CHUNK = 10_000;
    let operations: Operation[] = [];
    let records = new RecordBuffer();
    const flush = async () => {
      operations.push(...records.operations(this.recordSection));
      if (operations.length > 0) await this.write(operations);
      operations = [];
      records = new RecordBuffer();
    };
    let inChunk = 0;
    for await (const { id, seq, event } of this.scan(this.orderSection, '', {})) {
      if (known.has(event.type)) {
        const definition = this.registry.get(event.type);
        const entries = [...(definition.indexes?.(event) ?? [])];
        if (event.author !== undefined) entries.push(['author', event.author]);
        for (const [name, entry] of entries)
          operations.push({
            type: 'put',
            sublevel: this.indexSection,
            key: `${name}${SEP}${entry}${SEP}${seqKey(seq)}`,
            value: id,
          });
        if (definition.record !== undefined)
          records.add(event.type, definition.record.size, seq, encodeRecord(definition, event, fromHex(id)));
      }
      if (++inChunk === CHUNK) {
        await flush();
        inChunk = 0;
      }
    }
    await flush();
  }

  /** Runs `task` after every earlier write: appends are serialized so idempotency checks see each other. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Verifies and stores one event. */
  async append(event: unknown): Promise<AppendResult> {
    const [result] = await this.appendBatch([event]);
    return result as AppendResult;
  }

  /**
   * Verifies and stores a batch atomically: if any event is invalid nothing is written and the error's
   * `details.index` names the first bad one. Events may refer to earlier events of the same batch.
   */
  appendBatch(events: readonly unknown[]): Promise<AppendResult[]> {
    return this.exclusive(() => this.appendLocked(events));
  }

  /**
   * Replaces the stored anonymous event `id` by its copy dated `created` (same type and body: another id), in one
   * atomic write: the copy is verified and appended as {@link append} does, and the original is removed with its
   * order, type and index entries, so that this ledger reads as if it had only ever held the copy.
   *
   * Only for an event of this replica's own that no other replica holds (never published: the caller's to know),
   * such as a vote piece `publishToRelay` kept back and dates afresh. Were both kept, this replica alone would hold
   * the earlier-dated original, and count it where every other replica counts the copy. `NOT_FOUND` when `id` is
   * not stored, `INVALID_ARGUMENT` for a signed event (its signature covers its date), a type that keeps records,
   * or the date it has already.
   */
  redateUnpublished(id: string, created: number): Promise<AppendResult> {
    return this.exclusive(async () => {
      const stored = await this.get(id);
      if (stored === undefined)
        throw new AgoraError(ErrorCode.NotFound, `event ${id} is not stored: nothing to re-date`);
      const { event } = stored;
      if (event.author !== undefined)
        throw new AgoraError(ErrorCode.InvalidArgument, `event ${id} is signed: its date is its author's`);
      if (this.registry.get(event.type).record !== undefined)
        throw new AgoraError(ErrorCode.InvalidArgument, `${event.type} events keep records: not re-dated`);
      if (created === event.created)
        throw new AgoraError(ErrorCode.InvalidArgument, `event ${id} is dated ${created} already`);
      const [result] = await this.appendLocked([{ ...event, created }], stored);
      return result as AppendResult;
    });
  }

  private async appendLocked(inputs: readonly unknown[], removing?: StoredEvent): Promise<AppendResult[]> {
    this.assertOpen();
    const total = inputs.length;
    const parsed: { envelope: ParsedEnvelope; definition: EventTypeDefinition }[] = [];
    // Envelopes first, then every signature of the batch at once (over the worker pool); the first event that
    // fails either way is the one reported, as if each were checked in turn.
    const checks: SignatureCheck[] = [];
    const checked: number[] = [];
    let firstError: { index: number; error: unknown } | undefined;
    for (let index = 0; index < total; index++) {
      try {
        const envelope = parseEnvelope(inputs[index]);
        const definition = this.registry.get(envelope.event.type);
        const check = checkAuth(envelope, definition);
        if (check !== undefined) {
          checks.push(check);
          checked.push(index);
        }
        parsed.push({ envelope, definition });
      } catch (error) {
        firstError = { index, error };
        break;
      }
    }
    // The signatures are checked on the pool while the types' `prepare` (a vote batch's proofs, on their own
    // threads) and `verify` run and the batch's writes are laid out: none depends on the verdicts, and a batch is
    // stored only if all hold. The first event that fails any check is the one reported, as if each were checked
    // in turn.
    // The pool's workers start on the checks at once; what the types' `prepare` asks for next (an invoice's key,
    // needed to verify its receipt, where a verdict is needed only before writing) goes before those not started.
    const checking = this.startChecks(checks);
    const badSignature = async (): Promise<{ index: number; error: unknown } | undefined> => {
      const verdicts = await checking.verdicts();
      for (let k = 0; k < checked.length; k++) {
        if (verdicts[k]) continue;
        const index = checked[k] as number;
        const { event } = (parsed[index] as (typeof parsed)[number]).envelope;
        return {
          index,
          error: new AgoraError(
            ErrorCode.InvalidSignature,
            `bad signature on ${event.type} by ${event.author}`,
          ),
        };
      }
      return undefined;
    };
    const failWith = async (error: { index: number; error: unknown }): Promise<never> => {
      const signature = await badSignature();
      // At one index the signature is checked first, as when each event is checked in turn.
      const first = signature !== undefined && signature.index <= error.index ? signature : error;
      throw withIndex(first.index, total, first.error);
    };
    if (firstError !== undefined) return failWith(firstError);
    let preparation: Preparation;
    try {
      preparation = await this.prepareTypes(parsed);
    } catch (error) {
      // A store that cannot be read: thrown once the checks are done, so that none is left running.
      await checking.verdicts();
      throw error;
    }
    const { stored, pending, pendingIndex, context } = preparation as Preparation;
    const results: AppendResult[] = [];
    const operations: Operation[] = [];
    const records = new RecordBuffer();
    const counts = new Map<string, number>();
    let seq = this.lastSeq;
    for (let index = 0; index < total; index++) {
      const { envelope, definition } = parsed[index] as (typeof parsed)[number];
      const { id, event } = envelope;
      const existing = stored[index];
      if (existing !== undefined) {
        results.push({ id, seq: Number(existing.slice(0, existing.indexOf(' '))), added: false });
        continue;
      }
      const earlier = pending.get(id);
      if (earlier !== undefined) {
        results.push({ id, seq: earlier.seq, added: false });
        continue;
      }
      let entries: IndexEntry[];
      let record: Uint8Array | undefined;
      try {
        await definition.verify(event, context);
        entries = [...(definition.indexes?.(event) ?? [])];
        if (event.author !== undefined) entries.push(['author', event.author]);
        for (const [name, value] of entries) {
          checkIndexPart(name, 'name');
          checkIndexPart(value, 'value');
        }
        if (definition.record !== undefined) record = encodeRecord(definition, event, envelope.idBytes);
      } catch (error) {
        return failWith({ index, error });
      }
      seq += 1;
      const key = seqKey(seq);
      if (record !== undefined) records.add(event.type, record.length, seq, record);
      pending.set(id, { event, seq });
      counts.set(event.type, (counts.get(event.type) ?? this.typeCounts.get(event.type) ?? 0) + 1);
      operations.push(
        { type: 'put', sublevel: this.eventSection, key: id, value: `${seq} ${envelope.canonical}` },
        { type: 'put', sublevel: this.orderSection, key, value: id },
        { type: 'put', sublevel: this.typeSection, key: `${event.type}${SEP}${key}`, value: id },
      );
      for (const [name, value] of entries) {
        operations.push({
          type: 'put',
          sublevel: this.indexSection,
          key: `${name}${SEP}${value}${SEP}${key}`,
          value: id,
        });
        const slot = `${name}${SEP}${value}`;
        const indexed = pendingIndex.get(slot) ?? [];
        indexed.push(event);
        pendingIndex.set(slot, indexed);
      }
      results.push({ id, seq, added: true });
    }
    if (removing !== undefined) {
      const { id, seq: removedSeq, event } = removing;
      const key = seqKey(removedSeq);
      const definition = this.registry.get(event.type);
      operations.push(
        { type: 'del', sublevel: this.eventSection, key: id },
        { type: 'del', sublevel: this.orderSection, key },
        { type: 'del', sublevel: this.typeSection, key: `${event.type}${SEP}${key}` },
      );
      for (const [name, value] of definition.indexes?.(event) ?? [])
        operations.push({
          type: 'del',
          sublevel: this.indexSection,
          key: `${name}${SEP}${value}${SEP}${key}`,
        });
      counts.set(event.type, (counts.get(event.type) ?? this.typeCounts.get(event.type) ?? 1) - 1);
    } else if (seq === this.lastSeq) {
      const signature = await badSignature();
      if (signature !== undefined) throw withIndex(signature.index, total, signature.error);
      return results;
    }
    operations.push(...records.operations(this.recordSection));
    operations.push({ type: 'put', sublevel: this.metaSection, key: 'seq', value: String(seq) });
    for (const [type, count] of counts) {
      operations.push(
        count === 0
          ? { type: 'del', sublevel: this.metaSection, key: `count${SEP}${type}` }
          : { type: 'put', sublevel: this.metaSection, key: `count${SEP}${type}`, value: String(count) },
      );
    }
    const batch = this.batchOf(operations);
    const signature = await badSignature();
    if (signature !== undefined) {
      await batch.close();
      throw withIndex(signature.index, total, signature.error);
    }
    await batch.write(this.writeOptions);
    this.lastSeq = seq;
    for (const [type, count] of counts)
      if (count === 0) this.typeCounts.delete(type);
      else this.typeCounts.set(type, count);
    return results;
  }

  /**
   * Reads which events of the batch are stored already and runs each type's `prepare` over the new ones, with the
   * context `verify` uses next (events earlier in the batch are visible through `pending` as they are accepted).
   */
  private async prepareTypes(
    parsed: readonly { envelope: ParsedEnvelope; definition: EventTypeDefinition }[],
  ): Promise<Preparation> {
    const stored = await this.eventSection.getMany(parsed.map((p) => p.envelope.id));
    const pending = new Map<string, { event: LedgerEvent; seq: number }>();
    const pendingIndex = new Map<string, LedgerEvent[]>();
    // The store does not change until this batch is written (appends are serialized), so one read serves every
    // event of the batch that refers to the same one (a batch of votes reads its proposal once, not once per vote).
    const read = new Map<string, Promise<LedgerEvent | undefined>>();
    const storedIndex = new Map<string, Promise<readonly LedgerEvent[]>>();
    const storedEvent = (id: string) => {
      let found = read.get(id);
      if (found === undefined) {
        found = this.get(id).then((stored) => stored?.event);
        read.set(id, found);
      }
      return found;
    };
    const context: VerifyContext = {
      get: async (id) => pending.get(id)?.event ?? (await storedEvent(id)),
      // What an index holds in the store is read once per batch too: a round's receipts of one provider all look
      // up its registrations.
      byIndex: async (name, value) => {
        const slot = `${name}${SEP}${value}`;
        let found = storedIndex.get(slot);
        if (found === undefined) {
          found = (async () => {
            const events: LedgerEvent[] = [];
            for await (const stored of this.byIndex(name, value)) events.push(stored.event);
            return events;
          })();
          storedIndex.set(slot, found);
        }
        return [...(await found), ...(pendingIndex.get(slot) ?? [])];
      },
    };
    const { pool } = this;
    if (pool !== undefined) context.recoverMany = (jobs) => pool.recoverMany(jobs);
    const byType = new Map<EventTypeDefinition, LedgerEvent[]>();
    parsed.forEach(({ envelope, definition }, index) => {
      if (definition.prepare === undefined || stored[index] !== undefined) return;
      const events = byType.get(definition) ?? [];
      events.push(envelope.event);
      byType.set(definition, events);
    });
    for (const [definition, events] of byType) await definition.prepare?.(events, context);
    return { stored, pending, pendingIndex, context };
  }

  /**
   * Writes `operations` in one atomic batch with this ledger's durability setting. abstract-level's chained form is
   * used: its array form normalizes and copies every operation in JavaScript first, about 4 times the chained form's
   * cost per operation (80-110 against 20 us for a receipt's 9 puts, measured with classic-level 3.0), which was
   * the largest single cost of storing a receipt.
   */
  private async write(operations: readonly Operation[]): Promise<void> {
    await this.batchOf(operations).write(this.writeOptions);
  }

  /**
   * `operations` laid out in a chained batch, not written yet (see {@link write}). On a store whose own encodings are
   * UTF-8 (every store this package opens), keys are put on the store itself, prefixed by their section (a child of
   * the store: its own prefix only) here: naming the section in each operation costs about 5 times as much in
   * abstract-level (43 against 8 us a receipt here).
   */
  private batchOf(operations: readonly Operation[]): ReturnType<LedgerStore['batch']> {
    const batch = this.db.batch();
    try {
      for (const operation of operations) {
        const section = operation.sublevel as unknown as Section | undefined;
        if (!this.textStore || section === undefined) {
          if (operation.type === 'put')
            batch.put(operation.key, operation.value, { sublevel: operation.sublevel } as never);
          else batch.del(operation.key, { sublevel: operation.sublevel } as never);
          continue;
        }
        const key = section.prefixKey(operation.key, 'utf8', true);
        if (operation.type === 'del') batch.del(key);
        else if (typeof operation.value === 'string') batch.put(key, operation.value);
        else batch.put(key, operation.value, BYTES as never);
      }
    } catch (error) {
      void batch.close();
      throw error;
    }
    return batch;
  }

  /**
   * Starts checking the signatures, over the pool's workers when there is one (left to them while the batch is read
   * on); `verdicts()` gives the verdict of each, in order.
   */
  private startChecks(checks: readonly SignatureCheck[]): { verdicts(): Promise<boolean[]> } {
    if (this.pool !== undefined) return this.pool.checkInBackground(checks);
    const verdicts = checks.map(({ signature, message, publicKey }) =>
      this.verifier.verify(signature, message, publicKey),
    );
    return { verdicts: async () => verdicts };
  }

  /** The stored event with this id, or undefined. */
  async get(id: string): Promise<StoredEvent | undefined> {
    this.assertOpen();
    const value = await this.eventSection.get(id);
    return value === undefined ? undefined : decodeStored(id, value);
  }

  /** True when an event with this id is stored. */
  async has(id: string): Promise<boolean> {
    return (await this.get(id)) !== undefined;
  }

  /** Events in append order, all of them or only those of one `type`. */
  events(options: IterateOptions & { type?: string } = {}): AsyncGenerator<StoredEvent> {
    const prefix = options.type === undefined ? '' : `${options.type}${SEP}`;
    return this.scan(options.type === undefined ? this.orderSection : this.typeSection, prefix, options);
  }

  /** Events found under a secondary index (`author`, or one a type declared), in append order. */
  byIndex(name: string, value: string, options: IterateOptions = {}): AsyncGenerator<StoredEvent> {
    return this.scan(this.indexSection, `${name}${SEP}${value}${SEP}`, options);
  }

  /**
   * The fixed-width records of a type's events (see `EventRecordCodec`), in append order, a stored block at a time:
   * one sequential scan, no event parsed. With `afterSeq`, only records of events appended after it.
   */
  async *records(type: string, options: { afterSeq?: number } = {}): AsyncGenerator<RecordBlock> {
    this.assertOpen();
    // A type this ledger does not accept has no events, hence no records.
    if (!this.registry.types().includes(type)) return;
    if (this.registry.get(type).record === undefined)
      throw new AgoraError(ErrorCode.InvalidArgument, `event type ${type} keeps no records`);
    const after = options.afterSeq ?? 0;
    const prefix = `${type}${SEP}`;
    // The block holding the record just after `after` may start at or before it: begin at the last such block.
    let start = `${prefix}${seqKey(after + 1)}`;
    for await (const key of this.recordSection.keys({ gte: prefix, lte: start, reverse: true, limit: 1 }))
      start = key;
    const iterator = this.recordSection.iterator({ gte: start, lt: `${prefix}\uffff` });
    try {
      while (true) {
        const page = await iterator.nextv(64);
        if (page.length === 0) return;
        for (const [, value] of page) {
          const block = decodeRecordBlock(value);
          if ((block.seqs[block.seqs.length - 1] ?? 0) <= after) continue;
          if ((block.seqs[0] ?? 0) > after) {
            yield block;
            continue;
          }
          const first = block.seqs.findIndex((seq) => seq > after);
          yield {
            size: block.size,
            seqs: block.seqs.slice(first),
            bytes: block.bytes.subarray(first * block.size),
          };
        }
      }
    } finally {
      await iterator.close();
    }
  }

  private async *scan(
    section: Section,
    prefix: string,
    options: IterateOptions,
  ): AsyncGenerator<StoredEvent> {
    this.assertOpen();
    const after = options.afterSeq ?? 0;
    const iterator = section.iterator({
      gt: `${prefix}${seqKey(after)}`,
      lt: `${prefix}\uffff`,
      reverse: options.reverse ?? false,
      limit: options.limit ?? -1,
    });
    try {
      while (true) {
        const page = await iterator.nextv(256);
        if (page.length === 0) return;
        const ids = page.map(([, id]) => id);
        const values = await this.eventSection.getMany(ids);
        for (let i = 0; i < ids.length; i++) {
          const value = values[i];
          if (value === undefined) {
            // Re-dated since the scan began (`redateUnpublished` removed it with its index entries): skipped.
            if ((await section.get((page[i] as [string, string])[0])) === undefined) continue;
            throw new AgoraError(ErrorCode.StoreUnavailable, `ledger index names missing event ${ids[i]}`);
          }
          yield decodeStored(ids[i] as string, value);
        }
      }
    } finally {
      await iterator.close();
    }
  }

  /** How many events of each type this ledger holds. */
  stats(): LedgerStats {
    this.assertOpen();
    const types: Record<string, number> = {};
    let events = 0;
    for (const type of [...this.typeCounts.keys()].sort()) {
      const count = this.typeCounts.get(type) as number;
      types[type] = count;
      events += count;
    }
    return { events, lastSeq: this.lastSeq, types };
  }

  /** Every event as one canonical-JSON line (no newline), in append order. */
  async *exportLines(): AsyncGenerator<string> {
    for await (const { event } of this.events()) yield canonicalJson(event);
  }

  /**
   * Imports JSON lines (blank lines skipped), verifying every event again, in atomic chunks. The order of the lines
   * does not matter: an event that refers to one not stored yet (`MISSING_REFERENCE`) waits and is tried again once
   * the rest is in, as long as that brings progress; a bad line is set aside and the import goes on. Every valid
   * event ends up stored; the result lists the lines refused and those still waiting for events the import did not
   * bring.
   */
  async importLines(
    lines: AsyncIterable<string> | Iterable<string>,
    options: { chunkSize?: number; onProgress?: (linesRead: number) => void } = {},
  ): Promise<ImportResult> {
    const chunkSize = options.chunkSize ?? 1000;
    let lineNumber = 0;
    let read = 0;
    let added = 0;
    let duplicates = 0;
    const refused: ImportProblem[] = [];
    let waiting: { line: number; event: unknown; problem: ImportProblem }[] = [];
    let chunk: { line: number; event: unknown }[] = [];
    const count = (results: readonly AppendResult[]) => {
      for (const r of results) r.added ? added++ : duplicates++;
    };
    // Appends `items` in one batch; if that fails, one by one, so that a bad or waiting event holds back nothing else.
    const appendAll = async (items: readonly { line: number; event: unknown }[]): Promise<void> => {
      try {
        count(await this.appendBatch(items.map((item) => item.event)));
        return;
      } catch {
        // Decided event by event below.
      }
      for (const item of items) {
        try {
          count([await this.append(item.event)]);
        } catch (error) {
          // A store that fails is not a bad line: the import stops there.
          if (!isAgoraError(error) || error.code === ErrorCode.StoreUnavailable) throw error;
          const problem = importProblem(item.line, error);
          if (problem.reason === ErrorCode.MissingReference) waiting.push({ ...item, problem });
          else refused.push(problem);
        }
      }
    };
    const flush = async (): Promise<void> => {
      await appendAll(chunk);
      chunk = [];
      options.onProgress?.(read);
    };
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      read++;
      try {
        chunk.push({ line: lineNumber, event: parseJson(line) });
      } catch (error) {
        refused.push(importProblem(lineNumber, error));
      }
      if (chunk.length >= chunkSize) await flush();
    }
    if (chunk.length > 0) await flush();
    // Events that waited for others: again while a round stores something.
    for (let before = added + duplicates; waiting.length > 0; before = added + duplicates) {
      const again = waiting;
      waiting = [];
      await appendAll(again);
      if (added + duplicates === before) break;
    }
    return { lines: read, added, duplicates, refused, waiting: waiting.map((item) => item.problem) };
  }

  /**
   * A named key-value area in the same store for a module's local data (L402 root keys, caches): not events,
   * never exported nor replicated. Keys and values are strings.
   */
  localStore(name: string): AbstractSublevel<LedgerStore, string | Uint8Array, string, string> {
    if (!/^[a-z][a-z0-9-]*$/.test(name))
      throw new AgoraError(ErrorCode.InvalidArgument, `bad local store name ${name}`);
    return this.db.sublevel<string, string>(`local-${name}`, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  }

  /** Writes to a local store with this ledger's durability setting. */
  async localPut(
    store: AbstractSublevel<LedgerStore, string | Uint8Array, string, string>,
    key: string,
    value: string | undefined,
  ): Promise<void> {
    this.assertOpen();
    await this.write([
      value === undefined
        ? { type: 'del', sublevel: store, key }
        : { type: 'put', sublevel: store, key, value },
    ]);
  }

  /** Writes several entries to a local store in one atomic batch (`undefined` deletes). */
  async localPutMany(
    store: AbstractSublevel<LedgerStore, string | Uint8Array, string, string>,
    entries: readonly (readonly [key: string, value: string | undefined])[],
  ): Promise<void> {
    this.assertOpen();
    await this.write(
      entries.map(([key, value]) =>
        value === undefined
          ? { type: 'del' as const, sublevel: store, key }
          : { type: 'put' as const, sublevel: store, key, value },
      ),
    );
  }

  /** True until {@link close}. */
  get isOpen(): boolean {
    return this.db.status === 'open';
  }

  /** Waits for pending writes, then closes the store. */
  async close(): Promise<void> {
    await this.queue;
    if (this.db.status === 'open' || this.db.status === 'opening') await this.db.close();
  }

  private assertOpen(): void {
    if (this.db.status !== 'open') throw new AgoraError(ErrorCode.StoreUnavailable, 'the ledger is closed');
  }
}

function decodeStored(id: string, value: string): StoredEvent {
  const space = value.indexOf(' ');
  return { id, seq: Number(value.slice(0, space)), event: JSON.parse(value.slice(space + 1)) as LedgerEvent };
}

/** A line an import could not store: refused for good, or waiting for an event the import did not bring. */
export interface ImportProblem {
  readonly line: number;
  /** The cause's error code (`MISSING_REFERENCE` for a waiting line). */
  readonly reason: string;
  readonly message: string;
}

function importProblem(line: number, error: unknown): ImportProblem {
  return {
    line,
    reason: isAgoraError(error) ? error.code : 'UNKNOWN',
    message: error instanceof Error ? error.message : String(error),
  };
}

function encodeRecord(definition: EventTypeDefinition, event: LedgerEvent, id: Uint8Array): Uint8Array {
  const codec = definition.record as NonNullable<EventTypeDefinition['record']>;
  const record = codec.encode(event, id);
  // A codec that breaks its own width would make every later record of its block unreadable: refuse the event.
  if (record.length !== codec.size)
    throw new AgoraError(
      ErrorCode.InvalidEvent,
      `${event.type}: its record is ${record.length} bytes, not ${codec.size}`,
    );
  return record;
}

/** The records of the events of one write, gathered per type into one block each. */
class RecordBuffer {
  private readonly byType = new Map<string, { size: number; seqs: number[]; records: Uint8Array[] }>();

  add(type: string, size: number, seq: number, record: Uint8Array): void {
    let entry = this.byType.get(type);
    if (entry === undefined) {
      entry = { size, seqs: [], records: [] };
      this.byType.set(type, entry);
    }
    entry.seqs.push(seq);
    entry.records.push(record);
  }

  /** One put per type, keyed by its first sequence number (blocks of a type never overlap: seqs only grow). */
  operations(section: BinarySection): Operation[] {
    return [...this.byType].map(
      ([type, { size, seqs, records }]) =>
        ({
          type: 'put',
          sublevel: section,
          key: `${type}${SEP}${seqKey(seqs[0] as number)}`,
          value: encodeRecordBlock(size, seqs, records),
        }) as unknown as Operation,
    );
  }
}

/** Checks an event's authentication fields against its type; returns the signature it carries, to verify. */
function checkAuth(
  { event, idBytes }: ParsedEnvelope,
  definition: EventTypeDefinition,
): SignatureCheck | undefined {
  if (definition.auth === 'proof') {
    if (event.author !== undefined || event.sig !== undefined) {
      throw new AgoraError(ErrorCode.InvalidEvent, `${event.type} is anonymous: it carries no author or sig`);
    }
    if (event.proof === undefined)
      throw new AgoraError(ErrorCode.InvalidEvent, `${event.type} needs a proof`);
    return undefined;
  }
  if (event.proof !== undefined)
    throw new AgoraError(ErrorCode.InvalidEvent, `${event.type} carries no proof`);
  if (event.author === undefined || event.sig === undefined) {
    throw new AgoraError(ErrorCode.InvalidSignature, `${event.type} must be signed (author and sig)`);
  }
  return { signature: fromHex(event.sig), message: idBytes, publicKey: fromHex(event.author) };
}
