import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type Candidate, drawPanel, drawSeed, panelSize } from '../../src/disputes/index.js';
import { thrownAgoraError } from '../helpers.js';

const agent = (i: number) => i.toString(16).padStart(64, '0');
// Mainnet block 822528's hash: any block hash seeds the draw the same way on every replica.
const BLOCK = '000000000000000000001daacd23f9cb40c69ba923085618a5f9dbdd4d97e93a';
const DISPUTE = 'ab'.repeat(32);

const candidatesArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 500 }), { minLength: 0, maxLength: 40 })
  .chain((ids) =>
    fc.tuple(
      fc.constant(ids.map(agent)),
      fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), {
        minLength: ids.length,
        maxLength: ids.length,
      }),
    ),
  )
  .map(([ids, weights]) => ids.map((id, i) => ({ agent: id, weight: weights[i] as bigint })));

describe('the juror lottery', () => {
  it('is recomputed from the block hash: the same seed draws the same panel, another block another one', () => {
    const candidates = Array.from({ length: 12 }, (_, i) => ({
      agent: agent(i + 1),
      weight: BigInt(100 * (i + 1)),
    }));
    const seed = drawSeed(BLOCK, DISPUTE, 0);
    const panel = drawPanel(candidates, seed, 5);
    // Pinned: a change of the draw's rules changes every replica's panels, so it is a change of protocol.
    expect(panel).toMatchInlineSnapshot(`
      [
        "0000000000000000000000000000000000000000000000000000000000000006",
        "000000000000000000000000000000000000000000000000000000000000000b",
        "0000000000000000000000000000000000000000000000000000000000000007",
        "000000000000000000000000000000000000000000000000000000000000000c",
        "000000000000000000000000000000000000000000000000000000000000000a",
      ]
    `);
    expect(drawPanel([...candidates].reverse(), seed, 5)).toEqual(panel);
    expect(drawPanel(candidates, drawSeed(BLOCK.replace(/a$/, 'b'), DISPUTE, 0), 5)).not.toEqual(panel);
    expect(drawPanel(candidates, drawSeed(BLOCK, DISPUTE, 1), 5)).not.toEqual(panel);
  });

  it('draws distinct eligible agents of positive weight, never an excluded one, or refuses', () => {
    fc.assert(
      fc.property(
        candidatesArb,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(8),
        (candidates, seed, size) => {
          const excluded = new Set(candidates.filter((_, i) => i % 3 === 0).map((c) => c.agent));
          const eligible = candidates.filter((c) => c.weight > 0n && !excluded.has(c.agent));
          if (eligible.length < size) {
            thrownAgoraError(() => drawPanel(candidates, seed, size, excluded), ErrorCode.InvalidState);
            return;
          }
          const panel = drawPanel(candidates, seed, size, excluded);
          expect(panel).toHaveLength(size);
          expect(new Set(panel).size).toBe(size);
          for (const juror of panel) expect(eligible.map((c) => c.agent)).toContain(juror);
          expect(drawPanel(candidates, seed, size, excluded)).toEqual(panel);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('draws in proportion to weight', () => {
    const candidates: Candidate[] = [
      { agent: agent(1), weight: 1n },
      { agent: agent(2), weight: 3n },
    ];
    let heavy = 0;
    const runs = 4_000;
    for (let i = 0; i < runs; i++)
      if (drawPanel(candidates, drawSeed(BLOCK, agent(i), 0), 1)[0] === agent(2)) heavy++;
    // 3/4 expected; 4,000 draws put the frequency within 0.03 of it with overwhelming probability.
    expect(Math.abs(heavy / runs - 0.75)).toBeLessThan(0.03);
  });

  it('grows panels to 2n+1 on each appeal', () => {
    expect([0, 1, 2].map(panelSize)).toEqual([5, 11, 23]);
  });
});
