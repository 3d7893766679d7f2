// Attack (issue 15, part 4): on `bitcoin`, a header was only checked for its own proof of work at difficulty 1
// (about 2^32 hashes to forge, minutes on a laptop). Mainnet headers must now stand on the chain from the shipped
// checkpoint, each with the nBits retargeting requires there (today's difficulty, not 1), and an anchor's block
// must be one of them.
import { describe, expect, it } from 'vitest';
import {
  createAnchorCommitted,
  createAnchorConfirmed,
  createAnchorHeaders,
  MAINNET_CHECKPOINT,
  parseBlockHeader,
} from '../../src/anchor/index.js';
import { defaultRegistry } from '../../src/cli/home.js';
import { ErrorCode, toHex } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { closedProposal, forgedAnchor } from './anchor-fixture.js';

/** `header` (hex) with its nBits set to difficulty 1, as a header forged with 2^32 hashes would carry. */
function atDifficultyOne(header: string): string {
  const bytes = Buffer.from(header, 'hex');
  bytes.writeUInt32LE(0x1d00ffff, 72);
  return toHex(bytes);
}

describe('attack: difficulty-1 headers on a bitcoin ledger', () => {
  it('are refused: they are not on the chain from the checkpoint at the difficulty retargeting requires', async () => {
    const { ledger, proposalId, commitment } = await closedProposal(defaultRegistry());
    try {
      const attacker = generateAgentKey();
      const { tx, branch, headers } = forgedAnchor(commitment, MAINNET_CHECKPOINT.hash);
      const cheap = headers.map(atDifficultyOne);
      // Extending the checkpoint at difficulty 1: retargeting requires the checkpoint's difficulty there.
      const extension = await rejectedAgoraError(
        ledger.append(
          createAnchorHeaders(attacker, {
            height: MAINNET_CHECKPOINT.height,
            headers: [MAINNET_CHECKPOINT.header, ...cheap],
            chainWork: '1',
          }),
        ),
        ErrorCode.InvalidEvent,
      );
      expect(extension.message).toMatch(/retargeting requires 1703e8b3/);
      // A confirmation whose block and confirmations are not on the verified chain, whatever their work.
      const { id: committed } = await ledger.append(
        createAnchorCommitted(attacker, {
          proposal: proposalId,
          commitment,
          txid: tx.txid,
          chain: 'bitcoin',
        }),
      );
      expect(parseBlockHeader(cheap[0] as string).bits).toBe(0x1d00ffff);
      await expect(
        ledger.append(
          createAnchorConfirmed(attacker, {
            committed,
            proposal: proposalId,
            proof: { tx: tx.hex, branch, height: 900_000 },
            headers: Object.fromEntries(cheap.map((header, i) => [String(900_000 + i), header])),
          }),
        ),
      ).rejects.toMatchObject({
        code: expect.stringMatching(/^(INVALID_PROOF|INVALID_EVENT|MISSING_REFERENCE)$/),
      });
    } finally {
      await ledger.close();
    }
  });
});
