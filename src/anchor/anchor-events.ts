import type { BitcoinNetwork } from '../core/index.js';
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
import {
  type EventTypeDefinition,
  type LedgerEvent,
  signEvent,
  type VerifyContext,
} from '../ledger/index.js';
import { type BranchStep, parseBlockHeader } from './block-header.js';
import {
  CHAIN_RULES,
  type Checkpoint,
  type HeaderRun,
  MAINNET_CHECKPOINT,
  RETARGET_INTERVAL,
  runStart,
  verifyHeaderRun,
} from './header-chain.js';
import { type TxProof, verifyAnchor } from './spv.js';
import { type WitnessBatchBody, witnessBatchCommitment } from './witness-batch.js';

/** Body of `anchor.committed`: a transaction carrying a proposal's commitment was broadcast. */
export interface AnchorCommittedBody {
  /** The anchored event: a proposal (its result is committed), or a dispute's opening or answer (its id is). */
  readonly proposal: string;
  readonly commitment: string;
  readonly txid: string;
  readonly chain: BitcoinNetwork;
  /**
   * The ids of the votes the commitment counts, sorted (the leaves after the result in `proposalCommitmentTree`):
   * what lets any replica recompute the commitment from those votes alone, whatever it received later. Absent (older
   * anchors, or more than {@link MAX_ANCHORED_VOTES}), the commitment matches only the tally of every stored vote.
   */
  readonly votes?: readonly string[];
}

/** The most vote ids an `anchor.committed` lists: they fit in an event (64 KiB) with room to spare. */
export const MAX_ANCHORED_VOTES = 900;

/** Body of `anchor.confirmed`: the SPV proof that the committed transaction is in a block, with the headers. */
export interface AnchorConfirmedBody {
  /** The `anchor.committed` event. */
  readonly committed: string;
  readonly proposal: string;
  readonly proof: TxProof;
  /** Height -> 80-byte header hex, from the anchor's block up. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Body of `anchor.headers`: a run of block headers extending the verified chain (see {@link HeaderRun}). */
export type AnchorHeadersBody = HeaderRun;

/**
 * The network a ledger anchors to: a configuration of the ledger, never an event's claim. `checkpoint` is where the
 * ledger's verified header chain starts: on `bitcoin` it is always set ({@link MAINNET_CHECKPOINT} unless given);
 * on `regtest` and `signet` it is optional (a test or operator's own block); `testnet` takes none.
 */
export interface AnchorNetwork {
  readonly chain: BitcoinNetwork;
  readonly checkpoint?: Checkpoint;
}

/** Whether `value` is a list of at most {@link MAX_ANCHORED_VOTES} event ids in strictly ascending order. */
function isVoteList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length <= MAX_ANCHORED_VOTES &&
    value.every((id, i) => isLowerHex(id, 32) && (i === 0 || (value[i - 1] as string) < id))
  );
}

const CHAINS: readonly BitcoinNetwork[] = ['bitcoin', 'testnet', 'signet', 'regtest'];
/**
 * The events an anchor may commit to: a proposal's result, a dispute's opening or answer, or a witness batch (its
 * ids: `witnessBatchCommitment`).
 */
const ANCHORED_TYPES: readonly string[] = [
  'proposal.created',
  'dispute.opened',
  'dispute.answered',
  'witness.batch',
];
const MAX_HEADERS = 144;

function invalid(type: string, message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `${type}: ${message}`);
}

/** What an event refers to is not stored yet: it waits, and importers retry it (never a verdict of arrival order). */
function missing(type: string, message: string): never {
  throw new AgoraError(ErrorCode.MissingReference, `${type}: ${message}`);
}

/** The network and checkpoint a configuration stands for; `INVALID_ARGUMENT` for one that cannot be verified. */
export function anchorNetwork(network: BitcoinNetwork | AnchorNetwork = 'bitcoin'): AnchorNetwork {
  const config = typeof network === 'string' ? { chain: network } : network;
  if (!CHAINS.includes(config.chain))
    throw new AgoraError(ErrorCode.InvalidArgument, `the network is one of ${CHAINS.join(', ')}`);
  const checkpoint = config.checkpoint ?? (config.chain === 'bitcoin' ? MAINNET_CHECKPOINT : undefined);
  if (checkpoint === undefined) return { chain: config.chain };
  if (config.chain === 'testnet')
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      "testnet's minimum-difficulty blocks are not verified: no checkpoint",
    );
  if (parseBlockHeader(checkpoint.header).hash !== checkpoint.hash)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'the checkpoint header does not hash to the checkpoint hash',
    );
  // The median time past of a block is at most its own time (the median of a span it belongs to, each time added
  // above the median before): a larger one is a misconfiguration that would refuse the real chain.
  const { medianTimePast } = checkpoint;
  if (
    medianTimePast !== undefined &&
    (!Number.isSafeInteger(medianTimePast) || medianTimePast > parseBlockHeader(checkpoint.header).time)
  )
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      "the checkpoint's median time past is whole seconds, at most its header's time",
    );
  // Retargeting needs the time of a period's first block: a retargeting chain's checkpoint is one.
  if (CHAIN_RULES[config.chain].retargets && checkpoint.height % RETARGET_INTERVAL !== 0)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'the checkpoint is the first block of a difficulty period',
    );
  return { chain: config.chain, checkpoint };
}

