// A receipt's payer is the provider's word: reputation counted an unrated receipt at half weight as trust from the
// payer it named, so a provider drew trust from any agent it cared to name, seeds first, without any payment by them.
import { describe, expect, it } from 'vitest';
import type { AgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { SCORE_SCALE } from '../../src/reputation/index.js';
import { signedReceipt } from '../fixtures/signed-receipts.js';
import { ratingAt, reputationOf, T0, trustMarket } from './trust-fixture.js';

describe('attack: a provider naming the seeds as payers of receipts they never rated', () => {
  it('draws no trust from them; a payer that rates the receipt does give it', async () => {
    const { seeds, honest, attacker, events } = trustMarket();
    // 30 receipts of invoices the attacker paid itself (it knows their preimages), each naming a seed, ten times the
    // honest trade's amounts.
    const forged = Array.from({ length: 30 }, (_, k) =>
      signedReceipt(attacker.key, attacker.node, seeds[k % 3]?.id as string, T0 + 300 + k, 1_000_000),
    );
    const before = await reputationOf([events]);
    const after = await reputationOf([events, forged]);
    expect(after.score(attacker.key.id)).toBe(0);
    expect(after.explain(attacker.key.id).receipts).toEqual([]);
    // Nothing moved for anyone else either.
    for (const id of [...seeds.map((s) => s.id), honest.key.id])
      expect(after.score(id)).toBe(before.score(id));
    expect(after.score(honest.key.id) / SCORE_SCALE).toBeGreaterThan(0.4);

    // The payer's own word does carry trust: a seed rating one of those receipts 2 trusts the attacker.
    const rating = ratingAt(seeds[0] as AgentKey, forged[0] as LedgerEvent, 2, T0 + 400);
    const rated = await reputationOf([events, forged, [rating]]);
    expect(rated.score(attacker.key.id)).toBeGreaterThan(0);
  });
});
