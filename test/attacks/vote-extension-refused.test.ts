// Issue 17 review, the default helper: a late quorum extends voting past `window.closes` (`votingCloses`), and
// `vote.cast` takes votes dated up to `closes + lateQuorumExtension`, but `castPrivateVote` spreads pieces over
// `window.closes` only and refuses to cast once it has passed (`publicationTimes`: "the voting window has closed").
// While the tally still counts votes, `agora vote` and the library's helper cannot cast one.
// Fixed: `castPrivateVote` takes the close the caller's tally shows (`closes`; `agora vote` and the fixture pass it)
// and spreads the pieces over what is left of the extension; a close no extension can set, or one passed, is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { castPrivateVote, DEFAULT_MIN_ANONYMITY, tallyProposal } from '../../src/governance/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';
import { votingLedger } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;

describe('attack: the default helper refuses to vote during a late-quorum extension (vote-extension-refused)', () => {
  afterAll(() => releaseCurve());

  it('voting is extended by a late quorum, yet a member casting inside the extension is refused', async () => {
    const { prover, verifier } = await voteZk();
    const closes = NOW + 3_600;
    const extension = 600;
    const { voters, proposal, ledger, vote } = await votingLedger(
      Array(9).fill(64n),
      {
        window: { opens: NOW, closes },
        lateQuorumExtension: extension,
        minAnonymity: DEFAULT_MIN_ANONYMITY,
        pieces: { top: 6, floor: 0 },
      },
      { verifier, created: NOW },
    );
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

  it('spreads the pieces over what is left of the extension, and refuses a close no extension sets or one passed', async () => {
    const { prover, verifier } = await voteZk();
    const closes = NOW + 3_600;
    const extension = 600;
    const { voters, proposal, ledger, electorate } = await votingLedger(
      Array(9).fill(64n),
      {
        window: { opens: NOW, closes },
        lateQuorumExtension: extension,
        minAnonymity: 1,
        pieces: { top: 6, floor: 0 },
      },
      { verifier, created: NOW },
    );
    const voter = voters[2] as Voter;
    const at = (now: number, extended: number) =>
      castPrivateVote(prover, {
        proposal,
        ballot: { choice: 'for' },
        secret: voter.zk.secret,
        weight: voter.stake,
        path: electorate.path(voter),
        members: electorate.snapshot.members,
        closes: extended,
        clock: new ManualClock(now * 1000),
      });
    try {
      const cast = await at(closes + 5, closes + 300);
      for (const piece of cast.pieces) {
        expect(piece.publishAt).toBeGreaterThanOrEqual(closes + 5);
        expect(piece.publishAt).toBeLessThan(closes + 300);
      }
      // Beyond the longest extension, or before the window's close: no extension sets such a close.
      await rejectedAgoraError(at(closes - 10, closes + extension + 1), ErrorCode.InvalidArgument);
      await rejectedAgoraError(at(closes - 10, closes - 1), ErrorCode.InvalidArgument);
      // The extension over, or none in effect (the default close) once the window has closed.
      const over = await rejectedAgoraError(at(closes + 300, closes + 300), ErrorCode.InvalidState);
      expect(over.message).toMatch(/closed at/);
      const none = await rejectedAgoraError(
        castPrivateVote(prover, {
          proposal,
          ballot: { choice: 'for' },
          secret: voter.zk.secret,
          weight: voter.stake,
          path: electorate.path(voter),
          members: electorate.snapshot.members,
          clock: new ManualClock((closes + 5) * 1000),
        }),
        ErrorCode.InvalidState,
      );
      expect(none.message).toMatch(/late quorum extends it to at most/);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
