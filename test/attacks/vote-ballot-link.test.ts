// Issue 17 review: a voter's pieces are linked by their ballot. Every piece of one vote carries the same ballot in
// clear, and with `ranked`, `approval` or `weighted` counting (a ranking, a subset, a split in basis points) ballots
// are often unique to their voter. An observer groups the pieces by ballot and matches the group against what the
// public client rule makes each member cast: the group's denominations together are the voter's weight (rounded), and
// the set the tally reports per piece (>= k) says nothing about the set of the group. The anonymity set the issue asks
// for is taken "given everything public": the other pieces with the same ballot are public.
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/index.js';
import {
  choosePieceRule,
  DEFAULT_MIN_ANONYMITY,
  requiredAnonymity,
  tallyProposal,
  type VoteBody,
} from '../../src/governance/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { linkedCandidates, linkedSetSizes, paretoMembers, votingLedger } from './vote-observer-fixture.js';

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

  it('on a ledger, the tally reports every counted piece among >= k members, yet two ranked ballots that agree on the winner name a voter', async () => {
    const { prover, verifier } = await voteZk();
    // Eleven stakes: the top denomination (16) and every bit below it are held by at least 8 members, so every piece
    // of every member is cast and counted; but 30 = 16 + 8 + 4 + 2 is held by one member only.
    const stakes = [31n, 31n, 31n, 31n, 23n, 23n, 27n, 27n, 29n, 30n, 16n];
    const rule = { top: 4, floor: 0 };
    expect(
      choosePieceRule(
        stakes.map((weight, i) => ({ agent: `${i}`, weight })),
        8,
      ),
    ).toEqual(rule);
    const { electorate, voters, proposal, ledger, vote } = await votingLedger(
      stakes,
      {
        counting: 'ranked',
        window: { opens: NOW, closes: NOW + 3_600 },
        minAnonymity: DEFAULT_MIN_ANONYMITY,
        pieces: rule,
      },
      { verifier, created: NOW },
    );
    const members = electorate.snapshot.members;
    const k = requiredAnonymity(DEFAULT_MIN_ANONYMITY, members.length);
    try {
      // Both rank `for` first: the published tally (every round of the run-off) cannot tell them apart.
      const target = voters[9] as Voter;
      const other = voters[10] as Voter;
      for (const [voter, ranking] of [
        [target, ['for', 'against']],
        [other, ['for', 'abstain']],
      ] as const) {
        const cast = await vote(prover, voter, { ranking: [...ranking] }, NOW + 10);
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
