import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Delegation, delegateWeights, resolveDelegations } from '../../src/governance/index.js';

let counter = 0;
const set = (from: string, to: string | null, created: number, id?: string): Delegation => ({
  id: id ?? (counter++).toString(16).padStart(64, '0'),
  from,
  to,
  created,
});
const weights = (entries: Record<string, bigint>) => new Map(Object.entries(entries));

describe('delegation', () => {
  it('carries a chain to its end: the last delegate holds the sum', () => {
    const { edges } = resolveDelegations([set('a', 'b', 10), set('b', 'c', 11)], 100);
    expect(Object.fromEntries(delegateWeights(weights({ a: 1n, b: 2n, c: 4n, d: 8n }), edges))).toEqual({
      c: 7n,
      d: 8n,
    });
  });

  it('keeps the latest delegation of each agent up to the snapshot; null revokes', () => {
    const events = [
      set('a', 'b', 10),
      set('a', 'c', 20),
      set('x', 'y', 10),
      set('x', null, 20),
      set('z', 'y', 500),
    ];
    const { edges } = resolveDelegations(events, 100);
    expect(Object.fromEntries(edges)).toEqual({ a: 'c' });
    // Before the second delegations, the first ones were in force.
    expect(Object.fromEntries(resolveDelegations(events, 15).edges)).toEqual({ a: 'b', x: 'y' });
  });

  it('breaks a same-second tie by the lower event id', () => {
    const low = set('a', 'b', 10, '01'.repeat(32));
    const high = set('a', 'c', 10, '02'.repeat(32));
    expect(resolveDelegations([high, low], 10).edges.get('a')).toBe('b');
    expect(resolveDelegations([low, high], 10).edges.get('a')).toBe('b');
  });

  it('sets aside the delegation that would close a cycle, whatever the arrival order', () => {
    const first = set('a', 'b', 10);
    const closing = set('b', 'a', 11);
    const self = set('c', 'c', 5);
    for (const events of [
      [first, closing, self],
      [closing, self, first],
    ]) {
      const resolved = resolveDelegations(events, 100);
      expect(Object.fromEntries(resolved.edges)).toEqual({ a: 'b' });
      expect(resolved.cycles).toEqual([self, closing]);
    }
    // A longer cycle: a -> b -> c -> a, closed last by c.
    const long = resolveDelegations([set('a', 'b', 1), set('b', 'c', 2), set('c', 'a', 3)], 10);
    expect(long.edges.size).toBe(2);
    expect(long.cycles.map((d) => d.from)).toEqual(['c']);
  });

  it('handles a chain through every agent without recursion limits', () => {
    const n = 200_000;
    const chain = Array.from({ length: n - 1 }, (_, i) => set(`a${i}`, `a${i + 1}`, i));
    const { edges } = resolveDelegations(chain, n);
    const totals = delegateWeights(new Map(Array.from({ length: n }, (_, i) => [`a${i}`, 1n])), edges);
    expect(Object.fromEntries(totals)).toEqual({ [`a${n - 1}`]: BigInt(n) });
  });

  it('conserves the total weight and does not depend on the order of the events (property)', () => {
    const agents = ['a', 'b', 'c', 'd', 'e', 'f'];
    const delegation = fc.record({
      id: fc.integer({ min: 0, max: 2 ** 20 }).map((k) => k.toString(16).padStart(64, '0')),
      from: fc.constantFrom(...agents),
      to: fc.option(fc.constantFrom(...agents), { nil: null }),
      created: fc.integer({ min: 0, max: 50 }),
    });
    const eventsAndShuffle = fc
      .uniqueArray(delegation, { selector: (d) => d.id, maxLength: 20 })
      .chain((events) =>
        fc.tuple(
          fc.constant(events),
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        ),
      );
    fc.assert(
      fc.property(eventsAndShuffle, fc.integer({ min: 0, max: 50 }), ([events, shuffled], asOf) => {
        const resolved = resolveDelegations(events, asOf);
        expect(resolveDelegations(shuffled, asOf)).toEqual(resolved);
        const own = new Map(agents.map((agent, i) => [agent, BigInt(i + 1)]));
        const totals = delegateWeights(own, resolved.edges);
        expect([...totals.values()].reduce((s, w) => s + w, 0n)).toBe(21n);
        for (const delegator of resolved.edges.keys()) expect(totals.has(delegator)).toBe(false);
      }),
    );
  });
});
