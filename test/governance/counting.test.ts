import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode } from '../../src/core/index.js';
import {
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  parseBallot,
} from '../../src/governance/index.js';
import { thrownAgoraError } from '../helpers.js';

const ranked = (weight: bigint, ...ranking: string[]): Counted<BallotOf['ranked']> => ({
  weight,
  ballot: { ranking },
});

describe('instant run-off', () => {
  // The textbook example (Wikipedia, "Instant-runoff voting": Tennessee's capital), weights in percent.
  const cities = ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'];
  const tennessee = [
    ranked(42n, 'Memphis', 'Nashville', 'Chattanooga', 'Knoxville'),
    ranked(26n, 'Nashville', 'Chattanooga', 'Knoxville', 'Memphis'),
    ranked(15n, 'Chattanooga', 'Knoxville', 'Nashville', 'Memphis'),
    ranked(17n, 'Knoxville', 'Chattanooga', 'Nashville', 'Memphis'),
  ];

  it('elects Knoxville in the Tennessee example, round by round', () => {
    const tally = count('ranked', cities, tennessee);
    expect(tally.winners).toEqual(['Knoxville']);
    expect(tally.rounds?.map((round) => round.totals)).toEqual([
      { Memphis: 42n, Nashville: 26n, Chattanooga: 15n, Knoxville: 17n },
      { Memphis: 42n, Nashville: 26n, Knoxville: 32n },
      { Memphis: 42n, Knoxville: 58n },
    ]);
    expect(tally.rounds?.map((round) => round.eliminated)).toEqual(['Chattanooga', 'Nashville', undefined]);
    expect(tally.participation).toBe(100n);
  });

  it('elects Memphis by plurality and Nashville by approval of the top two in the same example', () => {
    // First preferences alone: Memphis leads with 42 but has no majority, which is why the run-off differs.
    const first = count(
      'single',
      cities,
      tennessee.map(({ weight, ballot }) => ({ weight, ballot: { choice: ballot.ranking[0] as string } })),
    );
    expect(first.winners).toEqual(['Memphis']);
    const approval = count(
      'approval',
      cities,
      tennessee.map(({ weight, ballot }) => ({ weight, ballot: { approve: ballot.ranking.slice(0, 2) } })),
    );
    expect(approval.totals).toEqual({ Memphis: 42n, Nashville: 68n, Chattanooga: 58n, Knoxville: 32n });
    expect(approval.winners).toEqual(['Nashville']);
  });

  it('breaks a tie for elimination by the earlier round, then by the proposal order', () => {
    const options = ['A', 'D', 'B', 'C'];
    const tally = count('ranked', options, [
      ranked(12n, 'A'),
      ranked(6n, 'B'),
      ranked(2n, 'C', 'D'),
      ranked(4n, 'D', 'A'),
    ]);
    // Round 2: B and D both hold 6; D had less in round 1, so D goes although B is listed after it.
    expect(tally.rounds?.[1]?.totals).toEqual({ A: 12n, D: 6n, B: 6n });
    expect(tally.rounds?.[1]?.eliminated).toBe('D');
    expect(tally.winners).toEqual(['A']);
    // No earlier round to look at: the option listed last goes first.
    const flat = count(
      'ranked',
      ['X', 'Y', 'Z'],
      [ranked(5n, 'X'), ranked(3n, 'Y', 'X'), ranked(3n, 'Z', 'X')],
    );
    expect(flat.rounds?.[0]?.eliminated).toBe('Z');
  });

  it('drops exhausted ballots from the majority and elects nobody without votes', () => {
    const tally = count('ranked', ['A', 'B', 'C'], [ranked(4n, 'A'), ranked(3n, 'B'), ranked(2n, 'C')]);
    expect(tally.rounds?.[1]).toEqual({ totals: { A: 4n, B: 3n }, exhausted: 2n });
    expect(tally.winners).toEqual(['A']);
    expect(count('ranked', ['A', 'B'], []).winners).toEqual([]);
  });
});

