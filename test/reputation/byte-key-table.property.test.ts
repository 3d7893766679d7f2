import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/index.js';
import { ByteKeyTable, KEY_WORDS, readKey, viewOf } from '../../src/reputation/byte-key-table.js';
import { SeededRandom } from '../../src/sim/index.js';

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
        const view = viewOf(buffer);
        for (const k of keys) {
          buffer.set(k, shift);
          const hex = toHex(k);
          const expected = map.get(hex) ?? map.size;
          map.set(hex, expected);
          expect(table.find(view, shift)).toBe(expected < table.size ? expected : -1);
          expect(table.add(view, shift)).toBe(expected);
        }
        expect(table.size).toBe(map.size);
        const numbers = Int32Array.from(map.values()).reverse();
        const sorted = [...table.sort(numbers)].map((n) => toHex(table.bytes.subarray(n * 32, n * 32 + 32)));
        expect(sorted).toEqual([...map.keys()].sort());
      }),
      { numRuns: 60 },
    );
  });

  it('loads keys at once numbered in their order, then finds, adds and sorts them as if added one by one', () => {
    fc.assert(
      fc.property(
        // Duplicates on purpose: a receipt id loaded beside the ratings that name it.
        fc
          .array(key, { maxLength: 300 })
          .chain((keys) =>
            fc.tuple(
              fc.constant(keys),
              fc.array(fc.nat(Math.max(0, keys.length - 1)), { maxLength: keys.length === 0 ? 0 : 100 }),
              fc.array(key, { maxLength: 100 }),
            ),
          ),
        ([distinct, repeats, later]) => {
          const loaded = [...distinct, ...repeats.map((i) => distinct[i] as Uint8Array)];
          const packed = new Int32Array(loaded.length * KEY_WORDS);
          loaded.forEach((k, i) => {
            readKey(viewOf(k), 0, packed, i * KEY_WORDS);
          });
          const table = new ByteKeyTable(1);
          const numbers = table.load(packed, loaded.length);
          const sortedHex = [...new Set(loaded.map(toHex))].sort();
          expect(table.size).toBe(sortedHex.length);
          loaded.forEach((k, i) => {
            expect(numbers[i]).toBe(sortedHex.indexOf(toHex(k)));
            expect(table.find(viewOf(k), 0)).toBe(numbers[i]);
            expect(table.hex(numbers[i] as number)).toBe(toHex(k));
          });
          const map = new Map(sortedHex.map((hex, n) => [hex, n]));
          const buffer = new Uint8Array(33);
          const view = viewOf(buffer);
          for (const k of later) {
            buffer.set(k, 1);
            const hex = toHex(k);
            const expected = map.get(hex) ?? map.size;
            map.set(hex, expected);
            expect(table.find(view, 1)).toBe(expected < table.size ? expected : -1);
            expect(table.add(view, 1)).toBe(expected);
          }
          expect(table.size).toBe(map.size);
          const all = Int32Array.from(map.values()).reverse();
          const sorted = [...table.sort(all)].map((n) => toHex(table.bytes.subarray(n * 32, n * 32 + 32)));
          expect(sorted).toEqual([...map.keys()].sort());
          const onlyLoaded = Int32Array.from(sortedHex.keys()).reverse();
          expect([...table.sort(onlyLoaded)]).toEqual([...sortedHex.keys()]);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('finds each of thousands of loaded keys through its prefix, and no key that was not loaded', () => {
    // Uniform keys use the directory's prefixes broadly (the skewed ones above crowd a few); keys equal to a loaded
    // one but for their last bit sit in the same prefix, next to it.
    const random = new SeededRandom('byte-key-table-directory');
    const keys = Array.from({ length: 5000 }, () =>
      Uint8Array.from({ length: 32 }, () => Math.floor(random.next() * 256)),
    );
    const packed = new Int32Array(keys.length * KEY_WORDS);
    keys.forEach((k, i) => {
      readKey(viewOf(k), 0, packed, i * KEY_WORDS);
    });
    const table = new ByteKeyTable(1);
    const numbers = table.load(packed, keys.length);
    const hexes = new Set(keys.map(toHex));
    keys.forEach((k, i) => {
      expect(table.find(viewOf(k), 0)).toBe(numbers[i]);
      const neighbour = Uint8Array.from(k);
      neighbour[31] = (neighbour[31] as number) ^ 1;
      if (!hexes.has(toHex(neighbour))) expect(table.find(viewOf(neighbour), 0)).toBe(-1);
    });
    expect(table.find(viewOf(new Uint8Array(32)), 0)).toBe(hexes.has(toHex(new Uint8Array(32))) ? 0 : -1);
    expect(table.find(viewOf(new Uint8Array(32).fill(255)), 0)).toBe(-1);
  });

  it('refuses to load keys into a table that has some', () => {
    const table = new ByteKeyTable();
    table.add(viewOf(new Uint8Array(32)), 0);
    expect(() => table.load(new Int32Array(KEY_WORDS), 1)).toThrow(RangeError);
  });

  it('finds nothing for a key never added', () => {
    const table = new ByteKeyTable();
    const a = viewOf(new Uint8Array(32).fill(1));
    table.add(a, 0);
    expect(table.find(viewOf(new Uint8Array(32).fill(2)), 0)).toBe(-1);
    expect(table.find(a, 0)).toBe(0);
  });
});
