// Attack (issue 15, part 4): the lowest claimed height won. The height in an `anchor.confirmed` proof only said
// which header to look at, so the very block of an honest confirmation, relabeled "height 1", made the ledger
// report the proposal anchored at height 1. Heights are now positions on the header chain verified from the
// checkpoint, and the earliest verified confirmation counts.

import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  anchorEventTypes,
  anchorStatus,
  blockWork,
  type Checkpoint,
  createAnchorCommitted,
  createAnchorConfirmed,
  createAnchorHeaders,
  parseBlockHeader,
} from '../../src/anchor/index.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { proposalCreatedType } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry } from '../../src/ledger/index.js';
import { mineHeader } from '../anchor/regtest-chain.js';
import { electorateTypes } from '../fixtures/electorate.js';
import { rejectedAgoraError } from '../helpers.js';
import { closedProposal, forgedAnchor, NOW } from './anchor-fixture.js';

describe('attack: an honest block relabeled with a lower height', () => {
  it('is refused; the confirmation counts at the position its block holds on the verified chain', async () => {
    // A regtest network configured with its own checkpoint: the same rules mainnet's shipped checkpoint enforces.
    const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('checkpoint'))), 1_231_006_000);
    const checkpoint: Checkpoint = {
      height: 100,
      hash: parseBlockHeader(top).hash,
      header: top,
      chainWork: 1000n,
    };
    const registry = new EventRegistry([
      ...electorateTypes,
      proposalCreatedType,
      ...anchorEventTypes({ chain: 'regtest', checkpoint }),
    ]);
    const { ledger, proposalId, commitment } = await closedProposal(registry);
    try {
      const agent = generateAgentKey();
      const { tx, branch, headers } = forgedAnchor(commitment, checkpoint.hash);
      await ledger.append(
        createAnchorHeaders(agent, {
          height: 100,
          headers: [top, ...headers],
          chainWork: (1000n + 3n * blockWork(0x207fffff)).toString(),
        }),
      );
      const { id: committed } = await ledger.append(
        createAnchorCommitted(agent, { proposal: proposalId, commitment, txid: tx.txid, chain: 'regtest' }),
      );
      const confirmation = (height: number) =>
        createAnchorConfirmed(agent, {
          committed,
          proposal: proposalId,
          proof: { tx: tx.hex, branch, height },
          headers: Object.fromEntries(headers.map((header, i) => [String(height + i), header])),
        });
      await ledger.append(confirmation(101));
      // The same block claimed lower: below the checkpoint, or at a height the chain gives another block.
      await rejectedAgoraError(ledger.append(confirmation(1)), ErrorCode.InvalidEvent);
      // Not on the verified chain at 100: it waits for a run that would put it there, and is never stored.
      await rejectedAgoraError(ledger.append(confirmation(100)), ErrorCode.MissingReference);
      const status = await anchorStatus(ledger, proposalId, NOW, { network: 'regtest' });
      expect(status.state).toBe('anchored');
      expect(status.confirmed?.proof.height).toBe(101);
    } finally {
      await ledger.close();
    }
  });
});
