// Issue 17 review: the anonymity a private vote gets is chosen by the proposer. `castPrivateVote` (and `agora vote`,
// the simulator) takes k from the proposal's `minAnonymity`, which any proposer may set to 1 (`agora proposal create
// --min-anonymity 1`): the default client then casts every piece above the floor, the rare ones that name their
// voter included, and says nothing. The issue allows the exact weight only as an explicit option with a warning; here
// the private default reveals it, silently, because the party a voter hides from wrote the proposal.
import { afterAll, describe, expect, it } from 'vitest';
import { choosePieceRule, DEFAULT_MIN_ANONYMITY, tallyProposal } from '../../src/governance/index.js';
import { parseEnvelope } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { votingLedger } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;

describe('attack: a proposal sets minAnonymity 1 and the private default names its voter (vote-proposer-min-anonymity)', () => {
  afterAll(() => releaseCurve());

  it('a member votes with the library default, no `exact`, and one of its counted pieces names it, without a warning', async () => {
    const { prover, verifier } = await voteZk();
    // 528 = 512 + 16, and no other member holds 16.
    const stakes = [100n, 230n, 300n, 420n, 515n, 528n, 770n, 805n, 999n];
    const members = stakes.map((weight, i) => ({ agent: `${i}`, weight }));
    const { electorate, voters, proposal, ledger, vote } = await votingLedger(
      stakes,
      { window: { opens: NOW, closes: NOW + 3_600 }, minAnonymity: 1, pieces: choosePieceRule(members, 1) },
      { verifier, created: NOW },
    );
    try {
      const warnings: string[] = [];
      const cast = await vote(prover, voters[5] as Voter, { choice: 'against' }, NOW + 10, (message) =>
        warnings.push(message),
      );
      await ledger.appendBatch(cast.pieces.map((piece) => piece.event));
      const result = await tallyProposal(ledger, proposal.id);
      const ids = new Set(cast.pieces.map((piece) => parseEnvelope(piece.event).id));
      const sizes = (result.anonymity?.sets ?? []).filter((set) => ids.has(set.id)).map((set) => set.size);
      expect(sizes.length).toBe(cast.pieces.length);
      // The k: 8 by default, or every member of a smaller snapshot. The voter keeps its own k: 528 = 512 + 16
      // has no denomination 8 members hold, so nothing is cast, and nothing names it.
      const k = Math.min(DEFAULT_MIN_ANONYMITY, electorate.snapshot.members.length);
      expect(
        sizes.every((size) => size >= k) || warnings.length > 0,
        `the private default cast a piece among ${Math.min(...sizes)} member(s) and warned ${warnings.length} time(s)`,
      ).toBe(true);
      expect(cast.dropped).toBe(528n);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
