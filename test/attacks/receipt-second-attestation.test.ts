// Anyone can sign a second receipt for a payment it has seen (the preimage is in the first): the provider itself, or
// an agent that lists the provider's node key in its registration (node keys are not proven). The lowest receipt id
// attested a payment whatever its payer, so a second receipt ground to a lower id pushed the payer's rating out: a
// provider erased a -2, a copier took an honest provider's trust away.
import { describe, expect, it } from 'vitest';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { quickRegistration, signedReceipt } from '../fixtures/signed-receipts.js';
import { ratingAt, reputationOf, secondReceipt, T0, trustMarket } from './trust-fixture.js';

const idOf = (event: LedgerEvent) => parseEnvelope(event).id;

describe('attack: a second receipt for a payment, with a lower id', () => {
  it('does not erase the payer’s rating of the first, whoever it names and whatever order events arrive in', async () => {
    const { seeds, attacker, events } = trustMarket();
    const seed = seeds[0] as AgentKey;
    // The seed bought twice from the attacker: once well served (2), once cheated (-2). Its trust nets to nothing.
    const good = signedReceipt(attacker.key, attacker.node, seed.id, T0 + 500, 100_000);
    const cheat = signedReceipt(attacker.key, attacker.node, seed.id, T0 + 501, 100_000);
    const ratings = [ratingAt(seed, good, 2, T0 + 600), ratingAt(seed, cheat, -2, T0 + 601)];
    const honestly = await reputationOf([events, [good, cheat], ratings]);
    expect(honestly.score(attacker.key.id)).toBe(0);
    // The attacker signs the cheated payment again, below the rated receipt's id: naming the seed, naming nobody,
    // and naming a fresh key of its own that rates it 2.
    const sybil = generateAgentKey();
    const again = [
      secondReceipt(attacker.key, cheat, seed.id, T0 + 700, idOf(cheat)),
      secondReceipt(attacker.key, cheat, null, T0 + 701, idOf(cheat)),
    ];
    const toSybil = secondReceipt(attacker.key, cheat, sybil.id, T0 + 702, idOf(cheat));
    const attack = [
      quickRegistration(sybil, T0 + 50),
      ...again,
      toSybil,
      ratingAt(sybil, toSybil, 2, T0 + 703),
    ];
    for (const batches of [
      [events, [good, cheat], ratings, attack],
      [events, attack.slice(0, 3), [good, cheat], attack.slice(3), ratings],
    ]) {
      const after = await reputationOf(batches);
      expect(after.score(attacker.key.id)).toBe(0);
      expect(after.explain(attacker.key.id, 100).receipts.map((r) => r.rating)).toContain(-2);
    }
  });

  it('copied under a node key the copier lists as its own takes no trust from the provider who earned it', async () => {
    const { seeds, honest, events } = trustMarket();
    const seed = seeds[0] as AgentKey;
    const sale = signedReceipt(honest.key, honest.node, seed.id, T0 + 500, 100_000);
    const rated = [sale, ratingAt(seed, sale, 2, T0 + 600)];
    const before = await reputationOf([events, rated]);
    // The copier registers (backdated) listing the honest provider's node key, and signs the sale as its own.
    const copier = generateAgentKey();
    const copy = [
      quickRegistration(copier, T0 + 20, [honest.node.nodeKey]),
      secondReceipt(copier, sale, seed.id, T0 + 700, idOf(sale)),
    ];
    const after = await reputationOf([events, rated, copy]);
    expect(after.score(honest.key.id)).toBe(before.score(honest.key.id));
    expect(after.score(copier.id)).toBe(0);
  });
});
