// Attack (issue 15, part 4): `anchor.committed` claims `regtest`, whose least work is trivial; a self-mined regtest
// header "at height 1" then made a main-chain ledger report the proposal anchored at height 1 (2009).
import { describe, expect, it } from 'vitest';
import { anchorStatus, createAnchorCommitted, createAnchorConfirmed } from '../../src/anchor/index.js';
import { defaultRegistry } from '../../src/cli/home.js';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { closedProposal, forgedAnchor, NOW } from './anchor-fixture.js';

describe('attack: an anchor claiming regtest on a bitcoin ledger', () => {
  it('is refused: the chain is the ledger configuration, never the claim', async () => {
    const { ledger, proposalId, commitment } = await closedProposal(defaultRegistry());
    try {
      const attacker = generateAgentKey();
      const { tx, branch, headers } = forgedAnchor(commitment);
      const claim = createAnchorCommitted(attacker, {
        proposal: proposalId,
        commitment,
        txid: tx.txid,
        chain: 'regtest',
      });
      const committed = await ledger.append(claim).catch(() => undefined);
      if (committed !== undefined)
        await ledger
          .append(
            createAnchorConfirmed(attacker, {
              committed: committed.id,
              proposal: proposalId,
              proof: { tx: tx.hex, branch, height: 1 },
              headers: Object.fromEntries(headers.map((header, i) => [String(1 + i), header])),
            }),
          )
          .catch(() => undefined);
      expect((await anchorStatus(ledger, proposalId, NOW)).state).not.toBe('anchored');
      await rejectedAgoraError(ledger.append(claim), ErrorCode.InvalidEvent);
    } finally {
      await ledger.close();
    }
  });
});
