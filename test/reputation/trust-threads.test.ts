import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type EigenTrustResult, eigenTrust, TrustThreads } from '../../src/reputation/index.js';
import { addInteractions, buildTrustMatrix } from '../../src/reputation/trust-graph.js';
import { arbitraryInteractions, syntheticInteractions } from '../fixtures/trust-graph.js';

const threads = new TrustThreads(2);
afterAll(() => threads.close());

/** The same doubles, bit for bit (-0 and 0 told apart), the same number of steps, the same last change. */
function expectIdentical(shared: EigenTrustResult, alone: EigenTrustResult): void {
  expect(shared.iterations).toBe(alone.iterations);
  expect(Object.is(shared.residual, alone.residual)).toBe(true);
  expect(shared.converged).toBe(alone.converged);
  expect(shared.trust.length).toBe(alone.trust.length);
  const differing = Array.from(shared.trust.keys()).filter(
    (i) => !Object.is(shared.trust[i], alone.trust[i]),
  );
  expect(differing).toEqual([]);
}

describe('EigenTrust over threads', () => {
  it("gives bit for bit the calling thread's result on any graph, seeds and warm start", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 60 })
          .chain((n) =>
            fc.tuple(
              arbitraryInteractions(n, 300),
              fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: 4 }),
              fc.option(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n })),
            ),
          ),
        fc.constantFrom(1e-12, 1e-6),
        ([interactions, seedList, start], tolerance) => {
          const matrix = buildTrustMatrix(interactions);
          const seeds = Int32Array.from(seedList);
          const options = { tolerance, ...(start === null ? {} : { warmStart: Float64Array.from(start) }) };
          expectIdentical(
            eigenTrust(matrix, seeds, { ...options, threads }),
            eigenTrust(matrix, seeds, { ...options, threads: false }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives the same result on a synthetic economy, cold and warm, and with iterations capped', () => {
    const matrix = buildTrustMatrix(syntheticInteractions(5_000, 50_000, 'threads'));
    const seeds = Int32Array.from({ length: 10 }, (_, i) => i);
    const cold = eigenTrust(matrix, seeds, { threads: false });
    expectIdentical(eigenTrust(matrix, seeds, { threads }), cold);
    const start = cold.trust.map((v, i) => v * (1 + (i % 7) * 1e-4));
    expectIdentical(
      eigenTrust(matrix, seeds, { threads, warmStart: start }),
      eigenTrust(matrix, seeds, { threads: false, warmStart: start }),
    );
    expectIdentical(
      eigenTrust(matrix, seeds, { threads, maxIterations: 3 }),
      eigenTrust(matrix, seeds, { threads: false, maxIterations: 3 }),
    );
  });

  it('gives the same result through a chain of updates, on threads that ran other matrices between them', () => {
    // The threads across a chain of updates, as a refresh runs them (each run transposes its matrix anew).
    // Updates with negative weights empty some entries and rows; a run on another matrix, or the same one twice,
    // sits between them.
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 50 })
          .chain((n) =>
            fc.tuple(
              arbitraryInteractions(n, 200),
              fc.array(arbitraryInteractions(n, 30), { minLength: 1, maxLength: 5 }),
              fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: 3 }),
              fc.integer({ min: 0, max: 5 }),
            ),
          ),
        ([interactions, updates, seedList, interlude]) => {
          const seeds = Int32Array.from(seedList);
          let matrix = buildTrustMatrix(interactions);
          let warm = eigenTrust(matrix, seeds, { threads }).trust;
          for (const [u, added] of updates.entries()) {
            matrix = addInteractions(matrix, added);
            if (u === interlude) eigenTrust(buildTrustMatrix(added), seeds, { threads });
            const alone = eigenTrust(matrix, seeds, { threads: false, warmStart: warm });
            expectIdentical(eigenTrust(matrix, seeds, { threads, warmStart: warm }), alone);
            if (u === interlude + 1)
              expectIdentical(eigenTrust(matrix, seeds, { threads, warmStart: warm }), alone);
            warm = alone.trust;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the same result on a synthetic economy through a chain of refresh-sized updates', () => {
    const seeds = Int32Array.from({ length: 10 }, (_, i) => i);
    let matrix = buildTrustMatrix(syntheticInteractions(5_000, 50_000, 'threads-chain'));
    let warm = eigenTrust(matrix, seeds, { threads }).trust;
    for (let round = 0; round < 4; round++) {
      const added = syntheticInteractions(5_000, 500, `threads-chain-${round}`);
      // A few statements taken back, as a rating since changed takes its predecessor back.
      for (let k = 0; k < 50; k++) added.weight[k] = -(added.weight[k] as number);
      matrix = addInteractions(matrix, added);
      const alone = eigenTrust(matrix, seeds, { threads: false, warmStart: warm });
      expectIdentical(eigenTrust(matrix, seeds, { threads, warmStart: warm }), alone);
      warm = alone.trust;
    }
  });

  it('leaves the calling thread to compute alone when a worker does not answer in time', () => {
    // A worker that has only just started cannot answer within a microsecond: the run is given up and done alone.
    const slow = new TrustThreads(1, { stepTimeoutMs: 0 });
    const matrix = buildTrustMatrix(syntheticInteractions(2_000, 20_000, 'threads-slow'));
    const seeds = Int32Array.of(0, 1);
    const result = eigenTrust(matrix, seeds, { threads: slow });
    expect(slow.usable).toBe(false);
    expectIdentical(result, eigenTrust(matrix, seeds, { threads: false }));
  });
});
