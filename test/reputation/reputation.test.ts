import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { type ReceiptFact, Reputation, SCORE_SCALE } from '../../src/reputation/index.js';
import { thrownAgoraError } from '../helpers.js';

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
      [...facts, fact(loner, providers[0] as string, 1_000_000, { serviceRating: 2, payerRating: 2 })],
      { seedCount: 3 },
    );
    expect(rated.score(loner)).toBeGreaterThan(0);
    expect(rated.explain(loner).trustedBy[0]?.agent).toBe(providers[0]);
    expect(rated.percentile(loner)).toBeGreaterThan(selfish.percentile(loner));
    // The self-payment moved no trust: everyone else scores as without it.
    const without = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    for (const id of [...payers, ...providers]) expect(selfish.score(id)).toBe(without.score(id));
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
    // The same integer scores, as documented: not merely close.
    for (const { id } of registrations) expect(incremental.score(id)).toBe(full.score(id));
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

  it('updates in place and returns itself, whether the update is incremental or a full recompute', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    const reputation = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    // Known agents: incremental.
    const more = fact(payers[0] as string, providers[1] as string, 5_000_000, { serviceRating: 2 });
    expect(reputation.update([more])).toBe(reputation);
    // A receipt naming a new agent: a full recompute, into the same instance.
    const newcomer = ids(1)[0] as string;
    const theirs = fact(newcomer, providers[2] as string, 5_000_000, { serviceRating: 2 });
    expect(reputation.update([theirs])).toBe(reputation);
    const full = Reputation.fromFacts(registrations, [...facts, more, theirs], { seedCount: 3 });
    for (const id of [...payers, ...providers, newcomer]) expect(reputation.score(id)).toBe(full.score(id));
    expect(reputation.stats.agents).toBe(full.stats.agents);
    // And it goes on updating from there.
    const later = fact(newcomer, providers[0] as string, 1_000_000, { serviceRating: -2 });
    expect(reputation.update([later]).score(providers[0] as string)).toBe(
      Reputation.fromFacts(registrations, [...facts, more, theirs, later], { seedCount: 3 }).score(
        providers[0] as string,
      ),
    );
  });

  it('refuses a half-life that is not a number of days from one second up', () => {
    const { registrations, facts } = honestWorld();
    for (const halfLifeDays of [0, -1, Number.NaN, -Infinity, Number.MIN_VALUE, 0.5 / 86_400, '30' as never])
      thrownAgoraError(
        () => Reputation.fromFacts(registrations, facts, { seedCount: 3, halfLifeDays }),
        ErrorCode.InvalidArgument,
      );
  });

  it('computes tiny half-lives without overflow: finite scores, receipts of one time in proportion', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    // Receipts of 2027, 1.3e8 s after the weights' epoch: 0.5 days made them weigh 2^3000 sats (Infinity, NaN scores).
    const recent = facts.map((f) => ({ ...f, created: 1_830_000_000 }));
    const reference = Reputation.fromFacts(registrations, recent, { seedCount: 3 });
    for (const halfLifeDays of [0.5, 0.01, 1 / 86_400]) {
      const reputation = Reputation.fromFacts(registrations, recent, { seedCount: 3, halfLifeDays });
      // All at one time, the decay is one factor per row, which normalization cancels: the same scores.
      for (const id of [...payers, ...providers]) expect(reputation.score(id)).toBe(reference.score(id));
      expect(reputation.stats.converged).toBe(true);
    }
    // Receipts at different times, half a day apart with a half-life of an hour: the newer one dominates, as decay
    // says, and nothing overflows.
    const [older, newer] = providers as [string, string];
    const spread = [
      fact(payers[0] as string, older, 1_000_000, { serviceRating: 2, created: 1_830_000_000 }),
      fact(payers[0] as string, newer, 1_000_000, { serviceRating: 2, created: 1_830_043_200 }),
    ];
    const hourly = Reputation.fromFacts(registrations, spread, { seedCount: 3, halfLifeDays: 1 / 24 });
    expect(Number.isSafeInteger(hourly.score(older))).toBe(true);
    expect(hourly.score(newer)).toBeGreaterThan(1_000 * Math.max(1, hourly.score(older)));
  });

  it('takes huge half-lives (no decay at all with Infinity) without overflow', () => {
    const { payers, providers, registrations, facts } = honestWorld();
    // All receipts at one time: decay changes nothing, whatever the half-life.
    const reference = Reputation.fromFacts(registrations, facts, { seedCount: 3 });
    for (const halfLifeDays of [1e6, 1e300, Number.MAX_VALUE, Number.POSITIVE_INFINITY]) {
      const reputation = Reputation.fromFacts(registrations, facts, { seedCount: 3, halfLifeDays });
      for (const id of [...payers, ...providers]) expect(reputation.score(id)).toBe(reference.score(id));
    }
    // Receipts far apart count alike with no decay: an old payment weighs what a new one does.
    const [old, young] = providers as [string, string];
    const spread = [
      fact(payers[0] as string, old, 1_000_000, { serviceRating: 2, created: 1_000_000_000 }),
      fact(payers[0] as string, young, 1_000_000, { serviceRating: 2, created: 2_000_000_000 }),
    ];
    const still = Reputation.fromFacts(registrations, spread, {
      seedCount: 3,
      halfLifeDays: Number.POSITIVE_INFINITY,
    });
    expect(still.score(old)).toBe(still.score(young));
    expect(still.score(old)).toBeGreaterThan(0);
  });
});
