// Issue 17 review, the tally refusing a piece in a set >= k: a piece's `created` is not bound by its proof (an
// anonymous event has no signature), and the tally keeps, per nullifier, the vote with the lowest id. On a proposal
// with a late-quorum extension, `vote.cast` accepts a vote dated up to `closes + extension`, while the tally counts
// only votes before the (unextended) close. Anyone who sees a piece republishes it unchanged but dated in the
// extension, trying dates until the copy's id sorts below the original's (one try in two): the copy is the vote kept
// for that nullifier, and it is too late to count. The voter's piece is silently dropped; the same for every piece of
// every voter an observer chooses to censor. (Disputes were fixed for copies: `test/attacks/dispute-vote-copy.test.ts`.)
import { afterAll, describe, expect, it } from 'vitest';
import { tallyProposal } from '../../src/governance/index.js';
import { type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { lateQuorumLedger } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;

describe('attack: a copy of a piece dated in the late-quorum extension drops it from the tally (vote-piece-copy-late)', () => {
  afterAll(() => releaseCurve());

  it('the original piece, cast in time and hidden among nine members, is not counted once its copy is stored', async () => {
    const { prover, verifier } = await voteZk();
    const { voters, proposal, ledger, vote, closes, extension } = await lateQuorumLedger(verifier, NOW);
    try {
      const cast = await vote(prover, voters[1] as Voter, { choice: 'for' }, NOW + 10);
      expect(cast.pieces.length).toBe(1);
      const original = (cast.pieces[0] as (typeof cast.pieces)[number]).event;
      const originalId = parseEnvelope(original).id;
      await ledger.append(original);
      const before = await tallyProposal(ledger, proposal.id);
      expect(before.counted).toEqual([originalId]);
      expect(before.anonymity?.smallest).toBe(9);

      // The observer's copy: the same body and proof, dated in the extension, ground for a lower id.
      let copy: LedgerEvent | undefined;
      for (let t = closes; t < closes + extension && copy === undefined; t++) {
        const candidate = { ...original, created: t };
        if (parseEnvelope(candidate).id < originalId) copy = candidate;
      }
      await ledger.append(copy as LedgerEvent);

      const after = await tallyProposal(ledger, proposal.id);
      expect(after.counted, 'the piece cast in time is counted, whatever copies of it are stored').toEqual([
        originalId,
      ]);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
