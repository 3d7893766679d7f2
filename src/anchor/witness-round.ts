import { type Clock, HEADER_TIME_TOLERANCE, systemClock } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { type Ledger, type LedgerEvent, parseEnvelope } from '../ledger/index.js';
import { ledgerBestChain } from './best-chain.js';
import { decisionAnchorOf } from './decision-anchors.js';
import { subjectAnchors } from './proposal-anchor.js';
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
 * Seconds a batch of the witness's own may go without an `anchor.committed` signed by the witness before its round takes
 * it as lost.
 */
export const WITNESS_COMMIT_GRACE = 600;

/** Seconds a batch's committed anchor may stay unconfirmed before its round takes it as lost (a dropped transaction). */
export const WITNESS_CONFIRM_GRACE = 86_400;

/**
 * A publication witness's round: the ids of the events `ledger` holds that no batch of `witness` lists and dates, or
 * may still date (witness batches left out: they need no witness), in batches of at most {@link MAX_WITNESSED_IDS},
 * signed by `witness`. A batch of its own dates its ids when its anchor is confirmed on the heaviest verified chain
 * and it was signed no later than that anchor's block time (plus Bitcoin's header tolerance); unconfirmed, it may
 * still date them while signed no later than now (plus the tolerance) and anchored in time (committed by the witness within
 * {@link WITNESS_COMMIT_GRACE}, confirmed within {@link WITNESS_CONFIRM_GRACE} of its signing). Any other batch (never
 * anchored, its transaction dropped, or signed by a clock far ahead, which dates its ids at that wrong moment) dates
 * nothing: its ids are listed again.
 * Append the batches, then anchor each commitment (`anchor.committed` naming the batch, and its confirmation once
 * mined): the anchor's block time is then every listed event's publication time. Run it often (hourly or more):
 * windows are measured on it. `pending`: events about to be appended with the batches, listed too. Empty when there
 * is nothing new.
 */
export async function witnessRound(
  ledger: Ledger,
  witness: AgentKey,
  options: { clock?: Clock; pending?: readonly LedgerEvent[] } = {},
): Promise<WitnessBatch[]> {
  const now = Math.floor((options.clock ?? systemClock).now() / 1000);
  const listed = await datedByOwnBatches(ledger, witness.id, now);
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

/** The ids that the batches of `witness` date, or may still date, at `now` (see {@link witnessRound}). */
async function datedByOwnBatches(ledger: Ledger, witness: string, now: number): Promise<Set<string>> {
  const network = ledger.registry.network?.chain ?? 'bitcoin';
  let bestChain: Awaited<ReturnType<typeof ledgerBestChain>> | undefined;
  const listed = new Set<string>();
  for await (const { id, event } of ledger.byIndex('witness', witness)) {
    const body = event.body as unknown as WitnessBatchBody;
    const commitment = witnessBatchCommitment(body);
    bestChain ??= await ledgerBestChain(ledger, now);
    const found = await subjectAnchors(ledger, id, commitment, network, now, bestChain);
    const anchor = decisionAnchorOf({ commitment, ...found, state: 'anchored' });
    // Anchored: Bitcoin's clock tells whether the batch was signed by a clock far ahead (after its own anchor's block,
    // beyond the header tolerance), which dates its ids at that wrong moment: then it counts for nothing.
    // Not anchored yet: measured on the round's clock, it may still be while signed no later than now and in time.
    // Only the witness's own commitment earns the day's grace: anyone may sign an `anchor.committed` naming a lost
    // batch (with a transaction never mined) and would otherwise keep its ids from being listed again for a day.
    let committedByWitness = false;
    for (const { id: committed } of found.committed)
      if ((await ledger.get(committed))?.event.author === witness) {
        committedByWitness = true;
        break;
      }
    const age = now - event.created;
    const counts =
      anchor !== undefined
        ? event.created <= anchor.blockTime + HEADER_TIME_TOLERANCE
        : event.created <= now + HEADER_TIME_TOLERANCE &&
          age <= (committedByWitness ? WITNESS_CONFIRM_GRACE : WITNESS_COMMIT_GRACE);
    if (counts) for (const listedId of body.ids) listed.add(listedId);
  }
  return listed;
}
