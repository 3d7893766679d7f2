// Issue 17 review, transport: a voter's pieces linked by their times. `publicationTimes` draws each piece's time
// uniformly over what is left of the window when the voter casts, not over the window: the times are independent of
// each other but all follow the voter's own cast time. A voter who casts in the last hour of a week-long window has
// every piece in that hour, where an early voter's piece lands one time in 168: an observer of the ledger (or of
// relays, which see each piece arrive at its date) takes the late cluster for one voter, links its pieces, and
// matches them against the client rule's casts as with any linked group (see `vote-ballot-link`).
import { describe, expect, it } from 'vitest';
import { publicationTimes } from '../../src/governance/index.js';
import { SeededRandom } from '../../src/sim/index.js';

describe('attack: the pieces of a late voter clustered in time (vote-piece-time-late-voter)', () => {
  it("a voter casting an hour before a week-long window closes has all its pieces in that hour, an early voter's spread over the week", () => {
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
});
