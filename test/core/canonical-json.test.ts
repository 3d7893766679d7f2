import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, ErrorCode, isAgoraError, parseJson } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';

function float64(bitsHex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bitsHex}`));
  return view.getFloat64(0);
}

describe('canonicalJson against RFC 8785', () => {
  it('transforms the example of section 3.2.2', () => {
    const input = parseJson(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts properties by UTF-16 code units (section 3.2.3)', () => {
    const input = parseJson(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    const keys = [...canonicalJson(input).matchAll(/"([^"]*)":"([^"]*)"/g)].map((m) => m[2]);
    expect(keys).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('matches the reference implementation on its "weird" test file', () => {
    const input = parseJson(
      '{"\\u20ac": "Euro Sign", "1": "One", "\\u0080": "Control\\u007f", "\\ud83d\\ude02": "Smiley",' +
        ' "\\u00f6": "Latin Small Letter O With Diaeresis", "\\ufb33": "Hebrew Letter Dalet With Dagesh",' +
        ' "</script>": "Browser Challenge"}',
    );
    expect(canonicalJson(input)).toBe(
      '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",' +
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley",' +
        '"\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // RFC 8785 Appendix B: IEEE 754 bit patterns and their required serialization.
  const appendixB: [string, string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  it.each(appendixB)('serializes the number with bits %s as %s', (bits, expected) => {
    expect(canonicalJson(float64(bits))).toBe(expected);
  });

  it.each([
    ['NaN', float64('7fffffffffffffff')],
    ['Infinity', float64('7ff0000000000000')],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses %s', (_name, value) => {
    thrownAgoraError(() => canonicalJson(value), ErrorCode.NotCanonicalizable);
  });
});

describe('canonicalJson refuses what JSON cannot carry', () => {
  const sparse: unknown[] = [];
  sparse[1] = 1;
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  it.each([
    ['BigInt', 1n],
    ['top-level undefined', undefined],
    ['undefined property', { a: undefined }],
    ['undefined element', [undefined]],
    ['function', () => 1],
    ['symbol', Symbol('s')],
    ['Date', new Date(0)],
    ['Map', new Map()],
    ['Uint8Array', new Uint8Array(2)],
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate in a key', { '\udc00x': 1 }],
    ['sparse array', sparse],
    ['cycle', cycle],
  ])('%s', (_name, value) => {
    thrownAgoraError(() => canonicalJson(value), ErrorCode.NotCanonicalizable);
  });

  it('accepts an object without prototype and a value used twice (not a cycle)', () => {
    const shared = { x: 1 };
    const bare = Object.assign(Object.create(null) as object, { b: shared, a: shared });
    expect(canonicalJson(bare)).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('canonicalJson properties', () => {
  it('is a fixed point: canonical text parses back to a value with the same canonical text', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on property insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });
});

describe('parseJson', () => {
  it('turns garbage into INVALID_JSON, never a bare SyntaxError', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseJson(text);
        } catch (error) {
          expect(isAgoraError(error, ErrorCode.InvalidJson)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
