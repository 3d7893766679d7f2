import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isJsonObject,
  isLowerHex,
  type JsonObject,
} from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { type EventTypeDefinition, type LedgerEvent, signEvent } from '../ledger/index.js';
import type { BitcoinChain } from './anchor-transaction.js';
import type { BranchStep } from './block-header.js';
import { type TxProof, verifyAnchor } from './spv.js';

/** Body of `anchor.committed`: a transaction carrying a proposal's commitment was broadcast. */
export interface AnchorCommittedBody {
  readonly proposal: string;
  readonly commitment: string;
  readonly txid: string;
  readonly chain: BitcoinChain;
}

/** Body of `anchor.confirmed`: the SPV proof that the committed transaction is in a block, with the headers. */
export interface AnchorConfirmedBody {
  /** The `anchor.committed` event. */
  readonly committed: string;
  readonly proposal: string;
  readonly proof: TxProof;
  /** Height -> 80-byte header hex, from the anchor's block up. */
  readonly headers: Readonly<Record<string, string>>;
}

const CHAINS: readonly BitcoinChain[] = ['bitcoin', 'testnet', 'signet', 'regtest'];
const MAX_HEADERS = 144;

function invalid(type: string, message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `${type}: ${message}`);
}

/** `anchor.committed`: signed by the agent that broadcast it; names a stored proposal. Indexed under the proposal. */
export const anchorCommittedType: EventTypeDefinition = {
  type: 'anchor.committed',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['proposal', 'commitment', 'txid', 'chain']))
      invalid(event.type, 'body is {proposal, commitment, txid, chain}');
    if (!isLowerHex(body.proposal, 32) || !isLowerHex(body.commitment, 32) || !isLowerHex(body.txid, 32))
      invalid(event.type, 'proposal, commitment and txid are 32 bytes of hex');
    if (!CHAINS.includes(body.chain as BitcoinChain))
      invalid(event.type, `chain is one of ${CHAINS.join(', ')}`);
    if ((await context.get(body.proposal))?.type !== 'proposal.created')
      invalid(event.type, `no proposal ${body.proposal}`);
  },
  indexes: (event) => [['proposal', (event.body as unknown as AnchorCommittedBody).proposal]],
};

/**
 * `anchor.confirmed`: checked offline on ingest by SPV: the committed transaction (same txid) carries the commitment
 * and lies in the first header's block, the headers chain and carry their chain's work. Any agent may record it.
 */
export const anchorConfirmedType: EventTypeDefinition = {
  type: 'anchor.confirmed',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['committed', 'proposal', 'proof', 'headers']))
      invalid(event.type, 'body is {committed, proposal, proof, headers}');
    const { proof, headers } = body;
    if (!isLowerHex(body.committed, 32)) invalid(event.type, 'committed is an event id');
    const committed = await context.get(body.committed);
    if (committed?.type !== 'anchor.committed') invalid(event.type, `no anchor.committed ${body.committed}`);
    const anchor = committed.body as unknown as AnchorCommittedBody;
    if (body.proposal !== anchor.proposal) invalid(event.type, 'the proposal differs from the committed one');
    if (
      !isJsonObject(proof) ||
      !hasExactKeys(proof, ['tx', 'branch', 'height']) ||
      typeof proof.tx !== 'string' ||
      !Array.isArray(proof.branch) ||
      !Number.isSafeInteger(proof.height)
    )
      invalid(event.type, 'proof is {tx, branch, height}');
    if (
      !isJsonObject(headers) ||
      Object.keys(headers).length > MAX_HEADERS ||
      !Object.entries(headers).every(([height, header]) => /^\d+$/.test(height) && isLowerHex(header, 80))
    )
      invalid(event.type, `headers map up to ${MAX_HEADERS} heights to 80-byte headers`);
    const verified = verifyAnchor(
      {
        commitment: anchor.commitment,
        tx: proof.tx,
        branch: proof.branch as unknown as BranchStep[],
        height: proof.height as number,
      },
      Object.fromEntries(
        Object.entries(headers).map(([height, header]) => [Number(height), header as string]),
      ),
      { chain: anchor.chain },
    );
    if (verified.txid !== anchor.txid)
      invalid(event.type, 'the proof is for another transaction than the committed one');
  },
  indexes: (event) => [['proposal', (event.body as unknown as AnchorConfirmedBody).proposal]],
};

/** Both anchor event types, for a registry. */
export const anchorEventTypes: readonly EventTypeDefinition[] = [anchorCommittedType, anchorConfirmedType];

/** Signs an `anchor.committed` as the agent that broadcast the commitment. */
export function createAnchorCommitted(
  key: AgentKey,
  body: AnchorCommittedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(key, 'anchor.committed', body as unknown as JsonObject, options);
}

/** Signs an `anchor.confirmed` (any agent may record one). */
export function createAnchorConfirmed(
  key: AgentKey,
  body: AnchorConfirmedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(key, 'anchor.confirmed', JSON.parse(JSON.stringify(body)) as JsonObject, options);
}
