import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  ErrorCode,
  fromBase64,
  fromBase64Url,
  fromHex,
  fromUtf8,
  isAgoraError,
  isDecimal,
  isLowerHex,
  ManualClock,
  taggedHash,
  toBase64,
  toBase64Url,
  toHex,
  unixSeconds,
  utf8,
} from '../../src/core/index.js';

describe('taggedHash', () => {
  it('is SHA256(SHA256(tag) || SHA256(tag) || data) as BIP-340 defines it', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 200 }), (tag, data) => {
        const tagHash = createHash('sha256').update(tag, 'utf8').digest();
        const expected = createHash('sha256').update(tagHash).update(tagHash).update(data).digest();
        expect(toHex(taggedHash(tag, data))).toBe(expected.toString('hex'));
      }),
    );
  });

  it('separates domains: one message under two tags gives two hashes', () => {
    const data = utf8('same');
    expect(toHex(taggedHash('agora402/a', data))).not.toBe(toHex(taggedHash('agora402/b', data)));
  });
});

describe('codecs', () => {
  it('round-trip any bytes through hex, base64 and base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it('uses padded URL-safe base64 where asked (LND REST paths)', () => {
    expect(toBase64Url(new Uint8Array([0xfb, 0xff]))).toBe('-_8=');
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
  });

  it('accepts upper-case hex and checks lengths', () => {
    expect(fromHex('ABcd')).toEqual(new Uint8Array([0xab, 0xcd]));
    expect(() => fromHex('abcd', 3)).toThrow(/expected 3 bytes/);
    expect(isLowerHex('ab'.repeat(32), 32)).toBe(true);
    expect(isLowerHex('AB'.repeat(32), 32)).toBe(false);
    expect(isLowerHex('ab', 32)).toBe(false);
  });

  it('accepts exactly one spelling of each decimal number', () => {
    for (const good of ['0', '7', '1234567890', '9'.repeat(77)]) expect(isDecimal(good)).toBe(true);
    for (const bad of ['', '007', '-1', '+1', '1.0', '1e3', ' 1', '9'.repeat(78), 12, null])
      expect(isDecimal(bad)).toBe(false);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 77n - 1n }), (n) => {
        expect(isDecimal(n.toString())).toBe(true);
        expect(isDecimal(`0${n}`)).toBe(false);
      }),
    );
  });

  it('gives only INVALID_ENCODING on garbage', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const decode of [fromHex, fromBase64, fromBase64Url]) {
          try {
            decode(text);
          } catch (error) {
            expect(isAgoraError(error, ErrorCode.InvalidEncoding)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
    expect(() => fromUtf8(new Uint8Array([0xff]))).toThrow(/UTF-8/);
    expect(() => fromHex(42 as unknown as string)).toThrow(/expected a string/);
  });

  it('compares bytes', () => {
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
});

describe('ManualClock', () => {
  it('moves only forward and only when told', () => {
    const clock = new ManualClock(1_700_000_000_500);
    expect(unixSeconds(clock)).toBe(1_700_000_000);
    clock.advance(1500);
    expect(unixSeconds(clock)).toBe(1_700_000_002);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.set(0)).toThrow(RangeError);
  });
});
