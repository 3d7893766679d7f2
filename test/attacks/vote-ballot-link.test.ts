// Issue 17 review: a voter's pieces are linked by their ballot. Every piece of one vote carries the same ballot in
// clear, and with `ranked`, `approval` or `weighted` counting (a ranking, a subset, a split in basis points) ballots
// are often unique to their voter. An observer groups the pieces by ballot and matches the group against what the
// public client rule makes each member cast: the group's denominations together are the voter's weight (rounded), and
// the set the tally reports per piece (>= k) says nothing about the set of the group. The anonymity set the issue asks
// for is taken "given everything public": the other pieces with the same ballot are public.
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, ManualClock } from '../../src/core/index.js';
import {
  castPrivateVote,
  choosePieceRule,
  DEFAULT_MIN_ANONYMITY,
  proposalCreatedType,
  requiredAnonymity,
  tallyProposal,
  type VoteBody,
  voteCastType,
} from '../../src/governance/index.js';
import { EventRegistry, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import { electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { linkedCandidates, linkedSetSizes, paretoMembers } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;

describe('attack: the pieces of one vote linked by their ballot (vote-ballot-link)', () => {
  afterAll(() => releaseCurve());

  it('with distinct ballots, many voters of a 1,000-member Pareto snapshot are named by their pieces together', () => {
    const members = paretoMembers(1_000, 'r17 ballot link');
    const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, members.length);
    const rule = choosePieceRule(members, k);
    const sizes = linkedSetSizes(members, rule, k);
    // Each piece alone hides among k or more (what the tally checks); a voter's pieces together, once its ballot has
    // linked them, hide among the members whose client rule casts the same denominations: for 389 of the 1,000
    // members fewer than 8, and 108 of them are the only one.
    const exposed = sizes.filter((size) => size < k).length;
    expect(exposed, 'members named among fewer than k once their pieces are linked').toBe(0);
  });

  describe('on a ledger', () => {
    // Eleven stakes: the top denomination (16) and every bit below it are held by at least 8 members, so every piece
    // of every member is cast and counted; but 30 = 16 + 8 + 4 + 2 is held by one member only.
    const stakes = [31n, 31n, 31n, 31n, 23n, 23n, 27n, 27n, 29n, 30n, 16n];

    let electorate: Awaited<ReturnType<typeof stakedElectorate>>;
    beforeAll(async () => {
      electorate = await stakedElectorate(stakes, NOW, NOW - 10);
    }, 60_000);

    it('the tally reports every counted piece among >= k members, yet two ranked ballots that agree on the winner name a voter', async () => {
      const { prover, verifier } = await voteZk();
      const voters = electorate.voters as Voter[];
      const members = electorate.snapshot.members;
      const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, members.length);
      const rule = choosePieceRule(members, k);
      expect(rule).toEqual({ top: 4, floor: 0 });
      const event = electorate.propose(voters[0] as Voter, NOW, {
        counting: 'ranked',
        window: { opens: NOW, closes: NOW + 3_600 },
        minAnonymity: DEFAULT_MIN_ANONYMITY,
        pieces: rule,
      });
      const proposal = { id: parseEnvelope(event).id, event };
      const ledger = await Ledger.fromLevel(new MemoryLevel(), {
        registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]),
      });
      try {
        await ledger.appendBatch([...electorate.registrations, event]);
        // Both rank `for` first: the published tally (every round of the run-off) cannot tell them apart.
        const target = voters[9] as Voter;
        const other = voters[10] as Voter;
        for (const [voter, ranking] of [
          [target, ['for', 'against']],
          [other, ['for', 'abstain']],
        ] as const) {
          const cast = await castPrivateVote(prover, {
            proposal,
            ballot: { ranking: [...ranking] },
            secret: voter.zk.secret,
            weight: voter.stake,
            path: electorate.path(voter),
            members,
            clock: new ManualClock((NOW + 10) * 1000),
          });
          await ledger.appendBatch(cast.pieces.map((piece) => piece.event));
        }
        const result = await tallyProposal(ledger, proposal.id);
        const required = result.anonymity?.required as number;
        expect(result.anonymity?.smallest).toBeGreaterThanOrEqual(required);
        expect(result.counted.length).toBe(5);

        // The observer: counted pieces grouped by ballot, each group matched against the client rule's casts.
        const groups = new Map<string, bigint[]>();
        const counted = new Set(result.counted);
        for await (const { id, event: stored } of ledger.byIndex('proposal', proposal.id)) {
          if (stored.type !== 'vote.cast' || !counted.has(id)) continue;
          const body = stored.body as unknown as VoteBody;
          const key = canonicalJson(body.ballot);
          groups.set(key, [...(groups.get(key) ?? []), BigInt(body.votingWeight)]);
        }
        const sets = [...groups.values()].map((group) => linkedCandidates(members, rule, k, group));
        // The group of four pieces (16, 8, 4, 2) has one candidate, the target: its ballot is known.
        expect(
          Math.min(...sets.map((set) => set.length)),
          'smallest anonymity set of a counted piece, given the other pieces with its ballot',
        ).toBeGreaterThanOrEqual(required);
        expect(sets).toContainEqual([target.key.id]);
      } finally {
        await ledger.close();
      }
    }, 600_000);
  });
});
