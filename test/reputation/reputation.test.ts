import { describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import { type ReceiptFact, Reputation, SCORE_SCALE } from '../../src/reputation/index.js';

const ids = (count: number) => Array.from({ length: count }, () => generateAgentKey().id);
let counter = 0;
const fact = (
  payer: string,
  provider: string,
  amountMsat: number,
  extra: Partial<ReceiptFact> = {},
): ReceiptFact => ({
  id: (counter++).toString(16).padStart(64, '0'),
  provider,
  payer,
  amountMsat,
  created: 1_750_000_000,
  ...extra,
});

/** Three honest payers registered first (the seeds), three honest providers, honest traffic. */
function honestWorld() {
  const payers = ids(3);
  const providers = ids(3);
  const registrations = [...payers, ...providers].map((id, i) => ({ id, created: 1_000 + i }));
  const facts: ReceiptFact[] = [];
  for (const payer of payers) {
    providers.forEach((provider, k) => {
      for (let n = 0; n < 4; n++)
        facts.push(fact(payer, provider, (k + 1) * 1_000_000, { serviceRating: 2 }));
    });
  }
  return { payers, providers, registrations, facts };
}

describe('reputation', () => {
  it('gives honest providers scores roughly in proportion to the sats they earned', () => {
    const { providers, registrations, facts } = honestWorld();
    const reputation = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    const [a, b, c] = providers.map((p) => reputation.score(p)) as [number, number, number];
    expect(b / a).toBeGreaterThan(1.6);
    expect(b / a).toBeLessThan(2.4);
    expect(c / a).toBeGreaterThan(2.4);
    expect(c / a).toBeLessThan(3.6);
    expect(reputation.stats.converged).toBe(true);
    expect(reputation.top(1)[0]?.id).toBe(providers[2]);
  });

  it('leaves a ring of 100 sybils that only pay each other with under 1% of all trust, whatever the volume', () => {
    const { registrations, facts } = honestWorld();
    const sybils = ids(100);
    for (let round = 0; round < 5; round++) {
      sybils.forEach((sybil, i) => {
        facts.push(fact(sybil, sybils[(i + 1) % 100] as string, 1_000_000_000_000, { serviceRating: 2 }));
        facts.push(
          fact(sybil, sybils[(i + 37) % 100] as string, 500_000_000_000, {
            serviceRating: 2,
            payerRating: 2,
          }),
        );
      });
    }
    const reputation = Reputation.fromFacts(
      [...registrations, ...sybils.map((id, i) => ({ id, created: 5_000 + i }))],
      facts,
      { seedCount: 3 },
    );
    const total = sybils.reduce((sum, id) => sum + reputation.score(id), 0);
    expect(total / SCORE_SCALE).toBeLessThan(0.01);
  });

  it('drops a provider that takes payment and serves garbage below the blacklist threshold after a handful of bad receipts', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    const cheat = ids(1)[0] as string;
    for (const payer of payers) facts.push(fact(payer, cheat, 3_000_000, { serviceRating: 2 }));
    const before = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    const honestAverage = providers.reduce((s, p) => s + before.score(p), 0) / providers.length;
    const threshold = honestAverage / 10;
    expect(before.score(cheat)).toBeGreaterThan(threshold);
    for (let n = 0; n < 5; n++)
      facts.push(fact(payers[n % 3] as string, cheat, 3_000_000, { serviceRating: -2 }));
    const after = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    expect(after.score(cheat)).toBeLessThan(threshold);
    expect(after.explain(cheat).receipts.some((r) => r.rating === -2)).toBe(true);
  });

  it('ignores self-payments and lets providers rate their payers', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    const loner = ids(1)[0] as string;
    const selfish = Reputation.fromFacts(
      registrations,
      [...facts, fact(loner, loner, 1e12, { serviceRating: 2 })],
      { seedCount: 3 },
    );
    expect(selfish.score(loner)).toBe(0);
    const rated = Reputation.fromFacts(
      registrations,
      [...facts, fact(loner, providers[0] as string, 1_000_000, { payerRating: 2 })],
      { seedCount: 3 },
    );
    expect(rated.score(loner)).toBeGreaterThan(0);
    expect(rated.explain(loner).trustedBy[0]?.agent).toBe(providers[0]);
    expect(rated.percentile(loner)).toBeGreaterThan(selfish.percentile(loner));
    expect(payers.length).toBe(3);
  });

  it('gives identical integer scores whatever order the receipts come in', () => {
    const { registrations, facts } = honestWorld();
    const shuffled = [...facts].reverse();
    const one = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    const two = Reputation.fromFacts([...registrations].reverse(), shuffled, { seedCount: 3 });
    for (const { id } of registrations) expect(two.score(id)).toBe(one.score(id));
  });

  it('updates incrementally to the same scores a full recompute gives', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    const extra = Array.from({ length: 50 }, (_, i) =>
      fact(payers[i % 3] as string, providers[(i * 7) % 3] as string, 10_000 * (i + 1), {
        serviceRating: (i % 5) - 2,
      }),
    );
    const incremental = Reputation.fromFacts(registrations, facts, { seedCount: 3 }).update(extra);
    const full = Reputation.fromFacts(registrations, [...facts, ...extra], { seedCount: 3 });
    for (const { id } of registrations)
      expect(Math.abs(incremental.score(id) - full.score(id))).toBeLessThanOrEqual(1);
    expect(incremental.stats.iterations).toBeLessThan(full.stats.iterations);
    // With a tolerance: within the certified bound of the full recompute (fewer iterations: see the engine's tests).
    const loose = Reputation.fromFacts(registrations, facts, { seedCount: 3 }).update(extra, {
      tolerance: 1e-4,
    });
    expect(loose.stats.errorBound).toBeLessThanOrEqual(1e-4);
    const distance = registrations.reduce(
      (sum, { id }) => sum + Math.abs(loose.score(id) - full.score(id)),
      0,
    );
    expect(distance).toBeLessThanOrEqual(
      (loose.stats.errorBound + full.stats.errorBound) * SCORE_SCALE + registrations.length,
    );
  });

  it('replaces a fact updated under the same id, to the scores a full recompute gives', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    const rerated = facts.slice(0, 6).map((f, i) => ({ ...f, serviceRating: i % 2 === 0 ? -2 : 0 }));
    const incremental = Reputation.fromFacts(registrations, facts, { seedCount: 3 }).update(rerated);
    const replaced = facts.map((f) => rerated.find((r) => r.id === f.id) ?? f);
    const full = Reputation.fromFacts(registrations, replaced, { seedCount: 3 });
    for (const id of [...payers, ...providers]) expect(incremental.score(id)).toBe(full.score(id));
    expect(incremental.explain(providers[0] as string).receipts).toEqual(
      full.explain(providers[0] as string).receipts,
    );
  });

  it('leaves no rounding dust behind when every statement of a row is taken back', () => {
    const { providers, registrations, facts } = honestWorld();
    // A payer trusted through a provider's rating, whose only trust statements are two payments it then rates 0.
    const [payer] = ids(1) as [string];
    const paid = [
      // Amounts whose weights' sum rounds: (w1 + w2) - w1 - w2 is 1.2e-7, not 0.
      fact(payer, providers[0] as string, 1_111_111, { serviceRating: 2, payerRating: 2 }),
      fact(payer, providers[0] as string, 2_222_223, { serviceRating: 1, payerRating: 2 }),
    ];
    let incremental = Reputation.fromFacts(registrations, [...facts, ...paid], { seedCount: 3 });
    for (const f of paid) incremental = incremental.update([{ ...f, serviceRating: 0 }]);
    const full = Reputation.fromFacts(
      registrations,
      [...facts, ...paid.map((f) => ({ ...f, serviceRating: 0 }))],
      { seedCount: 3 },
    );
    for (const id of [payer, ...providers]) expect(incremental.score(id)).toBe(full.score(id));
  });
});
