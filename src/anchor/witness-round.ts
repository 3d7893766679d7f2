import type { Clock } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { type Ledger, type LedgerEvent, parseEnvelope } from '../ledger/index.js';
import {
  createWitnessBatch,
  MAX_WITNESSED_IDS,
  type WitnessBatchBody,
  witnessBatchCommitment,
} from './witness-batch.js';

/** One batch of a witness round: the signed event, its id, and the commitment its anchor must carry. */
export interface WitnessBatch {
  readonly event: LedgerEvent;
  readonly id: string;
  readonly commitment: string;
}

/**
 * A publication witness's round: the ids of the events `ledger` holds that `witness` has not listed before (witness
 * batches left out: they need no witness), in batches of at most {@link MAX_WITNESSED_IDS}, signed by `witness`.
 * Append them, then anchor each commitment (`anchor.committed` naming the batch, and its confirmation once mined):
 * the anchor's block time is then every listed event's publication time. Run it often (hourly or more): windows are
 * measured on it. `pending`: events about to be appended with the batches, listed too. Empty when there is nothing new.
 */
export async function witnessRound(
  ledger: Ledger,
  witness: AgentKey,
  options: { clock?: Clock; pending?: readonly LedgerEvent[] } = {},
): Promise<WitnessBatch[]> {
  const listed = new Set<string>();
  for await (const { event } of ledger.byIndex('witness', witness.id))
    for (const id of (event.body as unknown as WitnessBatchBody).ids) listed.add(id);
  const fresh: string[] = [];
  for await (const { id, event } of ledger.events())
    if (event.type !== 'witness.batch' && !listed.has(id)) fresh.push(id);
  for (const event of options.pending ?? []) {
    const { id, event: parsed } = parseEnvelope(event);
    if (parsed.type !== 'witness.batch' && !listed.has(id) && !fresh.includes(id)) fresh.push(id);
  }
  fresh.sort();
  const batches: WitnessBatch[] = [];
  for (let start = 0; start < fresh.length; start += MAX_WITNESSED_IDS) {
    const event = createWitnessBatch(
      witness,
      fresh.slice(start, start + MAX_WITNESSED_IDS),
      options.clock === undefined ? {} : { clock: options.clock },
    );
    const { id } = parseEnvelope(event);
    batches.push({
      event,
      id,
      commitment: witnessBatchCommitment(event.body as unknown as WitnessBatchBody),
    });
  }
  return batches;
}
