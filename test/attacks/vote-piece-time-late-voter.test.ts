// Issue 17 review, transport: a voter's pieces linked by their times. `publicationTimes` draws each piece's time
// uniformly over what is left of the window when the voter casts, not over the window: the times are independent of
// each other but all follow the voter's own cast time. A voter who casts in the last hour of a week-long window has
// every piece in that hour, where an early voter's piece lands one time in 168: an observer of the ledger (or of
// relays, which see each piece arrive at its date) takes the late cluster for one voter, links its pieces, and
// matches them against the client rule's casts as with any linked group (see `vote-ballot-link`).
// Open (`it.fails`): no time rule spreads a late vote wider. A piece cannot be dated after the close nor published
// before its vote is cast; one dated in the past would reach relays (and arrive after anchors) when the vote is cast,
// with the voter's other pieces, linked by arrival instead. The mitigation: `castPrivateVote` (and `agora vote`)
// warns a voter casting with less than `LATE_VOTE_SHARE` (10 %) of the window left, stating the cost measured below.
import { afterAll, describe, expect, it } from 'vitest';
import { LATE_VOTE_SHARE, publicationTimes } from '../../src/governance/index.js';
import { SeededRandom } from '../../src/sim/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { votingLedger } from './vote-observer-fixture.js';

describe('attack: the pieces of a late voter clustered in time (vote-piece-time-late-voter)', () => {
  afterAll(() => releaseCurve());

  it.fails("a voter casting an hour before a week-long window closes has all its pieces in that hour, an early voter's spread over the week", () => {
    const opens = 1_800_000_000;
    const closes = opens + 7 * 86_400;
    const proposal = { window: { opens, closes } };
    const random = new SeededRandom('r17 late voter');
    const early = publicationTimes(proposal, 6, opens, () => random.next());
    const late = publicationTimes(proposal, 6, closes - 3_600, () => random.next());
    // The early voter's pieces land across the week; none in the last hour.
    expect(early.filter((t) => t >= closes - 3_600)).toEqual([]);
    // The late voter's pieces should be as spread as anyone's: the earliest of six uniform times over a week lies in
    // its last hour with probability (1/168)^6. Here it always does.
    expect(Math.min(...late), 'earliest piece of the late voter, seconds before the close').toBeLessThan(
      closes - 3_600,
    );
  });

  it("the cost the warning states: others' pieces in a late voter's last share f of the window, measured against f(1 - ln f)", () => {
    const opens = 1_800_000_000;
    const closes = opens + 7 * 86_400;
    const proposal = { window: { opens, closes } };
    const random = new SeededRandom('r17 late voter cost');
    // 2,000 other voters, each casting at a uniform time, 6 pieces each spread over what is then left.
    const others = Array.from({ length: 2_000 }, () =>
      publicationTimes(proposal, 6, opens + Math.floor(random.next() * (closes - opens)), () =>
        random.next(),
      ),
    ).flat();
    for (const share of [LATE_VOTE_SHARE, 0.01, 1 / 168]) {
      const from = closes - share * (closes - opens);
      const measured = others.filter((t) => t >= from).length / others.length;
      const stated = share * (1 - Math.log(share));
      // Within 15 % of the stated share (12,000 pieces: a few hundred in the smallest share).
      expect(
        Math.abs(measured - stated) / stated,
        `share ${share}: measured ${measured}, stated ${stated}`,
      ).toBeLessThan(0.15);
    }
  });

  it('warns a voter casting with less than LATE_VOTE_SHARE of the window left, not one casting before', async () => {
    const { prover, verifier } = await voteZk();
    const now = 1_800_000_000;
    const closes = now + 10_000;
    const { voters, ledger, vote } = await votingLedger(
      Array(4).fill(3n),
      { window: { opens: now, closes }, minAnonymity: 1, pieces: { top: 1, floor: 0 } },
      { verifier, created: now },
    );
    try {
      const warnings: string[] = [];
      // 3 = 2 + 1: two pieces each.
      const early = await vote(prover, voters[1] as Voter, { choice: 'for' }, now + 8_900, (m) =>
        warnings.push(m),
      );
      expect(early.pieces).toHaveLength(2);
      expect(warnings).toEqual([]);
      const late = await vote(prover, voters[2] as Voter, { choice: 'for' }, now + 9_500, (m) =>
        warnings.push(m),
      );
      expect(late.pieces.every((piece) => piece.publishAt >= now + 9_500)).toBe(true);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /2 pieces, all dated in the last 5\.0 % of the voting window: .* 20\.0 % of its pieces/,
      );
    } finally {
      await ledger.close();
    }
  }, 600_000);
});
