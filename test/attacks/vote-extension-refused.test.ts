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
const CLOSES = NOW + 3_600;
const EXTENSION = 600;

/** Nine members of 64 each (one piece), quorum 10 %, a late-quorum extension of ten minutes. */
async function extensible(minAnonymity: number) {
  const { prover, verifier } = await voteZk();
  const voting = await votingLedger(
    Array(9).fill(64n),
    {
      window: { opens: NOW, closes: CLOSES },
      lateQuorumExtension: EXTENSION,
      minAnonymity,
      pieces: { top: 6, floor: 6 },
    },
    { verifier, created: NOW },
  );
  return { prover, ...voting };
}

describe('attack: the default helper refuses to vote during a late-quorum extension (vote-extension-refused)', () => {
  afterAll(() => releaseCurve());

  it('voting is extended by a late quorum, yet a member casting inside the extension is refused', async () => {
    const { prover, voters, proposal, ledger, vote } = await extensible(DEFAULT_MIN_ANONYMITY);
    try {
      // One piece of 64 of 576 (quorum 10 %), cast 20 seconds before the close: quorum reached late.
      const first = await vote(prover, voters[1] as Voter, { choice: 'for' }, CLOSES - 20);
      await ledger.appendBatch(first.pieces.map((piece) => piece.event));
      const extended = (await tallyProposal(ledger, proposal.id)).closes;
      expect(extended).toBeGreaterThan(CLOSES);
      // A member casts while voting is still open.
      const castAt = CLOSES + 5;
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
    const { prover, voters, proposal, ledger, electorate } = await extensible(1);
    const voter = voters[2] as Voter;
    // Cast at `now`, with the close the caller's tally shows (none: the default, `window.closes`).
    const at = (now: number, closes?: number) =>
      castPrivateVote(prover, {
        proposal,
        ballot: { choice: 'for' },
        secret: voter.zk.secret,
        weight: voter.stake,
        path: electorate.path(voter),
        members: electorate.snapshot.members,
        ...(closes === undefined ? {} : { closes }),
        clock: new ManualClock(now * 1000),
      });
    try {
      const cast = await at(CLOSES + 5, CLOSES + 300);
      for (const piece of cast.pieces) {
        expect(piece.publishAt).toBeGreaterThanOrEqual(CLOSES + 5);
        expect(piece.publishAt).toBeLessThan(CLOSES + 300);
      }
      // Beyond the longest extension, or before the window's close: no extension sets such a close.
      await rejectedAgoraError(at(CLOSES - 10, CLOSES + EXTENSION + 1), ErrorCode.InvalidArgument);
      await rejectedAgoraError(at(CLOSES - 10, CLOSES - 1), ErrorCode.InvalidArgument);
      // The extension over, or none in effect (the default close) once the window has closed.
      const over = await rejectedAgoraError(at(CLOSES + 300, CLOSES + 300), ErrorCode.InvalidState);
      expect(over.message).toMatch(/closed at/);
      const none = await rejectedAgoraError(at(CLOSES + 5), ErrorCode.InvalidState);
      expect(none.message).toMatch(/late quorum extends it to at most/);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
