import { buildAnchorTransaction, proposalCommitment } from '../anchor/index.js';
import { fromHex, toHex } from '../core/index.js';
import { seededBytes } from './random.js';
import type { SimulationState } from './state.js';

/** The embedded coin the dry-run anchor spends, in sats. */
const ANCHOR_COIN_SAT = 100_000n;
/** The anchor transaction's fee rate, in sat/vB. */
const ANCHOR_FEE_RATE = 2;

/** The decision committed for Bitcoin. */
export interface AnchorOutcome {
  readonly proposal: string;
  readonly commitment: string;
  readonly txid: string;
  readonly feeSat: string;
}

/**
 * The anchor phase: the commitment of `proposalId` (its proposal, votes and tally as of `asOf`) put in a dry-run
 * regtest transaction spending a coin derived from the seed (nothing is broadcast).
 */
export async function anchorDecision(
  state: SimulationState,
  proposalId: string,
  asOf: number,
): Promise<AnchorOutcome> {
  const { seed } = state.scenario;
  const { commitment } = await proposalCommitment(state.ledger, proposalId, asOf);
  const transaction = buildAnchorTransaction({
    secretKey: seededBytes(seed, 'anchor wallet'),
    chain: 'regtest',
    utxos: [{ txid: toHex(seededBytes(seed, 'anchor coin')), vout: 0, amountSat: ANCHOR_COIN_SAT }],
    commitment: fromHex(commitment),
    feeRate: ANCHOR_FEE_RATE,
  });
  return { proposal: proposalId, commitment, txid: transaction.txid, feeSat: transaction.feeSat.toString() };
}
