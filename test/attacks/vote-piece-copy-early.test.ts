// Issue 17, second review, the earliest-dated rule: per nullifier the tally keeps the earliest-dated vote, and a
// piece's `created` is bound by nothing (an anonymous event has no signature, the proof does not cover it). The first
// review's copy was dated later; this one is dated EARLIER, anywhere from the window's opening. The ballot is the
// voter's, so the option totals do not move, but `votingCloses` sorts the kept votes by `created`: a copy of the piece
// that reached quorum late, dated before `closes - extension`, moves quorum out of the last stretch and cancels the
// late-quorum extension the ledger showed. Every vote cast in that extension (as `castPrivateVote` now allows, with
// the close the voter's tally showed) is then after the close and silently not counted. Anyone who sees the piece can
// do it, at any time until the tally is anchored, with no key and no grinding.
//
// Fixed where witnesses show publication: the tally takes `publication` (the anchoring layer's `publicationTimes`,
// passed down as governance takes it for the grace), keeps per nullifier the copy first published and dates every copy
// by the earliest publication of any: a copy made after the original was shown moves neither quorum nor the close.
// Here the witnesses' times are given as governance receives them (`test/anchor/witness.test.ts` and the dispute tests
// derive them from anchored `witness.batch` events). Without witnesses `created` is all there is: the copy still moves
// the close (checked below as the stated limit, docs/security.md).
import { afterAll, describe, expect, it } from 'vitest';
import { type DecisionAnchor, type Publication, tallyProposal } from '../../src/governance/index.js';
import { parseEnvelope } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { lateQuorumLedger } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;

/** A witness batch's anchor in a block of time `blockTime`, as `publicationTimes` reports it. */
const witnessBlock = (blockTime: number, n: number): DecisionAnchor => ({
  blockTime,
  height: 900_000 + n,
  confirmation: n.toString(16).padStart(64, '0'),
});

describe('attack: a copy of the quorum piece dated earlier cancels the late-quorum extension (vote-piece-copy-early)', () => {
  afterAll(() => releaseCurve());

  it('a vote cast in the extension the ledger showed stays counted once an earlier-dated copy is stored', async () => {
    const { prover, verifier } = await voteZk();
    const { voters, proposal, ledger, vote, closes, extension } = await lateQuorumLedger(verifier, NOW);
    try {
      // Quorum (one piece) is reached in the last stretch: voting is extended past the window's close.
      const late = await vote(prover, voters[1] as Voter, { choice: 'for' }, closes - 100);
      const quorumPiece = (late.pieces[0] as (typeof late.pieces)[number]).event;
      await ledger.append(quorumPiece);
      const quorumId = parseEnvelope(quorumPiece).id;
      // The witnesses list it in a block after its date, still in the last stretch. Its date is random (the client
      // spreads pieces over what is left of the window), so is the block's time: never before the date, since `vote`
      // casts the next piece within the close an unwitnessed tally shows (date plus extension), which must not pass
      // the close the witnessed tally shows.
      const shownAt = quorumPiece.created + Math.floor((closes - quorumPiece.created) / 2);
      const shown = new Map<string, DecisionAnchor>([[quorumId, witnessBlock(shownAt, 1)]]);
      const publication: Publication = { witnessed: true, at: (id) => shown.get(id) };
      const extended = await tallyProposal(ledger, proposal.id, { publication });
      expect(extended.closes).toBe(shownAt + extension);

      // Another voter casts in the extension, with the close its tally shows: counted.
      const inExtension = await vote(prover, voters[2] as Voter, { choice: 'against' }, closes + 10);
      const piece = (inExtension.pieces[0] as (typeof inExtension.pieces)[number]).event;
      expect(piece.created).toBeGreaterThanOrEqual(closes);
      await ledger.append(piece);
      const pieceId = parseEnvelope(piece).id;
      expect((await tallyProposal(ledger, proposal.id, { publication })).counted).toContain(pieceId);

      // The observer's copy of the quorum piece: same body and proof, dated just after the window opened, shown by the
      // witnesses in a later block (it was made after the original was public).
      const copy = { ...quorumPiece, created: NOW + 1 };
      expect(copy.created).toBeLessThan(closes - extension);
      await ledger.append(copy);
      const copyId = parseEnvelope(copy).id;
      shown.set(copyId, witnessBlock(closes + 300, 2));

      const after = await tallyProposal(ledger, proposal.id, { publication });
      expect(after.counted, 'the vote cast in the extension the ledger showed is still counted').toContain(
        pieceId,
      );
      expect(after.closes, 'a copy moves no close').toBe(extended.closes);
      expect(after.doubleVotes).toEqual([
        { nullifier: expect.any(String), kept: quorumId, evidence: [copyId] },
      ]);

      // A copy quick enough to be listed in the same witness batch shares its publication: still no close moves.
      shown.set(copyId, witnessBlock(shownAt, 1));
      const sameBatch = await tallyProposal(ledger, proposal.id, { publication });
      expect(sameBatch.closes).toBe(extended.closes);
      expect(sameBatch.counted).toContain(pieceId);

      // The stated limit: without witnesses the copy's date is all the tally has, and it cancels the extension.
      expect((await tallyProposal(ledger, proposal.id)).closes).toBe(closes);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
