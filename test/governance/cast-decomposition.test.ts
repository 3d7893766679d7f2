// The observer's exact cover of a linked group into members' whole casts (`decomposeGroup`, issue 17 third review):
// known small cases, the conservative reading of a group the budget leaves unresolved, and a property check against
// a brute force over every subset of members.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decomposeGroup, linkedBallots, type MemberCast } from '../../src/governance/index.js';

const cast = (agent: string, ...denominations: number[]): MemberCast => ({
  agent,
  cast: denominations.map(BigInt),
});
const many = (prefix: string, n: number, ...denominations: number[]) =>
  Array.from({ length: n }, (_, i) => cast(`${prefix}${i}`, ...denominations));
const group = (...denominations: number[]) => denominations.map(BigInt);

/** Every subset of members whose casts together are exactly `wanted` (as multisets). */
function bruteForce(casts: readonly MemberCast[], wanted: readonly bigint[]) {
  const key = (ds: readonly bigint[]) => [...ds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(',');
  const target = key(wanted);
  const found: string[][] = [];
  const usable = casts.filter((c) => c.cast.length > 0);
  for (let mask = 1; mask < 1 << usable.length; mask++) {
    const chosen = usable.filter((_, i) => (mask >> i) & 1);
    if (key(chosen.flatMap((c) => c.cast)) === target) found.push(chosen.map((c) => c.agent));
  }
  return found;
}

describe('decomposeGroup', () => {
  it('names both voters of the one decomposition', () => {
    // The attack's snapshot: {64, 32, 8, 4} has no 16, so only the two members casting 64 + 32 and 8 + 4 make it.
    const casts = [
      ...many('a', 8, 64, 16),
      ...many('b', 8, 32, 16),
      ...many('c', 8, 16, 8),
      ...many('d', 8, 16, 4),
      cast('x', 64, 32),
      cast('y', 8, 4),
    ];
    expect(decomposeGroup(casts, group(64, 32, 8, 4))).toMatchObject({
      resolved: true,
      decompositions: 1,
      named: ['x', 'y'],
      candidates: 2,
      anonymity: 1,
    });
    // {64, 32, 16, 16}: an a and a b, 8 x 8 ways; every piece among 8 members, nobody named.
    expect(decomposeGroup(casts, group(64, 32, 16, 16))).toMatchObject({
      resolved: true,
      decompositions: 64,
      named: [],
      candidates: 16,
      anonymity: 8,
    });
  });

  it('names the member common to two decompositions', () => {
    // {64, 32, 8}: z (8) with x (64 + 32), or z with p (64) and q (32): z is in both.
    const casts = [cast('x', 64, 32), cast('p', 64), cast('q', 32), cast('z', 8), cast('w', 4)];
    const found = decomposeGroup(casts, group(64, 32, 8));
    expect(found).toMatchObject({
      resolved: true,
      decompositions: 2,
      named: ['z'],
      candidates: 4,
      anonymity: 1,
    });
    // Without z's 8 in the group: {x} or {p, q}, nobody common; the 64 was cast by x or p.
    expect(decomposeGroup(casts, group(64, 32))).toMatchObject({
      decompositions: 2,
      named: [],
      candidates: 3,
      anonymity: 2,
    });
  });

  it('counts members with one cast as a class: c of m members is C(m, c) ways', () => {
    // Three 64s among five members casting 64 alone: C(5, 3) = 10 ways, nobody named.
    expect(decomposeGroup(many('m', 5, 64), group(64, 64, 64))).toMatchObject({
      decompositions: 10,
      named: [],
      candidates: 5,
      anonymity: 5,
    });
    // Five 64s among five such members: one way, all five named.
    expect(decomposeGroup(many('m', 5, 64), group(64, 64, 64, 64, 64))).toMatchObject({
      decompositions: 1,
      named: ['m0', 'm1', 'm2', 'm3', 'm4'],
      anonymity: 1,
    });
    // A member casting several top pieces covers them at once.
    expect(decomposeGroup([cast('h', 64, 64, 64), ...many('m', 3, 64)], group(64, 64, 64))).toMatchObject({
      decompositions: 2,
      named: [],
      candidates: 4,
      anonymity: 4,
    });
  });

  it('reports a group no whole casts make with no anonymity of its own', () => {
    // A voter who cast one piece of its 64 + 32: the group {64, 64} is no two members' whole casts.
    const found = decomposeGroup([cast('x', 64, 32), cast('p', 64)], group(64, 64));
    expect(found).toEqual({
      resolved: true,
      decompositions: 0,
      named: [],
      candidates: 0,
      steps: found.steps,
    });
  });

  it('counts a group the budget leaves unresolved by what the decompositions found prove, never as safe', () => {
    const casts = [...many('p', 30, 64), ...many('q', 30, 32), ...many('r', 30, 64, 32)];
    const wanted = group(...Array(10).fill(64), ...Array(10).fill(32));
    const full = decomposeGroup(casts, wanted);
    expect(full).toMatchObject({ resolved: true, named: [], candidates: 90, anonymity: 60 });
    // No step at all: no decomposition found, so none is known to leave anyone out: counted as naming a voter.
    expect(decomposeGroup(casts, wanted, { budget: 0 })).toMatchObject({
      resolved: false,
      named: [],
      candidates: 0,
      anonymity: 1,
    });
    // A small budget: unresolved, the count absent; what is reported is proved by decompositions found.
    const partial = decomposeGroup(casts, wanted, { budget: 200 });
    expect(partial.resolved).toBe(false);
    expect(partial.decompositions).toBeUndefined();
    expect(partial.steps).toBeLessThanOrEqual(201);
    expect(partial.anonymity).toBeLessThanOrEqual(full.anonymity as number);
    expect(partial.candidates).toBeLessThanOrEqual(full.candidates);
    // Members every found decomposition holds in full (and no search could leave out) count as named.
    if (partial.named.length > 0) expect(partial.anonymity).toBe(1);
  });

  it('agrees with a brute force over every subset of members (property)', () => {
    const denomination = fc.constantFrom(4n, 8n, 16n, 32n);
    const member = fc.array(denomination, { minLength: 0, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(member, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(9), { minLength: 1, maxLength: 4 }),
        (raw, voters) => {
          const casts: MemberCast[] = raw.map((ds, i) => ({ agent: `m${i}`, cast: ds }));
          // The group: the casts of some members (so it has a decomposition), or, for a member index out of range,
          // one stray piece (so it may have none).
          const wanted = [...new Set(voters)].flatMap((i) => casts[i]?.cast ?? [8n]);
          if (wanted.length === 0) return;
          const ways = bruteForce(casts, wanted);
          const found = decomposeGroup(casts, wanted);
          expect(found.resolved).toBe(true);
          expect(found.decompositions).toBe(ways.length);
          const named =
            ways.length === 0 ? [] : (ways[0] as string[]).filter((a) => ways.every((w) => w.includes(a)));
          expect(found.named).toEqual([...named].sort());
          expect(found.candidates).toBe(new Set(ways.flat()).size);
          if (ways.length === 0) expect(found.anonymity).toBeUndefined();
          else {
            const castOf = new Map(casts.map((c) => [c.agent, c.cast]));
            const perDenomination = [...new Set(wanted)].map(
              (d) => new Set(ways.flatMap((w) => w.filter((a) => castOf.get(a)?.includes(d)))).size,
            );
            expect(found.anonymity).toBe(named.length > 0 ? 1 : Math.min(...perDenomination));
          }
        },
      ),
      { numRuns: 300, seed: 17 },
    );
  });
});

describe('linkedBallots', () => {
  it('spends the shared budget in ballot order, whatever order the pieces come in', () => {
    // Six ballots whose groups each need more than a group's budget: the four groups' worth they share runs out, and
    // the first ballots in ballot order get it.
    const casts = [...many('p', 30, 64), ...many('q', 30, 32), ...many('r', 30, 64, 32)];
    const ballots = ['"a"', '"b"', '"c"', '"d"', '"e"', '"f"'];
    const pieces = ballots.flatMap((ballot) =>
      [...Array(10).fill(64n), ...Array(10).fill(32n)].map((votingWeight) => ({ ballot, votingWeight })),
    );
    const options = { budget: 5 };
    const forward = linkedBallots(casts, pieces, options);
    expect(forward.map((group) => group.ballot)).toEqual(ballots);
    // The budget ran out: the last two ballots got none (no decomposition found, counted as naming a voter).
    expect(forward.map((group) => group.anonymity)).toEqual([30, 30, 30, 30, 1, 1]);
    // The attacker's lever: its own ballot's pieces first (low vote ids, early arrival) to spend the budget.
    expect(linkedBallots(casts, [...pieces].reverse(), options)).toEqual(forward);
    const cGroupFirst = [
      ...pieces.filter((p) => p.ballot === '"c"'),
      ...pieces.filter((p) => p.ballot !== '"c"'),
    ];
    expect(linkedBallots(casts, cGroupFirst, options)).toEqual(forward);
  });
});
