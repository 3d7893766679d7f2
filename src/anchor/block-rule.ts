import {
  AgoraError,
  anchorConfirmations,
  type BitcoinNetwork,
  ErrorCode,
  isLowerHex,
} from '../core/index.js';
import type { Ledger, VerifyContext } from '../ledger/index.js';
import { type AnchorNetwork, anchorNetwork, assertOnVerifiedChain } from './anchor-events.js';
import { type BestChain, ledgerBestChain, settledBlockAt } from './best-chain.js';
import { checkHeaderChain } from './block-header.js';
import { POW_LIMIT_BITS } from './spv.js';

/**
 * Checks that `header` (80 bytes, hex) is the block at `height` and returns its hash (display hex). Throws
 * `INVALID_EVENT`/`INVALID_PROOF` for a header that is not of the chain, `MISSING_REFERENCE` while the ledger's
 * verified header chain does not reach `height` yet.
 */
export type BlockAtHeight = (header: string, height: number, context: VerifyContext) => Promise<string>;

/**
 * The anchoring layer's header rules as a {@link BlockAtHeight}, for events that take a block's hash as public
 * randomness (a dispute's juror draw): the header meets its chain's least work and, on a network with a checkpoint
 * (always `bitcoin`), stands at `height` on an `anchor.headers` run the ledger verified from the checkpoint, so its
 * hash is a real block's, not one mined for the purpose. Without a checkpoint (`regtest`, an unconfigured `signet`)
 * only the proof of work is checked: a test setting, no defense.
 *
 * On ingest a block of any verified fork passes: which chain is the heaviest depends on the runs a replica holds, so
 * refusing there would make replicas store different events depending on the order they came in. Which block seeds
 * the draw is decided on read, by {@link seedBlocks}.
 */
export function blockAtHeight(network: BitcoinNetwork | AnchorNetwork = 'bitcoin'): BlockAtHeight {
  const { chain, checkpoint } = anchorNetwork(network);
  return async (header, height, context) => {
    if (!isLowerHex(header, 80) || !Number.isSafeInteger(height) || height < 0)
      throw new AgoraError(ErrorCode.InvalidEvent, 'a block is an 80-byte header at a non-negative height');
    const [parsed] = checkHeaderChain([header], { powLimitBits: POW_LIMIT_BITS[chain] });
    if (checkpoint !== undefined)
      await assertOnVerifiedChain(context, { [height]: header }, checkpoint, 'block');
    return (parsed as { hash: string }).hash;
  };
}

/**
 * The seed blocks of juror draws as this ledger reads them at `now` (`readDispute`'s `seedBlocks`, given by
 * `disputeTimes`): the hash of the block at a height on the heaviest verified header chain ({@link bestChain}, the
 * rule anchors count by) once it has the network's confirmations there (`NetworkConfig.confirmations`, default 6 on
 * `bitcoin`); undefined below that depth, so a draw waits for its seed block to settle. A `dispute.drawn` naming
 * another block (a fork's, valid on ingest) is stored and never counted. A function of the ledger's events and `now`,
 * not of their order: a replica that saw a fork first reads the same draw as one that saw the heavier chain first,
 * once both hold both. A reorg deeper than the confirmations (a miner out-working the network that long) would move
 * the seed, as it would move anchors. Undefined on a ledger without a checkpoint (no verified chain: any header
 * meeting the proof of work is taken, the lowest hash counting; a test setting).
 */
export async function seedBlocks(
  ledger: Ledger,
  now: number,
  options: { bestChain?: BestChain } = {},
): Promise<((height: number) => string | undefined) | undefined> {
  if (!ledger.registry.types().includes('anchor.headers')) return undefined;
  const chain = options.bestChain ?? (await ledgerBestChain(ledger, now));
  const config = ledger.registry.network ?? { chain: 'bitcoin' as const };
  return settledBlockAt(chain, anchorConfirmations(config));
}

/**
 * The median time past of the settled tip of the heaviest verified header chain `ledger` holds at `now` (the block
 * with the network's confirmations, as {@link seedBlocks} counts them): every block not settled yet is dated after it,
 * so no anchor still to settle (a witness listing, an answer's anchor) is dated at or before it. What tells a reader
 * that a deadline measured in block times has seen every listing it can (`readDispute`'s `settledTime`). Minus
 * infinity while fewer than 11 blocks up to the settled tip are recorded (nothing measured in block times is past
 * yet); undefined on a ledger without a checkpoint (no chain is followed: `now` alone counts).
 */
export async function settledChainTime(
  ledger: Ledger,
  now: number,
  options: { bestChain?: BestChain } = {},
): Promise<number | undefined> {
  if (!ledger.registry.types().includes('anchor.headers')) return undefined;
  const chain = options.bestChain ?? (await ledgerBestChain(ledger, now));
  const config = ledger.registry.network ?? { chain: 'bitcoin' as const };
  const settled = chain?.medianTimePast(chain.tip.height - anchorConfirmations(config) + 1);
  return settled ?? Number.NEGATIVE_INFINITY;
}
