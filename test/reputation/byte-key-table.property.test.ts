import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/index.js';
import { ByteKeyTable } from '../../src/reputation/byte-key-table.js';

// Keys drawn from a small alphabet of prefixes, so that many share their first bytes (the packed sort's prefix and
// the table's hash words) and the slow paths run too.
const key = fc
  .tuple(fc.constantFrom(0, 1, 255), fc.constantFrom(0, 7), fc.uint8Array({ minLength: 30, maxLength: 30 }))
  .map(([a, b, rest]) => Uint8Array.from([a, b, ...rest]));

describe('ByteKeyTable', () => {
  it('numbers keys as a Map of their hex would, and sorts them as their hex strings sort', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 400 }), fc.nat(3), (keys, shift) => {
        const table = new ByteKeyTable(1);
        const map = new Map<string, number>();
        // Keys read at an offset in a larger buffer, as records are.
        const buffer = new Uint8Array(shift + 32);
        for (const k of keys) {
          buffer.set(k, shift);
          const hex = toHex(k);
          const expected = map.get(hex) ?? map.size;
          map.set(hex, expected);
          expect(table.find(buffer, shift)).toBe(expected < table.size ? expected : -1);
          expect(table.add(buffer, shift)).toBe(expected);
        }
        expect(table.size).toBe(map.size);
        const numbers = Int32Array.from(map.values()).reverse();
        const sorted = [...table.sort(numbers)].map((n) => toHex(table.bytes.subarray(n * 32, n * 32 + 32)));
        expect(sorted).toEqual([...map.keys()].sort());
      }),
      { numRuns: 60 },
    );
  });

  it('finds nothing for a key never added', () => {
    const table = new ByteKeyTable();
    const a = new Uint8Array(32).fill(1);
    table.add(a, 0);
    expect(table.find(new Uint8Array(32).fill(2), 0)).toBe(-1);
    expect(table.find(a, 0)).toBe(0);
  });
});
