import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError } from '../../src/core/index.js';
import {
  formatAuthorization,
  formatChallenges,
  parseAuthorization,
  parseChallenge,
  parseChallenges,
} from '../../src/l402/index.js';
import { thrownAgoraError } from '../helpers.js';

const MAC =
  'AgEEbHNhdAJCAAAwpHpumws6ufQoDwiTLNcge0QPUIWA0+tVY+tKPYAJ/zSfmEGlIpNm3VzxuzCqLhEp5KGiyPLUM9L+kcB7uzS+AAIPc2VydmljZXM9bWVtZTowAAISbWVtZV9jYXBhYmlsaXRpZXM9AAAGILA1VCEIExukt4nG+XR9tX8WJ2BVMiHG3UNt1uYJ+NRD';
const PADDED = 'AGIAJEemVQUTEyNCR0exk7ek90Cg==';
const INVOICE =
  'lnbcrt100n1p3qqkygpp5xzj85m5mpvatnapgpuyfxtxhypa5gr6sskqd8664v04550vqp8lsdq8f3f5z4qcqzpgsp5tpzvsq5pckqgln3ltpy3e9cf6tf2aj82ffa2tted77ltweuaweks9qyyssq0w5da3k40wtdukac7hp5s58hsxf8k8f52c5qneezu4xg3xh87xrnkl5jwtw098d2gjywx20nmkxl2y4vq9fr89kg5kzcwupv9xpdaggp4fc4ms';
const PREIMAGE = '2ca931a1c36b48f54948b898a271a53ed91ff7d0081939a5fa511249e81cba5c';

describe('L402 challenges found in the wild', () => {
  it.each([
    ['current specification', `L402 version="0", token="${MAC}", invoice="${INVOICE}"`, 'L402'],
    ['Aperture', `LSAT macaroon="${MAC}", invoice="${INVOICE}"`, 'LSAT'],
    ['Aperture L402', `L402 macaroon="${MAC}", invoice="${INVOICE}"`, 'L402'],
    ['reversed order, no comma', `L402 invoice="${INVOICE}" token="${MAC}"`, 'L402'],
    ['extra commas and spaces', `  L402   ,, token = "${MAC}" ,,  invoice="${INVOICE}" , `, 'L402'],
    ['bare values', `L402 token=${MAC}, invoice=${INVOICE}`, 'L402'],
    ['lower-case scheme and keys', `l402 TOKEN="${MAC}", Invoice="${INVOICE}"`, 'L402'],
  ])('parses the %s form', (_name, header, scheme) => {
    const challenge = parseChallenge(header);
    expect(challenge).toMatchObject({ scheme, tokens: [MAC], invoice: INVOICE });
  });

  it('keeps the padding of bare base64 tokens and reads several challenges in one header', () => {
    const [lsat, l402] = parseChallenges(
      `LSAT macaroon=${PADDED}, invoice=${INVOICE}, L402 version="0", token="${MAC}", invoice="${INVOICE}"`,
    );
    expect(lsat?.tokens).toEqual([PADDED]);
    expect(l402).toMatchObject({ scheme: 'L402', version: '0', tokens: [MAC] });
    expect(parseChallenge(`Bearer realm="x", LSAT macaroon=${PADDED}, invoice=${INVOICE}`).scheme).toBe(
      'LSAT',
    );
  });

  it('writes challenges it reads back, with the legacy forms on request', () => {
    const [current] = formatChallenges(MAC, INVOICE);
    expect(current).toBe(`L402 version="0", token="${MAC}", invoice="${INVOICE}"`);
    expect(parseChallenge(current as string)).toEqual({
      scheme: 'L402',
      version: '0',
      tokens: [MAC],
      invoice: INVOICE,
    });
    const legacy = formatChallenges(MAC, INVOICE, { legacy: true });
    expect(legacy.map((h) => parseChallenge(h).scheme)).toEqual(['L402', 'LSAT']);
  });

  it('refuses headers without a usable L402 challenge', () => {
    for (const header of [
      '',
      'Bearer realm="x"',
      `L402 token="${MAC}"`,
      `L402 invoice="${INVOICE}"`,
      'L402 token="unterminated',
      `token="${MAC}", invoice="${INVOICE}"`,
    ]) {
      thrownAgoraError(() => parseChallenge(header), ErrorCode.InvalidToken);
    }
  });
});

describe('L402 authorization', () => {
  it('parses one or several tokens, either scheme, any case, spaces around separators', () => {
    expect(parseAuthorization(`L402 ${MAC}:${PREIMAGE}`)).toEqual({
      scheme: 'L402',
      tokens: [MAC],
      preimage: PREIMAGE,
    });
    expect(parseAuthorization(`lsat ${MAC} , ${PADDED} : ${PREIMAGE.toUpperCase()}`)).toEqual({
      scheme: 'LSAT',
      tokens: [MAC, PADDED],
      preimage: PREIMAGE,
    });
    expect(parseAuthorization(formatAuthorization([MAC], PREIMAGE)).tokens).toEqual([MAC]);
  });

  it('refuses malformed values', () => {
    for (const header of [
      '',
      `Bearer ${MAC}:${PREIMAGE}`,
      `L402 ${MAC}`,
      `L402 ${MAC}:1234abcd`,
      `L402 :${PREIMAGE}`,
      `L402 ${MAC}!:${PREIMAGE}`,
    ]) {
      thrownAgoraError(() => parseAuthorization(header), ErrorCode.InvalidToken);
    }
  });
});

describe('header parsers on garbage', () => {
  const onlyTyped = (parse: (value: string) => unknown) => (value: string) => {
    try {
      parse(value);
    } catch (error) {
      expect(isAgoraError(error, ErrorCode.InvalidToken), String(error)).toBe(true);
    }
  };
  const valid = [`L402 version="0", token="${MAC}", invoice="${INVOICE}"`, `L402 ${MAC}:${PREIMAGE}`];
  const mutated = fc
    .tuple(
      fc.constantFrom(...valid),
      fc.nat(),
      fc.constantFrom('delete', 'insert', 'replace'),
      fc.constantFrom(...' ,="=:abcL402LSAT+/-_'),
    )
    .map(([text, at, how, char]) => {
      const i = at % text.length;
      if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
      if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
      return text.slice(0, i) + char + text.slice(i + 1);
    });

  it('gives only INVALID_TOKEN on random and mutated headers', () => {
    for (const parse of [parseChallenges, parseAuthorization]) {
      fc.assert(fc.property(fc.string({ maxLength: 300 }), onlyTyped(parse)), { numRuns: 1000 });
      fc.assert(fc.property(mutated, onlyTyped(parse)), { numRuns: 1000 });
    }
  });
});
