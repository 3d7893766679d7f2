// Issue 17 review, the default helper: a late quorum extends voting past `window.closes` (`votingCloses`), and
// `vote.cast` takes votes dated up to `closes + lateQuorumExtension`, but `castPrivateVote` spreads pieces over
// `window.closes` only and refuses to cast once it has passed (`publicationTimes`: "the voting window has closed").
// While the tally still counts votes, `agora vote` and the library's helper cannot cast one.
import { afterAll, describe, expect, it } from 'vitest';
import { tallyProposal } from '../../src/governance/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { lateQuorumLedger } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;

describe('attack: the default helper refuses to vote during a late-quorum extension (vote-extension-refused)', () => {
  afterAll(() => releaseCurve());

  it('voting is extended by a late quorum, yet a member casting inside the extension is refused', async () => {
    const { prover, verifier } = await voteZk();
    const { voters, proposal, ledger, vote, closes } = await lateQuorumLedger(verifier, NOW);
    try {
      // One piece of 64 of 576 (quorum 10 %), cast 20 seconds before the close: quorum reached late.
      const first = await vote(prover, voters[1] as Voter, { choice: 'for' }, closes - 20);
      await ledger.appendBatch(first.pieces.map((piece) => piece.event));
      const extended = (await tallyProposal(ledger, proposal.id)).closes;
      expect(extended).toBeGreaterThan(closes);
      // A member casts while voting is still open.
      const castAt = closes + 5;
      expect(castAt).toBeLessThan(extended);
      const late = await vote(prover, voters[2] as Voter, { choice: 'against' }, castAt).then(
        (cast) => cast.pieces.length,
        (error: Error) => error.message,
      );
      expect(late, 'pieces cast by the default helper while voting is extended').toBe(1);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
