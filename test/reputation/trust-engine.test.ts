import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addInteractions, eigenTrust, TrustEngine } from '../../src/reputation/index.js';
import { buildTrustMatrix } from '../../src/reputation/trust-graph.js';
import { arbitraryInteractions, concatInteractions, syntheticInteractions } from '../fixtures/trust-graph.js';

const seeds = Int32Array.from({ length: 5 }, (_, i) => i);

const l1 = (a: Float64Array, b: Float64Array) =>
  a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] as number)), 0);

describe('TrustEngine', () => {
  it('patches a matrix into exactly the one built from all the statements', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 30 })
          .chain((n) => fc.tuple(arbitraryInteractions(n, 120), arbitraryInteractions(n, 40))),
        ([before, added]) => {
          const patched = addInteractions(buildTrustMatrix(before), added);
          const rebuilt = buildTrustMatrix(concatInteractions(before, added));
          expect(patched.rowStart).toEqual(rebuilt.rowStart);
          expect(patched.column).toEqual(rebuilt.column);
          expect(patched.raw).toEqual(rebuilt.raw);
          expect(patched.value).toEqual(rebuilt.value);
        },
      ),
    );
  });

  it('updates to the integer scores a full recompute gives, in fewer iterations', () => {
    const before = syntheticInteractions(3_000, 30_000, 'engine-before');
    const added = syntheticInteractions(3_000, 300, 'engine-added');
    const incremental = new TrustEngine(before, seeds);
    incremental.update(added);
    const full = new TrustEngine(concatInteractions(before, added), seeds);
    const differing = Array.from({ length: 3_000 }, (_, i) => i).filter(
      (i) => incremental.score(i) !== full.score(i),
    );
    expect(differing).toEqual([]);
    expect(incremental.iterations).toBeLessThan(full.iterations);
    expect(incremental.converged).toBe(true);
  });

  it('with a tolerance, stops earlier and stays within its certified error bound', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 6, max: 40 })
          .chain((n) => fc.tuple(arbitraryInteractions(n, 200), arbitraryInteractions(n, 30))),
        fc.double({ min: 1e-9, max: 1e-2, noNaN: true }),
        ([before, added], tolerance) => {
          const engine = new TrustEngine(before, seeds);
          engine.update(added, { tolerance });
          // Exact to 1e-15: a reference for what "the exact vector" is.
          const exact = new TrustEngine(concatInteractions(before, added), seeds, { tolerance: 1e-15 });
          expect(engine.errorBound).toBeLessThanOrEqual(tolerance);
          expect(l1(engine.trust, exact.trust)).toBeLessThanOrEqual(
            engine.errorBound + exact.errorBound + 1e-14,
          );
        },
      ),
    );
    const before = syntheticInteractions(3_000, 30_000, 'engine-before');
    const added = syntheticInteractions(3_000, 300, 'engine-added');
    const exact = new TrustEngine(before, seeds);
    exact.update(added);
    const loose = new TrustEngine(before, seeds);
    loose.update(added, { tolerance: 1e-6 });
    expect(loose.iterations).toBeLessThan(exact.iterations);
    expect(l1(loose.trust, exact.trust)).toBeLessThanOrEqual(loose.errorBound + exact.errorBound);
  });

  it('reports an error bound that holds for a full compute too', () => {
    const interactions = syntheticInteractions(2_000, 20_000, 'engine-bound');
    const rough = new TrustEngine(interactions, seeds, { tolerance: 1e-4 });
    const exact = new TrustEngine(interactions, seeds, { tolerance: 1e-15 });
    expect(rough.errorBound).toBeGreaterThan(0);
    expect(l1(rough.trust, exact.trust)).toBeLessThanOrEqual(rough.errorBound + exact.errorBound);
  });

  it('rescales a warm start that does not sum to 1 instead of iterating the excess away', () => {
    const matrix = buildTrustMatrix(syntheticInteractions(2_000, 20_000, 'engine-warm'));
    const cold = eigenTrust(matrix, seeds);
    const warm = eigenTrust(matrix, seeds, { warmStart: cold.trust.map((v) => v * 3) });
    expect(warm.iterations).toBeLessThanOrEqual(2);
    expect(l1(warm.trust, cold.trust)).toBeLessThan(1e-11);
  });

  it('refuses an update that brings new agents', () => {
    const engine = new TrustEngine(syntheticInteractions(10, 30, 'engine-small'), seeds);
    expect(() => engine.update(syntheticInteractions(11, 3, 'engine-more'))).toThrow(RangeError);
  });
});
