import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type BallotOf, type Counted, count, decide, YES_NO_OPTIONS } from '../../src/governance/index.js';
import { thrownAgoraError } from '../helpers.js';

const yesNo = (forWeight: bigint, against: bigint, abstain = 0n) => {
  const ballots: Counted<BallotOf['single']>[] = [
    { weight: forWeight, ballot: { choice: 'for' } },
    { weight: against, ballot: { choice: 'against' } },
    { weight: abstain, ballot: { choice: 'abstain' } },
  ];
  return count('single', YES_NO_OPTIONS, ballots);
};

describe('quorum', () => {
  it('is reached exactly at the quorum share of the total weight, abstentions included', () => {
    const rules = { quorum: 2_000, threshold: 5_000 };
    expect(decide(yesNo(100n, 50n, 50n), rules, 1_000n)).toEqual({
      state: 'succeeded',
      quorumReached: true,
      winner: 'for',
    });
    expect(decide(yesNo(100n, 50n, 49n), rules, 1_000n)).toEqual({
      state: 'defeated',
      quorumReached: false,
      reason: 'quorum',
    });
  });

  it('of zero is always reached, even with no weight at all', () => {
    expect(decide(yesNo(0n, 0n), { quorum: 0, threshold: 5_000 }, 0n)).toEqual({
      state: 'defeated',
      quorumReached: true,
      reason: 'no votes',
    });
  });
});

describe('threshold', () => {
  it('must be exceeded, not met: a two-thirds supermajority at exactly 66.67% fails, one more unit passes', () => {
    const rules = { quorum: 0, threshold: 6_667 };
    expect(decide(yesNo(6_667n, 3_333n), rules, 10_000n).reason).toBe('threshold');
    expect(decide(yesNo(6_668n, 3_332n), rules, 10_000n).state).toBe('succeeded');
  });

  it('ignores abstentions: 51 For, 49 Against and 900 Abstain pass a simple majority', () => {
    expect(decide(yesNo(51n, 49n, 900n), { quorum: 5_000, threshold: 5_000 }, 1_000n).winner).toBe('for');
  });

  it('defeats a tie, an Against majority and abstentions alone', () => {
    const rules = { quorum: 0, threshold: 5_000 };
    expect(decide(yesNo(50n, 50n), rules, 100n).reason).toBe('tie');
    expect(decide(yesNo(40n, 60n), rules, 100n).reason).toBe('against');
    expect(decide(yesNo(0n, 0n, 70n), rules, 100n).reason).toBe('no votes');
  });
});

describe('other methods', () => {
  it('measure the run-off winner against the last round and approval winners against participation', () => {
    const ranked = count(
      'ranked',
      ['a', 'b', 'c'],
      [
        { weight: 45n, ballot: { ranking: ['a'] } },
        { weight: 35n, ballot: { ranking: ['b', 'a'] } },
        { weight: 20n, ballot: { ranking: ['c'] } },
      ],
    );
    // c is eliminated and its ballots exhausted: a holds 45 of the 80 live in the last round (56.25%), not 45 of 100.
    expect(decide(ranked, { quorum: 0, threshold: 5_600 }, 100n)).toEqual({
      state: 'succeeded',
      quorumReached: true,
      winner: 'a',
    });
    expect(decide(ranked, { quorum: 0, threshold: 5_700 }, 100n).reason).toBe('threshold');
    const approval = count(
      'approval',
      ['a', 'b'],
      [
        { weight: 6n, ballot: { approve: ['a', 'b'] } },
        { weight: 4n, ballot: { approve: ['b'] } },
      ],
    );
    expect(decide(approval, { quorum: 0, threshold: 9_000 }, 10n)).toMatchObject({ winner: 'b' });
    expect(decide(approval, { quorum: 0, threshold: 10_000 }, 10n).reason).toBe('threshold');
    const tie = count('approval', ['a', 'b'], [{ weight: 6n, ballot: { approve: ['a', 'b'] } }]);
    expect(decide(tie, { quorum: 0, threshold: 0 }, 6n).reason).toBe('tie');
  });

  it('use exact shares for weighted splits', () => {
    const weighted = count(
      'weighted',
      ['x', 'y'],
      [{ weight: 2n, ballot: { split: { x: 5_001, y: 4_999 } } }],
    );
    expect(decide(weighted, { quorum: 0, threshold: 5_000 }, 2n).winner).toBe('x');
    expect(decide(weighted, { quorum: 0, threshold: 5_001 }, 2n).reason).toBe('threshold');
  });

  it('refuse rules outside 0..10000 basis points', () => {
    for (const rules of [
      { quorum: -1, threshold: 5_000 },
      { quorum: 0, threshold: 10_001 },
      { quorum: 0.5, threshold: 5_000 },
    ])
      thrownAgoraError(() => decide(yesNo(1n, 0n), rules, 1n), ErrorCode.InvalidArgument);
  });
});
