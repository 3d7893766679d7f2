import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isDecimal,
  isJsonObject,
  isLowerHex,
  type JsonObject,
} from '../core/index.js';
import { type AgentKey, BN254_SCALAR_FIELD } from '../identity/index.js';
import {
  type EventTypeDefinition,
  type Ledger,
  type LedgerEvent,
  type StoredEvent,
  signEvent,
  type VerifyContext,
} from '../ledger/index.js';
import { TREE_ARITY, TREE_LEVELS } from '../zk/index.js';
import type { WeightMode } from './snapshot.js';

/**
 * A proposal's checkpoint: the exact events its snapshot was computed from, listed by id in `snapshot.sources`
 * events that the proposal names. Every replica rebuilds the snapshot from exactly those events, so an event
 * backdated and published later changes nothing, and a declared root, total or member count that the listed events
 * do not give is seen by everyone.
 */
export const SNAPSHOT_SOURCES = 'snapshot.sources';

/** Ids per `snapshot.sources` event: 900 ids of 66 JSON characters stay well under the 64 KiB event limit. */
export const SOURCE_IDS_PER_EVENT = 900;

/** Parts a proposal may name: 256 x 900 = 230,400 events. */
export const MAX_SOURCE_PARTS = 256;

/** The event types a snapshot of `mode` reads: registrations and delegations always, and the mode's weights. */
export function snapshotEventTypes(mode: WeightMode): readonly string[] {
  const common = ['agent.registered', 'delegation.set'];
  if (mode === 'reputation') return [...common, 'receipt', 'receipt.rating'];
  if (mode === 'stake' || mode === 'quadratic')
    return [...common, 'stake.locked', 'stake.released', 'stake.slashed'];
  return common;
}

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `${SNAPSHOT_SOURCES}: ${message}`);
}

/** Checks that `ids` are event ids in strictly ascending order (so one set has one listing). */
function checkAscending(ids: readonly unknown[], what: string): asserts ids is string[] {
  for (let i = 0; i < ids.length; i++) {
    if (!isLowerHex(ids[i], 32)) invalid(`${what}: an event id is 32 bytes of lower-case hex`);
    if (i > 0 && (ids[i] as string) <= (ids[i - 1] as string))
      invalid(`${what}: ids must be in strictly ascending order`);
  }
}

/** `snapshot.sources`: signed; a body `{ids}` of 1 to 900 event ids in strictly ascending order. */
export const snapshotSourcesType: EventTypeDefinition = {
  type: SNAPSHOT_SOURCES,
  auth: 'signature',
  verify(event) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['ids']) || !Array.isArray(body.ids))
      invalid('body is {ids}');
    if (body.ids.length === 0 || body.ids.length > SOURCE_IDS_PER_EVENT)
      invalid(`1 to ${SOURCE_IDS_PER_EVENT} ids per event`);
    checkAscending(body.ids, 'ids');
  },
};

/**
 * Signs the `snapshot.sources` events that list `ids` (sorted here), in order: append them before the proposal that
 * names their ids. `INVALID_ARGUMENT` when the list would need more than {@link MAX_SOURCE_PARTS} events.
 */