describe('single, approval and weighted counts', () => {
  it('counts For / Against / Abstain with weights, abstentions in participation', () => {
    const tally = count(
      'single',
      ['for', 'against', 'abstain'],
      [
        { weight: 500n, ballot: { choice: 'for' } },
        { weight: 300n, ballot: { choice: 'against' } },
        { weight: 250n, ballot: { choice: 'against' } },
        { weight: 900n, ballot: { choice: 'abstain' } },
      ],
    );
    expect(tally.totals).toEqual({ for: 500n, against: 550n, abstain: 900n });
    expect(tally.participation).toBe(1950n);
  });

  it('reports every leader on a tie', () => {
    const tally = count(
      'approval',
      ['a', 'b', 'c'],
      [
        { weight: 2n, ballot: { approve: ['a', 'b'] } },
        { weight: 1n, ballot: { approve: [] } },
      ],
    );
    expect(tally.winners).toEqual(['a', 'b']);
    expect(tally.participation).toBe(3n);
  });

  it('splits weights exactly, in 1/10,000 units', () => {
    const tally = count(
      'weighted',
      ['x', 'y'],
      [
        { weight: 3n, ballot: { split: { x: 3333, y: 6667 } } },
        { weight: 7n, ballot: { split: { x: 10_000 } } },
      ],
    );
    expect(tally.scale).toBe(10_000n);
    expect(tally.totals).toEqual({ x: 3n * 3333n + 70_000n, y: 3n * 6667n });
    expect(tally.winners).toEqual(['x']);
  });
});

describe('ballots', () => {
  const options = ['a', 'b', 'c'];

  it('accept well-formed ballots of each method', () => {
    expect(parseBallot('single', options, { choice: 'b' })).toEqual({ choice: 'b' });
    expect(parseBallot('approval', options, { approve: [] })).toEqual({ approve: [] });
    expect(parseBallot('ranked', options, { ranking: ['c', 'a'] })).toEqual({ ranking: ['c', 'a'] });
    expect(parseBallot('weighted', options, { split: { a: 1, c: 9999 } })).toEqual({
      split: { a: 1, c: 9999 },
    });
  });

  it('refuse unknown options, duplicates, extra fields, bad splits and unknown methods', () => {
    const bad: [CountingMethod | 'toString', unknown][] = [
      ['single', { choice: 'd' }],
      ['single', { choice: 'a', extra: 1 }],
      ['approval', { approve: ['a', 'a'] }],
      ['ranked', { ranking: [] }],
      ['ranked', { ranking: ['a', 'b', 'a'] }],
      ['weighted', { split: { a: 5000, b: 4999 } }],
      ['weighted', { split: { a: 10_000.5 } }],
      ['weighted', { split: { a: -1, b: 10_001 } }],
      ['weighted', { split: { d: 10_000 } }],
      ['toString', { choice: 'a' }],
    ];
    for (const [method, value] of bad)
      thrownAgoraError(() => parseBallot(method as CountingMethod, options, value), ErrorCode.InvalidBallot);
  });

  it('give only INVALID_BALLOT on garbage (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<CountingMethod>('single', 'approval', 'ranked', 'weighted'),
        fc.anything(),
        (method, value) => {
          try {
            parseBallot(method, options, value);
          } catch (error) {
            expect(error).toBeInstanceOf(AgoraError);
            expect((error as AgoraError).code).toBe(ErrorCode.InvalidBallot);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('properties of the count', () => {
  const options = ['a', 'b', 'c', 'd'];
  const rankedBallot = fc.record({
    weight: fc.bigInt({ min: 0n, max: 1n << 64n }),
    ballot: fc.shuffledSubarray(options, { minLength: 1 }).map((ranking) => ({ ranking })),
  });

  it('does not depend on the order of the ballots', () => {
    const ballotsAndShuffle = fc
      .array(rankedBallot, { maxLength: 30 })
      .chain((ballots) =>
        fc.tuple(
          fc.constant(ballots),
          fc.shuffledSubarray(ballots, { minLength: ballots.length, maxLength: ballots.length }),
        ),
      );
    fc.assert(
      fc.property(ballotsAndShuffle, ([ballots, shuffled]) => {
        expect(count('ranked', options, shuffled)).toEqual(count('ranked', options, ballots));
      }),
    );
  });

  it('elects a first-round majority at once, and the winner always holds a majority of the live weight', () => {
    fc.assert(
      fc.property(fc.array(rankedBallot, { minLength: 1, maxLength: 30 }), (ballots) => {
        const tally = count('ranked', options, ballots);
        const rounds = tally.rounds ?? [];
        const last = rounds[rounds.length - 1];
        const live = Object.values(last?.totals ?? {}).reduce((s, t) => s + t, 0n);
        const [winner] = tally.winners;
        if (winner !== undefined && Object.keys(last?.totals ?? {}).length > 1)
          expect((last?.totals[winner] ?? 0n) * 2n > live).toBe(true);
        const first = rounds[0]?.totals ?? {};
        const firstLive = Object.values(first).reduce((s, t) => s + t, 0n);
        const majority = Object.keys(first).find((o) => (first[o] ?? 0n) * 2n > firstLive);
        if (majority !== undefined) expect(tally.winners).toEqual([majority]);
        const exhaustedSum = rounds.map((r) => r.exhausted);
        expect(exhaustedSum).toEqual([...exhaustedSum].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      }),
    );
  });
});