/** The verified run starting at `start` whose last header has hash `hash`, if the ledger holds one. */
async function storedRun(context: VerifyContext, start: number, find: (run: HeaderRun) => boolean) {
  for (const event of await context.byIndex('anchor.headers', String(start))) {
    const run = event.body as unknown as HeaderRun;
    if (find(run)) return run;
  }
  return undefined;
}

/**
 * `anchor.headers`: a run of headers that extends the ledger's verified chain from the checkpoint, checked on ingest
 * by {@link verifyHeaderRun}. Any agent may record one; forks are kept, each costing real work. Indexed by the
 * height it starts at.
 */
function anchorHeadersType(chain: BitcoinNetwork, checkpoint: Checkpoint): EventTypeDefinition {
  return {
    type: 'anchor.headers',
    auth: 'signature',
    async verify(event, context) {
      const body = event.body;
      if (!isJsonObject(body) || !hasExactKeys(body, ['height', 'headers', 'chainWork']))
        invalid(event.type, 'body is {height, headers, chainWork}');
      if (
        !Number.isSafeInteger(body.height) ||
        !Array.isArray(body.headers) ||
        body.headers.length > RETARGET_INTERVAL ||
        !body.headers.every((header) => isLowerHex(header, 80)) ||
        typeof body.chainWork !== 'string' ||
        !/^(0|[1-9]\d*)$/.test(body.chainWork)
      )
        invalid(event.type, `height, up to ${RETARGET_INTERVAL} 80-byte headers, chainWork in decimal`);
      const run = body as unknown as HeaderRun;
      const first = parseBlockHeader(run.headers[0] ?? '');
      const parent =
        run.height > checkpoint.height
          ? await storedRun(
              context,
              runStart(run.height - 1, checkpoint),
              (p) =>
                p.height + p.headers.length === run.height &&
                parseBlockHeader(p.headers[p.headers.length - 1] as string).hash === first.previousBlock,
            )
          : undefined;
      if (run.height > checkpoint.height && parent === undefined)
        missing(event.type, `no verified run of headers ends where this one starts, at ${run.height}`);
      try {
        verifyHeaderRun(run, parent, chain, checkpoint);
      } catch (error) {
        invalid(event.type, (error as Error).message);
      }
    },
    indexes: (event) => [['anchor.headers', String((event.body as unknown as HeaderRun).height)]],
  };
}

/**
 * Throws unless each of `headers` (height -> header hex) stands at its height in a header run the ledger verified:
 * the block is then where the chain from the checkpoint puts it, with the work that chain carries.
 */
export async function assertOnVerifiedChain(
  context: VerifyContext,
  headers: Readonly<Record<number, string>>,
  checkpoint: Checkpoint,
  type: string,
): Promise<void> {
  for (const [key, header] of Object.entries(headers)) {
    const height = Number(key);
    if (height < checkpoint.height)
      invalid(type, `block ${height} is below the checkpoint at ${checkpoint.height}`);
    const start = runStart(height, checkpoint);
    const run = await storedRun(context, start, (r) => r.headers[height - start] === header);
    if (run === undefined)
      missing(
        type,
        `block ${height} is not on the header chain verified from the checkpoint (record anchor.headers)`,
      );
  }
}

/**
 * The anchor event types for a ledger anchoring to `network` (default `bitcoin`):
 * - `anchor.committed` (signed by the agent that broadcast it; names a stored proposal, dispute opening or answer, or
 *   witness batch, whose ids it must commit to; indexed under it)
 *   must name the configured chain: a `regtest` claim on a `bitcoin` ledger is refused;
 * - `anchor.confirmed` is checked offline on ingest by SPV: the committed transaction (same txid) carries the
 *   commitment and lies in the first header's block, and the headers chain. With a checkpoint (always on `bitcoin`)
 *   every one of its headers must also stand at its height on the chain of `anchor.headers` runs verified from the
 *   checkpoint, so its height and confirmations are positions on that chain, not claims. Without one (`regtest`,
 *   `testnet`, `signet` unconfigured) headers only meet their chain's least work: fine for tests, no defense.
 * - `anchor.headers` (with a checkpoint only) records the verified header chain.
 */