export function createSnapshotSources(
  key: AgentKey,
  ids: readonly string[],
  options: { clock?: Clock } = {},
): LedgerEvent[] {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0)
    throw new AgoraError(ErrorCode.InvalidArgument, 'a snapshot is computed from one event at least');
  if (sorted.length > SOURCE_IDS_PER_EVENT * MAX_SOURCE_PARTS)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a snapshot lists at most ${SOURCE_IDS_PER_EVENT * MAX_SOURCE_PARTS} events, this one ${sorted.length}`,
    );
  const parts: LedgerEvent[] = [];
  for (let at = 0; at < sorted.length; at += SOURCE_IDS_PER_EVENT)
    parts.push(
      signEvent(key, SNAPSHOT_SOURCES, { ids: sorted.slice(at, at + SOURCE_IDS_PER_EVENT) }, options),
    );
  return parts;
}

/**
 * The ids a proposal's `snapshot.sources` parts list, in order; `INVALID_EVENT` unless they run in strictly
 * ascending order across parts (one set, one listing).
 */
export function listedIds(parts: readonly LedgerEvent[]): string[] {
  const ids = parts.flatMap((part) => (part.body as { ids: string[] }).ids);
  checkAscending(ids, 'the parts together');
  return ids;
}

/**
 * What a snapshot computed from a checkpoint declares, wherever it is declared (a proposal's `snapshot`, a dispute's
 * juror electorate): the moment, the tree root, the total weight, the member count, how many events the checkpoint
 * lists and the `snapshot.sources` parts that list them.
 */
export interface CheckpointDeclaration {
  readonly asOf: number;
  readonly root: string;
  readonly total: string;
  readonly members: number;
  readonly events: number;
  readonly sources: readonly string[];
}

/** The fields of a {@link CheckpointDeclaration}, in order. */
export const CHECKPOINT_FIELDS = ['asOf', 'root', 'total', 'members', 'events', 'sources'] as const;

/**
 * Whether `value`'s checkpoint fields are well formed: `asOf` unix seconds, `root` a field element, `members` at most
 * a full tree, `events` one or more, `sources` 1 to {@link MAX_SOURCE_PARTS} distinct event ids. Other fields (a
 * `total` where the snapshot declares one) are the caller's to check.
 */
export function hasCheckpointFields(
  value: JsonObject,
): value is JsonObject & Omit<CheckpointDeclaration, 'total'> {
  const { asOf, root, members, events, sources } = value;
  return (
    Number.isSafeInteger(asOf) &&
    (asOf as number) >= 0 &&
    isDecimal(root) &&
    root.length <= 78 &&
    BigInt(root) < BN254_SCALAR_FIELD &&
    Number.isSafeInteger(members) &&
    (members as number) >= 0 &&
    (members as number) <= TREE_ARITY ** TREE_LEVELS &&
    Number.isSafeInteger(events) &&
    (events as number) >= 1 &&
    Array.isArray(sources) &&
    sources.length >= 1 &&
    sources.length <= MAX_SOURCE_PARTS &&
    sources.every((id) => isLowerHex(id, 32)) &&
    new Set(sources).size === sources.length
  );
}

/** Whether `value` is a well-formed {@link CheckpointDeclaration}: {@link hasCheckpointFields} and a decimal `total`. */
export function isCheckpointDeclaration(value: JsonObject): value is JsonObject & CheckpointDeclaration {
  return hasCheckpointFields(value) && isDecimal(value.total);
}

/**
 * On ingest of an event declaring `declared`: its checkpoint parts are stored `snapshot.sources` events (anyone may
 * have signed them: their ids commit to the lists) listing `declared.events` ids in strictly ascending order. A part
 * not stored yet makes the event wait (`MISSING_REFERENCE`); anything else is `INVALID_EVENT`, its message prefixed
 * with `type`.
 */
export async function checkCheckpointParts(
  type: string,
  declared: Pick<CheckpointDeclaration, 'sources' | 'events'>,
  context: Pick<VerifyContext, 'get'>,
): Promise<void> {
  const parts: LedgerEvent[] = [];
  for (const id of declared.sources) {
    const part = await context.get(id);
    if (part === undefined)
      throw new AgoraError(
        ErrorCode.MissingReference,
        `${type}: its checkpoint part ${id} is not stored yet`,
      );
    if (part.type !== SNAPSHOT_SOURCES)
      throw new AgoraError(ErrorCode.InvalidEvent, `${type}: ${id} is not a ${SNAPSHOT_SOURCES} event`);
    parts.push(part);
  }
  let listed: number;
  try {
    listed = listedIds(parts).length;
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidEvent, `${type}: ${(cause as Error).message}`, { cause });
  }
  if (listed !== declared.events)
    throw new AgoraError(
      ErrorCode.InvalidEvent,
      `${type}: its checkpoint lists another number of events than ${declared.events}`,
    );
}

/** The events a checkpoint lists, read back for a rebuild; or why it cannot be rebuilt (yet). */
export type ListedEvents =
  | { readonly status: 'listed'; readonly events: StoredEvent[] }
  | { readonly status: 'pending'; readonly missing: number; readonly reason: string }
  | { readonly status: 'invalid'; readonly reason: string };

/**
 * The events the checkpoint parts `sources` list, from `ledger`: `pending` while a part or a listed event is missing
 * (never decided on partial data), `invalid` when one is not of `types` (what `reader`, say "a stake snapshot", reads)
 * or was created after `asOf`.
 */
export async function listedEvents(
  ledger: Ledger,
  sources: readonly string[],
  types: readonly string[],
  asOf: number,
  reader: string,
): Promise<ListedEvents> {
  const parts: LedgerEvent[] = [];
  for (const id of sources) {
    const part = await ledger.get(id);
    // Stored before the snapshot's event by the ingest rule; a store that lost it cannot decide.
    if (part === undefined)
      return { status: 'pending', missing: 1, reason: `checkpoint part ${id} is missing` };
    parts.push(part.event);
  }
  const ids = listedIds(parts);
  const kinds = new Set(types);
  const events: StoredEvent[] = [];
  let missing = 0;
  for (const id of ids) {
    const stored = await ledger.get(id);
    if (stored === undefined) {
      missing++;
      continue;
    }
    if (!kinds.has(stored.event.type))
      return {
        status: 'invalid',
        reason: `lists a ${stored.event.type} event, which ${reader} does not read`,
      };
    if (stored.event.created > asOf)
      return { status: 'invalid', reason: `lists event ${id}, created after the snapshot time ${asOf}` };
    events.push(stored);
  }
  if (missing > 0)
    return {
      status: 'pending',
      missing,
      reason: `${missing} of the ${ids.length} events its snapshot was computed from are not in this ledger yet`,
    };
  return { status: 'listed', events };
}

/**
 * A snapshot verdict cached per ledger: a valid or invalid one for good (the listed events never change), a pending
 * one while the ledger holds the same events (it only grows, so its last sequence number says).
 */
export class VerdictCache<V extends { readonly status: string }> {
  private readonly byLedger = new WeakMap<Ledger, Map<string, { verdict: V; lastSeq?: number }>>();

  async get(ledger: Ledger, id: string, rebuild: () => Promise<V>): Promise<V> {
    const cache = this.byLedger.get(ledger) ?? new Map<string, { verdict: V; lastSeq?: number }>();
    this.byLedger.set(ledger, cache);
    const lastSeq = ledger.stats().lastSeq;
    const known = cache.get(id);
    if (known !== undefined && (known.lastSeq === undefined || known.lastSeq === lastSeq))
      return known.verdict;
    const verdict = await rebuild();
    cache.set(id, verdict.status === 'pending' ? { verdict, lastSeq } : { verdict });
    return verdict;
  }
}
