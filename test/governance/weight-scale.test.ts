// Issue 17: a reputation snapshot may express its weights in another unit (a public scale in [1, 2), recomputed by
// every replica), chosen so that the powers of two the circuit's pieces are made of are shared by k members. Measured
// on the demo's reputation vote (9 members, k = 8), where the plain rule counts 93.95 % of the weight.
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import {
  anonymitySets,
  anonymousPieces,
  checkSnapshot,
  choosePieceRule,
  chooseWeightScale,
  createProposal,
  denominationCounts,
  draftProposal,
  type MemberWeight,
  PROOF_BUDGET,
  pieceReveal,
  pieceWeight,
  proposalWeightScale,
  ruleCost,
  scaledWeight,
  scaleMembers,
  UNIT_SCALE,
} from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { SeededRandom } from '../../src/sim/index.js';

/** The default demo's reputation snapshot (`npm run demo`, seed agora402), in ppb, heaviest first. */
const DEMO_REPUTATION = [
  219_040_637n,
  215_277_672n,
  108_108_108n,
  108_108_108n,
  108_108_108n,
  108_108_108n,
  108_108_108n,
  20_342_014n,
  4_799_136n,
];
const members = (weights: readonly bigint[]): MemberWeight[] =>
  weights.map((weight, i) => ({ agent: `m${i}`, weight }));
const percent = (part: bigint, whole: bigint) => Number((part * 1_000_000n) / whole) / 10_000;

/** What every member casting under the proposal's rule counts, the p99 proofs, and each cast piece's anonymity set. */
function castAll(snapshot: readonly MemberWeight[], k: number) {
  const rule = choosePieceRule(snapshot, k);
  const counts = denominationCounts(snapshot, rule);
  const votes = snapshot.flatMap((member) =>
    anonymousPieces(member.weight, rule, counts, k).map((piece, i) => ({
      id: `${member.agent}/${i}`,
      votingWeight: pieceWeight(piece),
    })),
  );
  const sets = anonymitySets(snapshot, votes, pieceReveal(rule)).map((set) => set.candidates.length);
  const cost = ruleCost(snapshot, rule, k);
  const proofs = [...cost.proofs].sort((a, b) => a - b);
  return {
    countedPct: percent(cost.counted, cost.total),
    counted: votes.reduce((sum, vote) => sum + vote.votingWeight, 0n),
    p99: proofs[Math.ceil(0.99 * proofs.length) - 1] as number,
    smallestSet: Math.min(...sets),
  };
}

describe('the weight scale of a reputation snapshot', () => {
  it('counts 98.5 % of the demo reputation vote instead of 93.95 %, every piece among 8 members, p99 within 16 proofs', () => {
    const plain = members(DEMO_REPUTATION);
    const before = castAll(plain, 8);
    expect(before.countedPct).toBeCloseTo(93.95, 1);
    const scale = chooseWeightScale(plain, 8);
    expect(scale).not.toBe(UNIT_SCALE);
    const scaled = scaleMembers(plain, scale);
    const after = castAll(scaled, 8);
    expect(after.countedPct).toBeGreaterThanOrEqual(98.5);
    expect(after.p99).toBeLessThanOrEqual(PROOF_BUDGET);
    expect(after.smallestSet).toBeGreaterThanOrEqual(8);
    // Weights stay proportional: each is the reputation times scale / 2^16, rounded down.
    for (const [i, member] of scaled.entries()) {
      const exact = (plain[i] as MemberWeight).weight * BigInt(scale);
      expect(member.weight).toBe(exact >> 16n);
      expect(member.weight).toBe(scaledWeight((plain[i] as MemberWeight).weight, scale));
    }
  });

  it('keeps the unit where the plain rule already counts 99 % (1,000 Pareto members), and always for stakes', () => {
    const random = new SeededRandom('agora402 anonymity study');
    const pareto = members(
      Array.from({ length: 1_000 }, () => BigInt(Math.floor(1_000_000 / (1 - random.next()) ** (1 / 1.2)))),
    );
    expect(chooseWeightScale(pareto, 8)).toBe(UNIT_SCALE);
    expect(proposalWeightScale('stake', members(DEMO_REPUTATION))).toBe(UNIT_SCALE);
    expect(proposalWeightScale('quadratic', members(DEMO_REPUTATION))).toBe(UNIT_SCALE);
    expect(proposalWeightScale('reputation', members(DEMO_REPUTATION))).toBe(
      chooseWeightScale(members(DEMO_REPUTATION), 8),
    );
  });

  it('is recomputed by the snapshot check: a reputation proposal declaring another scale is invalid', async () => {
    const NOW = 1_800_000_000;
    const at = (seconds: number) => new ManualClock(seconds * 1000);
    const founders = Array.from({ length: 3 }, () => generateAgentKey());
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ network: 'regtest', config: { seeds: founders.map((key) => key.id) } }),
    });
    try {
      await ledger.appendBatch(
        await Promise.all(founders.map((key) => createAgentRegistration(key, { clock: at(NOW - 86_400) }))),
      );
      const proposer = founders[0] as (typeof founders)[number];
      const drafted = await draftProposal(
        ledger,
        {
          title: 'A reputation vote',
          options: ['for', 'against', 'abstain'],
          counting: 'single',
          weightMode: 'reputation',
          quorum: 1_000,
          threshold: 5_000,
          window: { opens: NOW + 10, closes: NOW + 3_600 },
          minWeight: '1',
          actions: [],
        },
        { proposer, clock: at(NOW) },
      );
      await ledger.appendBatch(drafted.sources);
      const honest = createProposal(proposer, drafted.body, { clock: at(NOW) });
      await ledger.append(honest);
      expect((await checkSnapshot(ledger, parseEnvelope(honest).id)).status).toBe('valid');
      // Three seeds of equal trust share every bit: the unit is kept and no scale is written.
      expect(drafted.body.pieces?.scale).toBeUndefined();
      const pieces = { ...(drafted.body.pieces as NonNullable<typeof drafted.body.pieces>), scale: 70_000 };
      const rescaled = createProposal(proposer, { ...drafted.body, pieces }, { clock: at(NOW + 1) });
      await ledger.append(rescaled);
      expect(await checkSnapshot(ledger, parseEnvelope(rescaled).id)).toEqual({
        status: 'invalid',
        reason: `its weight scale is 70000/${UNIT_SCALE}; the snapshot gives ${UNIT_SCALE}/${UNIT_SCALE}`,
      });
      // A scale on stake weights (sats) is refused outright, as is one outside [2^16, 2^17).
      for (const body of [
        { ...drafted.body, weightMode: 'stake' as const, pieces },
        { ...drafted.body, pieces: { ...pieces, scale: 2 * UNIT_SCALE } },
      ])
        expect(() => createProposal(proposer, body, { clock: at(NOW + 2) })).toThrow(
          /pieces is \{top, floor\}/,
        );
    } finally {
      await ledger.close();
    }
  });
});
