import {
  anchoredVotes,
  buildAnchorTransaction,
  createAnchorCommitted,
  createAnchorConfirmed,
  disputeEventCommitment,
  merkleBranch,
  merkleRootFromBranch,
  parseBlockHeader,
  proposalCommitment,
  witnessRound,
} from '../anchor/index.js';
import { fromHex, ManualClock, toHex } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { type Ledger, type LedgerEvent, parseEnvelope } from '../ledger/index.js';
import { seededBytes } from './random.js';
import { regtestHeader } from './regtest-header.js';
import type { Actor, SimulationState } from './state.js';

/** The embedded coin the anchor spends, in sats. */
const ANCHOR_COIN_SAT = 100_000n;
/** The anchor transaction's fee rate, in sat/vB. */
const ANCHOR_FEE_RATE = 2;
/** Regtest heights of the run's anchor blocks (the dispute seed blocks sit at 1,000 and up). */
const ANCHOR_HEIGHT = 2_000;

/** The decision committed for Bitcoin. */
export interface AnchorOutcome {
  readonly proposal: string;
  readonly commitment: string;
  readonly txid: string;
  readonly feeSat: string;
  /** The regtest block that confirms it: height and header time (unix seconds). */
  readonly height: number;
  readonly blockTime: number;
}

/**
 * The anchor phase of one decision: the commitment of `proposalId` (its result and counted votes) put in a regtest
 * transaction spending a coin derived from the seed, mined in a block at `blockTime` (the run's miner writes the
 * run's clock: on regtest header times are the miner's word), and recorded in the ledger by `recorder` as
 * `anchor.committed` and `anchor.confirmed` with the SPV proof, then shown by the run's witness in a block of the same
 * time ({@link witnessAt}). From then on the decision is in effect, if the block lies within the network's grace after
 * voting closed.
 */
export async function anchorDecision(
  state: SimulationState,
  proposalId: string,
  blockTime: number,
  recorder: Actor,
): Promise<AnchorOutcome> {
  const source = await nextAnchorBlock(state);
  const anchor = await regtestAnchorEvents(state.ledger, recorder.key, proposalId, blockTime, source);
  await state.ledger.appendBatch(anchor.events);
  // The run's witness shows the anchor (and whatever is new) in the same block: the decision is public in time.
  await witnessAt(state, blockTime, state.cast.custodian);
  const { height } = source;
  return {
    proposal: proposalId,
    commitment: anchor.commitment,
    txid: anchor.txid,
    feeSat: anchor.feeSat.toString(),
    height,
    blockTime,
  };
}

/**
 * A publication witness's round on regtest (the run's custodian, a configured custodian and so a witness): it lists
 * every event it has not listed yet and anchors each batch in a block at `blockTime`. Events count as published by
 * that block's time.
 */
export async function witnessAt(state: SimulationState, blockTime: number, witness: Actor): Promise<void> {
  const clock = new ManualClock(blockTime * 1000);
  for (const batch of await witnessRound(state.ledger, witness.key, { clock })) {
    await state.ledger.append(batch.event);
    const source = await nextAnchorBlock(state);
    const anchor = regtestAnchorOf(witness.key, batch.id, batch.commitment, blockTime, source);
    await state.ledger.appendBatch(anchor.events);
  }
}

/** The run's next anchor block: two heights above the last (each anchor block has one on top), filled from the seed. */
async function nextAnchorBlock(state: SimulationState): Promise<RegtestBlockSource> {
  let height = ANCHOR_HEIGHT;
  for await (const _ of state.ledger.events({ type: 'anchor.confirmed' })) height += 2;
  return { height, bytes: (label) => seededBytes(state.scenario.seed, label) };
}

/**
 * The anchor of a dispute's opening or answer, as the run's recorder puts it on regtest: its id committed in a block
 * at `blockTime` (see {@link anchorDecision}). An opening anchored the least answer period before its deadline can be
 * lost by default; an answer to it counts once anchored by 2 hours after the deadline.
 */
export async function anchorDisputeEvent(
  state: SimulationState,
  eventId: string,
  blockTime: number,
  recorder: Actor,
): Promise<void> {
  const source = await nextAnchorBlock(state);
  const anchor = regtestAnchorOf(recorder.key, eventId, disputeEventCommitment(eventId), blockTime, source);
  await state.ledger.appendBatch(anchor.events);
  // What measures the answer period is the opening's publication: the run's witness shows it in the same block.
  await witnessAt(state, blockTime, state.cast.custodian);
}

/**
 * `anchor.committed` and `anchor.confirmed`, signed by `recorder`, for the commitment of `proposalId` (as `ledger`
 * computes it) put in a regtest transaction and mined at `height` in a block of time `blockTime`, with one block on
 * top. `bytes(label)` gives the wallet key, the coin spent, the coinbase and the previous block (the run's seed in
 * the simulator, any fixed source in tests).
 */
export async function regtestAnchorEvents(
  ledger: Ledger,
  recorder: AgentKey,
  proposalId: string,
  blockTime: number,
  source: RegtestBlockSource,
): Promise<RegtestAnchor> {
  const { commitment, result } = await proposalCommitment(ledger, proposalId, blockTime);
  return regtestAnchorOf(recorder, proposalId, commitment, blockTime, source, anchoredVotes(result));
}

/** Where a regtest anchor block stands and what fills it (see {@link regtestAnchorEvents}). */
export interface RegtestBlockSource {
  readonly height: number;
  readonly bytes: (label: string) => Uint8Array;
}

/** The anchor events of one subject and what its transaction cost. */
export interface RegtestAnchor {
  readonly events: LedgerEvent[];
  readonly commitment: string;
  readonly txid: string;
  readonly feeSat: bigint;
}

/**
 * The anchor events of `commitment` for `subject` (a proposal, or a dispute opening with
 * `disputeEventCommitment`), mined as {@link regtestAnchorEvents} mines them; `named` the votes a proposal's anchor
 * names (`anchoredVotes`).
 */
export function regtestAnchorOf(
  recorder: AgentKey,
  subject: string,
  commitment: string,
  blockTime: number,
  source: RegtestBlockSource,
  named: { votes?: readonly string[] } = {},
): RegtestAnchor {
  const { height, bytes } = source;
  const transaction = buildAnchorTransaction({
    secretKey: bytes('anchor wallet'),
    chain: 'regtest',
    utxos: [{ txid: toHex(bytes(`anchor coin/${subject}`)), vout: 0, amountSat: ANCHOR_COIN_SAT }],
    commitment: fromHex(commitment),
    feeRate: ANCHOR_FEE_RATE,
  });
  const coinbase = toHex(bytes(`anchor coinbase/${height}`));
  const branch = merkleBranch([coinbase, transaction.txid], 1);
  const previous = toHex(bytes(`anchor previous/${height}`));
  const block = regtestHeader(previous, merkleRootFromBranch(transaction.txid, branch), blockTime);
  const next = regtestHeader(parseBlockHeader(block).hash, coinbase, blockTime + 600);
  const clock = new ManualClock(blockTime * 1000);
  const committed = createAnchorCommitted(
    recorder,
    { proposal: subject, commitment, txid: transaction.txid, chain: 'regtest', ...named },
    { clock },
  );
  const confirmed = createAnchorConfirmed(
    recorder,
    {
      committed: parseEnvelope(committed).id,
      proposal: subject,
      proof: { tx: transaction.hex, branch, height },
      headers: { [height]: block, [height + 1]: next },
    },
    { clock },
  );
  return { events: [committed, confirmed], commitment, txid: transaction.txid, feeSat: transaction.feeSat };
}
