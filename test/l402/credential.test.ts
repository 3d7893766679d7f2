import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  CREDENTIAL_CAVEAT,
  credentialCaveat,
  credentialWeight,
  levelAtLeast,
  MAX_CREDENTIAL_HEADER,
  parseChallenge,
  parseCredentialCaveat,
  parseCredentialHeader,
  REPUTATION_LEVELS,
} from '../../src/l402/index.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';
import { credentialMarket, zk } from './credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

describe('anonymous reputation credentials', () => {
  it('serves a payer above the threshold without its id; one pseudonym per provider and epoch', async () => {
    const market = await credentialMarket();
    const a = market.provider('a');
    const b = market.provider('b');
    const first = await market.buy(market.agents.high, a);
    expect(first.response.status).toBe(200);
    const seen = (await first.response.json()) as { pseudonym: string | null; payer: string | null };
    expect(seen.payer).toBeNull();
    expect(seen.pseudonym).toMatch(/^\d+$/);
    // No request carried the payer's id, and the receipt names no payer.
    for (const headers of first.sent) expect(headers.get('agora-payer')).toBeNull();
    expect(first.receipts).toHaveLength(1);
    expect(first.receipts[0]?.body.payer).toBeNull();
    // A second purchase (a new token) in the same epoch: the same pseudonym.
    const second = await market.buy(market.agents.high, a);
    expect(((await second.response.json()) as { pseudonym: string }).pseudonym).toBe(seen.pseudonym);
    // Another provider sees another pseudonym.
    const elsewhere = await market.buy(market.agents.high, b);
    expect(((await elsewhere.response.json()) as { pseudonym: string }).pseudonym).not.toBe(seen.pseudonym);
    // A banned pseudonym is refused on its next request, its token's cached verdict included.
    market.banned.add(seen.pseudonym as string);
    const banned = await market.buy(market.agents.high, a);
    expect(banned.response.status).toBe(403);
    expect(await banned.response.text()).toContain('banned');
  }, 60_000);

  it('refuses a payer below the threshold, or outside the snapshot, before it pays', async () => {
    const market = await credentialMarket();
    const a = market.provider('a');
    for (const payer of [market.agents.low, market.agents.outsider]) {
      const balance = payer.node.spendableMsat;
      expect(balance).toBeGreaterThan(0);
      const error = await rejectedAgoraError(market.buy(payer, a), ErrorCode.InvalidProof);
      expect(error.message).toMatch(/below the 1000000 ppb|no leaf/);
      expect(payer.node.spendableMsat).toBe(balance);
    }
  }, 30_000);

  it('answers a paid token sent without a credential with a 402 and a reason, not a new invoice', async () => {
    const market = await credentialMarket();
    const a = market.provider('a');
    // A client that does not know the caveat: pays, and is told why it is not served.
    const challenge = await a.handle(new Request('http://provider.test/forecast'));
    const { tokens, invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
    const { preimage } = await market.agents.low.node.payInvoice(invoice);
    const paid = await a.handle(
      new Request('http://provider.test/forecast', {
        headers: { authorization: `L402 ${tokens[0]}:${preimage}` },
      }),
    );
    expect(paid.status).toBe(402);
    const body = (await paid.json()) as { error: string; reason: string };
    expect(body.reason).toContain('Agora-Credential');
    expect(paid.headers.get('www-authenticate')).toContain(tokens[0] as string);
  }, 30_000);
});

describe('credential formats', () => {
  it('maps scores to thermometer weights: bit i set exactly when the score reaches level i', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 30 }),
        (score, level) => {
          const set = ((credentialWeight(score) >> BigInt(level)) & 1n) === 1n;
          expect(set).toBe(score >= (REPUTATION_LEVELS[level] as number));
        },
      ),
    );
    expect(levelAtLeast(1_000_000)).toBe(15);
    expect(levelAtLeast(999_999)).toBe(15);
    thrownAgoraError(() => levelAtLeast(2_000_000_000), ErrorCode.InvalidArgument);
  });

  it('round-trips caveats, and refuses every other text with INVALID_TOKEN', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REPUTATION_LEVELS),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.array(fc.bigInt({ min: 0n, max: (1n << 253n) - 1n }), { minLength: 1, maxLength: 8 }),
        (threshold, epoch, roots) => {
          const text = credentialCaveat({ threshold, epoch, roots });
          expect(parseCredentialCaveat(text.slice(CREDENTIAL_CAVEAT.length + 1))).toEqual({
            threshold,
            epoch,
            roots,
          });
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 800 }), (text) => {
        try {
          parseCredentialCaveat(text);
        } catch (error) {
          expect((error as { code: string }).code).toBe(ErrorCode.InvalidToken);
        }
      }),
    );
    thrownAgoraError(() => parseCredentialCaveat(`1000:1:${'1'.repeat(800)}`), ErrorCode.InvalidToken);
    thrownAgoraError(() => parseCredentialCaveat('1001:1:5'), ErrorCode.InvalidToken);
  });

  it('reads only well-formed credential headers, the length checked first', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600 }), (text) => {
        try {
          parseCredentialHeader(text);
        } catch (error) {
          expect((error as { code: string }).code).toBe(ErrorCode.InvalidProof);
        }
      }),
    );
    const long = thrownAgoraError(() => parseCredentialHeader('A'.repeat(MAX_CREDENTIAL_HEADER + 1)));
    expect(long.message).toContain('longer than');
  });
});