export function anchorEventTypes(network: BitcoinNetwork | AnchorNetwork = 'bitcoin'): EventTypeDefinition[] {
  const { chain, checkpoint } = anchorNetwork(network);
  const committedType: EventTypeDefinition = {
    type: 'anchor.committed',
    auth: 'signature',
    async verify(event, context) {
      const body = event.body;
      const keys = ['proposal', 'commitment', 'txid', 'chain'];
      if (!isJsonObject(body) || !(hasExactKeys(body, keys) || hasExactKeys(body, [...keys, 'votes'])))
        invalid(event.type, 'body is {proposal, commitment, txid, chain, votes?}');
      if (!isLowerHex(body.proposal, 32) || !isLowerHex(body.commitment, 32) || !isLowerHex(body.txid, 32))
        invalid(event.type, 'proposal, commitment and txid are 32 bytes of hex');
      if (body.votes !== undefined && !isVoteList(body.votes))
        invalid(event.type, `votes lists up to ${MAX_ANCHORED_VOTES} event ids, sorted, each once`);
      if (body.chain !== chain)
        invalid(event.type, `this ledger anchors to ${chain}, not ${String(body.chain)}`);
      const proposal = await context.get(body.proposal);
      if (proposal === undefined) missing(event.type, `no proposal ${body.proposal} yet`);
      // A dispute's opening and answer are anchored too: their blocks' times measure the answer period (see
      // `disputeAnchors`).
      if (!ANCHORED_TYPES.includes(proposal.type))
        invalid(
          event.type,
          `${body.proposal} is not a proposal, a dispute opening, an answer or a witness batch`,
        );
      // A witness batch's anchor commits to its listed ids: any other commitment anchors something else.
      if (
        proposal.type === 'witness.batch' &&
        body.commitment !== witnessBatchCommitment(proposal.body as unknown as WitnessBatchBody)
      )
        invalid(event.type, `the commitment is not the root of witness batch ${body.proposal}'s ids`);
    },
    indexes: (event) => [['proposal', (event.body as unknown as AnchorCommittedBody).proposal]],
  };
  const confirmedType: EventTypeDefinition = {
    type: 'anchor.confirmed',
    auth: 'signature',
    async verify(event, context) {
      const body = event.body;
      if (!isJsonObject(body) || !hasExactKeys(body, ['committed', 'proposal', 'proof', 'headers']))
        invalid(event.type, 'body is {committed, proposal, proof, headers}');
      const { proof, headers } = body;
      if (!isLowerHex(body.committed, 32)) invalid(event.type, 'committed is an event id');
      const committed = await context.get(body.committed);
      if (committed === undefined) missing(event.type, `no anchor.committed ${body.committed} yet`);
      if (committed.type !== 'anchor.committed')
        invalid(event.type, `${body.committed} is not an anchor.committed`);
      const anchor = committed.body as unknown as AnchorCommittedBody;
      if (body.proposal !== anchor.proposal)
        invalid(event.type, 'the proposal differs from the committed one');
      // Stored before this ledger was configured for its network, perhaps: the chain is still the ledger's.
      if (anchor.chain !== chain) invalid(event.type, `this ledger anchors to ${chain}, not ${anchor.chain}`);
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
      const run = Object.fromEntries(
        Object.entries(headers).map(([height, header]) => [Number(height), header as string]),
      );
      const verified = verifyAnchor(
        {
          commitment: anchor.commitment,
          tx: proof.tx,
          branch: proof.branch as unknown as BranchStep[],
          height: proof.height as number,
        },
        run,
        { chain },
      );
      if (verified.txid !== anchor.txid)
        invalid(event.type, 'the proof is for another transaction than the committed one');
      if (checkpoint !== undefined) await assertOnVerifiedChain(context, run, checkpoint, event.type);
    },
    indexes: (event) => [['proposal', (event.body as unknown as AnchorConfirmedBody).proposal]],
  };
  return checkpoint === undefined
    ? [committedType, confirmedType]
    : [committedType, confirmedType, anchorHeadersType(chain, checkpoint)];
}

/** Signs an `anchor.committed` as the agent that broadcast the commitment. */
export function createAnchorCommitted(
  key: AgentKey,
  body: AnchorCommittedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  // A `votes: undefined` is no list: the event is the older form, without the key.
  const { votes, ...rest } = body;
  return signEvent(
    key,
    'anchor.committed',
    (votes === undefined ? rest : body) as unknown as JsonObject,
    options,
  );
}

/** Signs an `anchor.confirmed` (any agent may record one). */
export function createAnchorConfirmed(
  key: AgentKey,
  body: AnchorConfirmedBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(key, 'anchor.confirmed', JSON.parse(JSON.stringify(body)) as JsonObject, options);
}

/** Signs an `anchor.headers` run (any agent may record one). */
export function createAnchorHeaders(
  key: AgentKey,
  body: AnchorHeadersBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signEvent(
    key,
    'anchor.headers',
    { ...body, headers: [...body.headers] } as unknown as JsonObject,
    options,
  );
}
