// A receipt's time is the provider's word, and a statement's weight doubles per half-life of it: a receipt dated a
// year ahead weighed 2^12 times a current one in its payer's row, so a provider took most of its customers' trust by
// dating its receipts ahead.
import { describe, expect, it } from 'vitest';
import type { AgentKey } from '../../src/identity/index.js';
import { parseEnvelope } from '../../src/ledger/index.js';
import { type ReceiptFact, Reputation } from '../../src/reputation/index.js';
import { signedReceipt } from '../fixtures/signed-receipts.js';
import { DAY, ratingAt, reputationOf, T0, trustMarket } from './trust-fixture.js';

describe('attack: a provider dating its receipts a year ahead', () => {
  it('gains nothing: a rating weighs at the payer’s time, bounded by the moment the scores are for', async () => {
    const { seeds, honest, attacker, events } = trustMarket();
    const seed = seeds[0] as AgentKey;
    // One more sale each from the same seed, same amount, rated 2 the same second: the attacker dated its receipt a
    // year ahead.
    const fair = signedReceipt(honest.key, honest.node, seed.id, T0 + 500, 100_000);
    const ahead = signedReceipt(attacker.key, attacker.node, seed.id, T0 + 365 * DAY, 100_000);
    const sales = [fair, ahead, ratingAt(seed, fair, 2, T0 + 600), ratingAt(seed, ahead, 2, T0 + 600)];
    const reputation = await reputationOf([events, sales]);
    const share = (provider: string, receipt: string) =>
      reputation.explain(provider, 100).receipts.find((r) => r.receipt === receipt)?.score as number;
    // The seed's statements about the two sales weigh the same: the attacker's is not 2^12 times the other.
    const ofAhead = share(attacker.key.id, parseEnvelope(ahead).id);
    const ofFair = share(honest.key.id, parseEnvelope(fair).id);
    expect(ofAhead).toBeGreaterThan(0);
    expect(Math.abs(ofAhead - ofFair)).toBeLessThanOrEqual(ofAhead / 1_000);
    expect(reputation.score(attacker.key.id)).toBeLessThan(reputation.score(honest.key.id));

    // Scores fixed at a moment (a snapshot's `asOf`) count nothing dated after it, receipt or rating.
    const fixed = await reputationOf([events, sales], { asOf: T0 + 1_000 });
    expect(fixed.score(attacker.key.id)).toBe(0);
  });

  it('lets no rater gain by dating its rating ahead of the moment the scores are for', () => {
    // Facts given directly: a receipt and its rating dated ten years after `asOf` count as made at `asOf`.
    const [payer, a, b] = ['01', '02', '03'].map((x) => x.repeat(32)) as [string, string, string];
    const fact = (id: string, provider: string, at: number): ReceiptFact => ({
      id: id.repeat(64),
      provider,
      payer,
      amountMsat: 1_000_000,
      created: at,
      serviceRating: 2,
      ratedAt: at,
    });
    const asOf = T0 + DAY;
    const reputation = Reputation.fromFacts(
      [{ id: payer, created: 0 }],
      [fact('a', a, asOf), fact('b', b, asOf + 3_650 * DAY)],
      { asOf },
    );
    expect(reputation.score(b)).toBe(reputation.score(a));
    expect(reputation.score(a)).toBeGreaterThan(0);
  });
});
