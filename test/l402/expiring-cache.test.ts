import { describe, expect, it } from 'vitest';
import { ExpiringCache } from '../../src/l402/expiring-cache.js';

describe('ExpiringCache', () => {
  it('returns an entry until its end, never after', () => {
    const cache = new ExpiringCache<string, number>(10);
    cache.set('a', 1, 100, 0);
    expect(cache.get('a', 100)).toBe(1);
    expect(cache.get('a', 101)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops ended entries as later ones are set, so it holds only what is live', () => {
    const cache = new ExpiringCache<number, number>(1_000);
    for (let t = 0; t < 500; t++) cache.set(t, t, t + 10, t);
    expect(cache.size).toBe(11);
    expect([...cache.live(499)].map(([key]) => key)).toEqual(Array.from({ length: 11 }, (_, i) => 489 + i));
  });

  it('keeps at most `limit` entries, the oldest set dropped first; setting a key again renews it', () => {
    const cache = new ExpiringCache<string, number>(2);
    cache.set('a', 1, 1_000, 0);
    cache.set('b', 2, 1_000, 0);
    cache.set('a', 3, 1_000, 0);
    cache.set('c', 4, 1_000, 0);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe(3);
    expect(cache.get('c', 0)).toBe(4);
  });
});
