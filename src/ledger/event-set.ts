import { AgoraError, ErrorCode, fromHex } from '../core/index.js';
import type { StoredEvent } from './event.js';
import type { IterateOptions, LedgerStats } from './ledger.js';
import type { RecordBlock } from './record-block.js';
import type { EventRegistry } from './registry.js';

/**
 * The reading side of a ledger: what derived state (reputation, stakes, snapshots) reads. A {@link Ledger} is one;
 * an {@link EventSet} is another, holding exactly the events a proposal's checkpoint names.
 */
export interface EventReader {
  get(id: string): Promise<StoredEvent | undefined>;
  events(options?: IterateOptions & { type?: string }): AsyncIterable<StoredEvent>;
  byIndex(name: string, value: string, options?: IterateOptions): AsyncIterable<StoredEvent>;
  stats(): LedgerStats;
  /** The fixed-width records of a type's events in append order (see `Ledger.records`), where the reader keeps them. */
  records?(type: string, options?: { afterSeq?: number }): AsyncIterable<RecordBlock>;
}

/**
 * A fixed, read-only set of events that were verified already (they come from a ledger), in id order: sequence
 * numbers are positions in that order, so the same events give the same reads on every replica, whatever order each
 * stored them in. Index entries are those the registry defines, plus `author`, as in a ledger.
 */
export class EventSet implements EventReader {
  private readonly ordered: StoredEvent[];
  private readonly byId = new Map<string, StoredEvent>();
  private readonly indexed = new Map<string, StoredEvent[]>();
  private readonly registry: EventRegistry;

  constructor(events: Iterable<StoredEvent>, registry: EventRegistry) {
    this.registry = registry;
    const unique = new Map<string, StoredEvent>();
    for (const stored of events) unique.set(stored.id, stored);
    this.ordered = [...unique.keys()]
      .sort()
      .map((id, i) => ({ id, seq: i + 1, event: (unique.get(id) as StoredEvent).event }));
    const known = new Set(registry.types());
    for (const stored of this.ordered) {
      this.byId.set(stored.id, stored);
      const { event } = stored;
      const entries = known.has(event.type) ? [...(registry.get(event.type).indexes?.(event) ?? [])] : [];
      if (event.author !== undefined) entries.push(['author', event.author]);
      for (const [name, value] of entries) {
        const key = `${name}\x00${value}`;
        const list = this.indexed.get(key) ?? [];
        list.push(stored);
        this.indexed.set(key, list);
      }
    }
  }

  /** How many events the set holds. */
  get size(): number {
    return this.ordered.length;
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    return this.byId.get(id);
  }

  async *events(options: IterateOptions & { type?: string } = {}): AsyncGenerator<StoredEvent> {
    const { type } = options;
    yield* select(
      type === undefined ? this.ordered : this.ordered.filter((s) => s.event.type === type),
      options,
    );
  }

  async *byIndex(name: string, value: string, options: IterateOptions = {}): AsyncGenerator<StoredEvent> {
    yield* select(this.indexed.get(`${name}\x00${value}`) ?? [], options);
  }

  /** The records a ledger would keep for these events, encoded on demand, in one block. */
  async *records(type: string, options: { afterSeq?: number } = {}): AsyncGenerator<RecordBlock> {
    if (!this.registry.types().includes(type)) return;
    const codec = this.registry.get(type).record;
    if (codec === undefined)
      throw new AgoraError(ErrorCode.InvalidArgument, `event type ${type} keeps no records`);
    const chosen = select(
      this.ordered.filter((s) => s.event.type === type),
      options,
    );
    const bytes = new Uint8Array(chosen.length * codec.size);
    chosen.forEach((stored, i) => {
      bytes.set(codec.encode(stored.event, fromHex(stored.id)), i * codec.size);
    });
    if (chosen.length > 0) yield { size: codec.size, seqs: chosen.map((s) => s.seq), bytes };
  }

  stats(): LedgerStats {
    const types: Record<string, number> = {};
    for (const { event } of this.ordered) types[event.type] = (types[event.type] ?? 0) + 1;
    return { events: this.ordered.length, lastSeq: this.ordered.length, types };
  }
}

function select(list: readonly StoredEvent[], options: IterateOptions): StoredEvent[] {
  const after = options.afterSeq ?? 0;
  let chosen = list.filter((s) => s.seq > after);
  if (options.reverse) chosen = chosen.reverse();
  return options.limit === undefined || options.limit < 0 ? chosen : chosen.slice(0, options.limit);
}
