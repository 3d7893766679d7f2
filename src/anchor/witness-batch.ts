import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  toHex,
} from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { type EventTypeDefinition, type LedgerEvent, signEvent } from '../ledger/index.js';
import { eventsCommitmentTree } from './commitment.js';

/** Body of `witness.batch`: event ids a publication witness holds and shows, sorted, each once. */
export interface WitnessBatchBody {
  readonly ids: readonly string[];
}

/** The most ids one `witness.batch` lists (an event's size, as `anchor.committed`'s votes): more take more batches. */
export const MAX_WITNESSED_IDS = 900;

/**
 * What an anchor of a witness batch commits to: the root of the commitment tree of its ids in their (sorted) order
 * (`eventsCommitmentTree`). An `anchor.committed` of a batch with any other commitment is refused on ingest, so a
 * list changed after anchoring is never confused with the one anchored.
 */
export function witnessBatchCommitment(body: WitnessBatchBody): string {
  return toHex(eventsCommitmentTree(body.ids).root);
}

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `witness.batch: ${message}`);
}

/**
 * `witness.batch`, signed by a publication witness of the network (`witnesses`: `networkWitnesses` of the ledger's
 * configuration; none configured, every batch is refused): 1 to {@link MAX_WITNESSED_IDS} event ids in strictly
 * ascending order. The ids need not be stored here (a witness may hold events this replica has not received): a batch
 * says they were shown, its anchor says by when.
 */
export function witnessBatchType(witnesses: readonly string[]): EventTypeDefinition {
  const allowed = new Set(witnesses);
  return {
    type: 'witness.batch',
    auth: 'signature',
    verify(event) {
      if (!allowed.has(event.author as string))
        invalid(`${String(event.author)} is not a publication witness of this network`);
      const body = event.body;
      if (!isJsonObject(body) || !hasExactKeys(body, ['ids'])) invalid('body is {ids}');
      const { ids } = body;
      if (
        !Array.isArray(ids) ||
        ids.length === 0 ||
        ids.length > MAX_WITNESSED_IDS ||
        !ids.every((id, i) => isLowerHex(id, 32) && (i === 0 || (ids[i - 1] as string) < id))
      )
        invalid(`ids lists 1 to ${MAX_WITNESSED_IDS} event ids, sorted, each once`);
    },
    indexes: (event) => [['witness', event.author as string]],
  };
}

/** Signs a `witness.batch` of `ids` (sorted and made unique here); `INVALID_ARGUMENT` for an empty or too long list. */
export function createWitnessBatch(
  key: AgentKey,
  ids: readonly string[],
  options: { clock?: Clock } = {},
): LedgerEvent {
  const sorted = [...new Set(ids)].sort();
  if (sorted.length === 0 || sorted.length > MAX_WITNESSED_IDS)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a witness batch lists 1 to ${MAX_WITNESSED_IDS} event ids, not ${sorted.length}`,
    );
  return signEvent(key, 'witness.batch', { ids: sorted } as unknown as JsonObject, options);
}
