import { AgoraError, type BitcoinNetwork, ErrorCode, isLowerHex } from '../core/index.js';
import type { VerifyContext } from '../ledger/index.js';
import { type AnchorNetwork, anchorNetwork, assertOnVerifiedChain } from './anchor-events.js';
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
 * (always `bitcoin`), stands at `height` on the `anchor.headers` chain the ledger verified from the checkpoint, so its
 * hash is the real block's, not one mined for the purpose. Without a checkpoint (`regtest`, an unconfigured `signet`)
 * only the proof of work is checked: a test setting, no defense.
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
