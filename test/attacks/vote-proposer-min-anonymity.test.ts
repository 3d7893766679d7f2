// Issue 17 review: the anonymity a private vote gets is chosen by the proposer. `castPrivateVote` (and `agora vote`,
// the simulator) takes k from the proposal's `minAnonymity`, which any proposer may set to 1 (`agora proposal create
// --min-anonymity 1`): the default client then casts every piece above the floor, the rare ones that name their
// voter included, and says nothing. The issue allows the exact weight only as an explicit option with a warning; here
// the private default reveals it, silently, because the party a voter hides from wrote the proposal.
import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import {
  castPrivateVote,
  choosePieceRule,
  DEFAULT_MIN_ANONYMITY,
  proposalCreatedType,
  tallyProposal,
  voteCastType,
} from '../../src/governance/index.js';
import { EventRegistry, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import { electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';

const NOW = 1_800_000_000;

describe('attack: a proposal sets minAnonymity 1 and the private default names its voter (vote-proposer-min-anonymity)', () => {
  afterAll(() => releaseCurve());

  it('a member votes with the library default, no `exact`, and one of its counted pieces names it, without a warning', async () => {
    const { prover, verifier } = await voteZk();
    // 528 = 512 + 16, and no other member holds 16.
    const electorate = await stakedElectorate(
      [100n, 230n, 300n, 420n, 515n, 528n, 770n, 805n, 999n],
      NOW,
      NOW - 10,
    );
    const voters = electorate.voters as Voter[];
    const members = electorate.snapshot.members;
    const event = electorate.propose(voters[0] as Voter, NOW, {
      window: { opens: NOW, closes: NOW + 3_600 },
      minAnonymity: 1,
      pieces: choosePieceRule(members, 1),
    });
    const proposal = { id: parseEnvelope(event).id, event };
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]),
    });
    try {
      await ledger.appendBatch([...electorate.registrations, event]);
      const voter = voters[5] as Voter;
      const warnings: string[] = [];
      const cast = await castPrivateVote(prover, {
        proposal,
        ballot: { choice: 'against' },
        secret: voter.zk.secret,
        weight: voter.stake,
        path: electorate.path(voter),
        members,
        warn: (message) => warnings.push(message),
        clock: new ManualClock((NOW + 10) * 1000),
      });
      await ledger.appendBatch(cast.pieces.map((piece) => piece.event));
      const result = await tallyProposal(ledger, proposal.id);
      const ids = new Set(cast.pieces.map((piece) => parseEnvelope(piece.event).id));
      const sizes = (result.anonymity?.sets ?? []).filter((set) => ids.has(set.id)).map((set) => set.size);
      expect(sizes.length).toBe(2);
      const smallest = Math.min(...sizes);
      // The k: 8 by default, or every member of a smaller snapshot.
      const k = Math.min(DEFAULT_MIN_ANONYMITY, members.length);
      expect(
        smallest >= k || warnings.length > 0,
        `the private default cast a piece among ${smallest} member(s) and warned ${warnings.length} time(s)`,
      ).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
