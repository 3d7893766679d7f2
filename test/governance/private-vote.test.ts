import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { publicationTimes } from '../../src/governance/index.js';
import { thrownAgoraError } from '../helpers.js';

describe('publication times of a voter pieces', () => {
  it('fall in the rest of the window, each drawn on its own, whatever the randomness', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: -5_000, max: 15_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 40,
        }),
        (opens, length, offset, draws) => {
          const window = { opens, closes: opens + length };
          const now = opens + offset;
          if (now >= window.closes) return;
          let i = 0;
          const times = publicationTimes({ window }, draws.length, now, () => draws[i++] as number);
          expect(times).toHaveLength(draws.length);
          for (const time of times) {
            expect(time).toBeGreaterThanOrEqual(Math.max(now, opens));
            expect(time).toBeLessThan(window.closes);
          }
          expect([...times].sort((a, b) => a - b)).toEqual(times);
        },
      ),
    );
  });

  it('spread over the whole window with the default (secure) randomness, and refuse a closed window', () => {
    const times = publicationTimes({ window: { opens: 1_000, closes: 4_600 } }, 400, 0);
    expect(times[0]).toBeLessThan(1_000 + 360);
    expect(times.at(-1)).toBeGreaterThan(4_600 - 360);
    // Not bunched: at least half the 36 hundred-second slots hold a piece.
    expect(new Set(times.map((t) => Math.floor((t - 1_000) / 100))).size).toBeGreaterThan(18);
    thrownAgoraError(
      () => publicationTimes({ window: { opens: 0, closes: 10 } }, 1, 10),
      ErrorCode.InvalidState,
    );
  });
});
