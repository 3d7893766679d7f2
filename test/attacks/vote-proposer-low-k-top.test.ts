// Issue 17, second review, the voter's own k against the proposal's: the first review's fix lets a voter keep k = 8
// when a proposal asks `minAnonymity: 1`, and recomputes the piece rule in the snapshot check. But the rule is
// recomputed at the PROPOSAL's k: at 1, `top` is the richest member's highest bit, which no 8 members share. A voter
// keeping k = 8 then casts only the bits at least 8 members hold, and its weight above the rare high bits is not
// cast at all (under the k = 8 rule the same weight goes out as many top pieces, all counted). The proposer picks: the
// heavy voters who keep the default are cut to a sliver of their weight, those who follow the proposal are named. On
// 50 Pareto members: 37 % of the snapshot weight countable instead of 99.6 %, the heaviest member 1.9 % of its weight.
//
// Fixed: `proposalPieceRule` (what `draftProposal` writes and the snapshot check recomputes) is computed at the larger
// of the proposal's k and the default: a proposal asking less only lets the tally count smaller sets.
import { afterAll, describe, expect, it } from 'vitest';
import {
  anonymousPieces,
  DEFAULT_MIN_ANONYMITY,
  denominationCounts,
  type ProposalBody,
  pieceRuleOf,
  pieceWeight,
  proposalPieceRule,
  ruleCost,
  tallyProposal,
} from '../../src/governance/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import { voteVerifier } from '../fixtures/zk.js';
import { paretoMembers, votingLedger } from './vote-observer-fixture.js';

const NOW = 1_800_000_000;
const share = (part: bigint, whole: bigint) => Number((part * 10_000n) / whole) / 100;

describe('attack: a proposal at minAnonymity 1 cuts the weight of voters keeping k = 8 (vote-proposer-low-k-top)', () => {
  afterAll(() => releaseCurve());

  it('voters keeping the default k count as much of their weight as under a proposal asking k = 8', async () => {
    const stakes = paretoMembers(50, 'probe').map((m) => m.weight);
    const { electorate, proposal, ledger } = await votingLedger(
      stakes,
      { window: { opens: NOW, closes: NOW + 3_600 }, minAnonymity: 1 },
      { verifier: await voteVerifier(), created: NOW },
    );
    try {
      // The proposal is valid: its rule is the one the snapshot check recomputes at its minAnonymity.
      expect((await tallyProposal(ledger, proposal.id)).snapshot.status).toBe('valid');
      const members = electorate.snapshot.members;
      const rule = pieceRuleOf(proposal.event.body as unknown as ProposalBody);
      expect(rule).toEqual(proposalPieceRule(members, 1));
      expect(rule).toEqual(proposalPieceRule(members, DEFAULT_MIN_ANONYMITY));

      const k = DEFAULT_MIN_ANONYMITY;
      const fair = ruleCost(members, proposalPieceRule(members, k), k);
      const cut = ruleCost(members, rule, k);
      const heaviest = members.reduce((a, b) => (b.weight > a.weight ? b : a));
      const cast = anonymousPieces(heaviest.weight, rule, denominationCounts(members, rule), k).reduce(
        (sum, piece) => sum + pieceWeight(piece),
        0n,
      );
      expect(
        share(cut.counted, cut.total),
        `voters keeping k = ${k} can have ${share(cut.counted, cut.total)} % of the snapshot weight counted (the heaviest ${share(cast, heaviest.weight)} % of its own), against ${share(fair.counted, fair.total)} % under the k = ${k} rule`,
      ).toBeGreaterThanOrEqual(share(fair.counted, fair.total) - 0.5);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
