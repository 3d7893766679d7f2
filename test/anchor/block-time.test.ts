import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorNetwork,
  blockWork,
  type Checkpoint,
  leastMedianTimePast,
  MEDIAN_TIME_SPAN,
  parseBlockHeader,
  verifyHeaderRun,
} from '../../src/anchor/index.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';
import { mineHeader } from './regtest-chain.js';

const median = (times: readonly number[]) =>
  [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;

describe('the least median time past', () => {
  it('is the median of 11 known times, the (6 - u)-th smallest known with u unknown, none with 6 unknown', () => {
    const times = [50, 10, 90, 20, 80, 30, 70, 40, 60, 100, 0];
    expect(leastMedianTimePast(times)).toBe(50);
    // More than 11 given: the last 11 only.
    expect(leastMedianTimePast([1_000, ...times])).toBe(50);
    expect(leastMedianTimePast(times.slice(1))).toBe(40);
    expect(leastMedianTimePast(times.slice(5))).toBe(0);
    expect(leastMedianTimePast(times.slice(6))).toBeUndefined();
    expect(leastMedianTimePast([], 7)).toBe(7);
    expect(leastMedianTimePast(times, 60)).toBe(60);
    expect(leastMedianTimePast(times, 40)).toBe(50);
  });

  it('never exceeds the median of the full span, whatever the unknown times, and is it when none is unknown', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), {
          minLength: MEDIAN_TIME_SPAN,
          maxLength: MEDIAN_TIME_SPAN,
        }),
        fc.integer({ min: 0, max: MEDIAN_TIME_SPAN }),
        (span, unknown) => {
          const least = leastMedianTimePast(span.slice(unknown));
          if (least !== undefined) expect(least).toBeLessThanOrEqual(median(span));
          if (unknown === 0) expect(least).toBe(median(span));
        },
      ),
    );
  });
});

describe('header runs and the median time past', () => {
  const T = 1_300_000_000;
  const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('checkpoint'))), T);
  const checkpoint: Checkpoint = { height: 10, hash: parseBlockHeader(top).hash, header: top, chainWork: 5n };
  /** The checkpoint and headers after it dated `times`. */
  const chainOf = (times: readonly number[]) => {
    const chain = [top];
    for (const [i, time] of times.entries()) {
      const previous = parseBlockHeader(chain[i] as string).hash;
      chain.push(mineHeader(previous, toHex(sha256(utf8(`block ${i} ${time}`))), time));
    }
    return {
      height: 10,
      headers: chain,
      chainWork: (5n + BigInt(times.length) * blockWork(0x207fffff)).toString(),
    };
  };
  const steady = Array.from({ length: 14 }, (_, i) => T + 600 * (i + 1));

  it('accept a chain whose times go back now and then, above the median of the 11 before', () => {
    // Block 17 is dated before its parent, yet after the median of the 11 before it: Bitcoin takes it.
    const times = [...steady];
    times[6] = T + 600 * 4 + 1;
    expect(verifyHeaderRun(chainOf(times), undefined, 'regtest', checkpoint)).toHaveLength(15);
  });

  it('refuse a header dated at or before the median of the 11 before it', () => {
    for (const [index, time] of [
      [12, T + 600 * 7],
      [13, T + 600 * 8 - 1],
      [5, T - 86_400],
    ] as const) {
      const times = [...steady];
      times[index] = time;
      const error = thrownAgoraError(
        () => verifyHeaderRun(chainOf(times), undefined, 'regtest', checkpoint),
        ErrorCode.InvalidProof,
      );
      expect(error.message).toMatch(`block ${11 + index} is dated ${time}, not after the median time`);
    }
  });

  it("refuse a header not after the checkpoint's median time past, however few headers precede it", () => {
    const times = [T - 600, ...steady.slice(1)];
    // Without the checkpoint's median time past, the first block past it has no known bound.
    expect(verifyHeaderRun(chainOf(times), undefined, 'regtest', checkpoint)).toHaveLength(15);
    const bounded = { ...checkpoint, medianTimePast: T - 600 };
    thrownAgoraError(
      () => verifyHeaderRun(chainOf(times), undefined, 'regtest', bounded),
      ErrorCode.InvalidProof,
    );
    const earlier = { ...checkpoint, medianTimePast: T - 601 };
    expect(verifyHeaderRun(chainOf(times), undefined, 'regtest', earlier)).toHaveLength(15);
  });

  it('refuse a checkpoint whose median time past is after its own time, or not whole seconds', () => {
    for (const medianTimePast of [T + 1, 0.5, Number.NaN])
      thrownAgoraError(
        () => anchorNetwork({ chain: 'regtest', checkpoint: { ...checkpoint, medianTimePast } }),
        ErrorCode.InvalidArgument,
      );
    expect(
      anchorNetwork({ chain: 'regtest', checkpoint: { ...checkpoint, medianTimePast: T } }).checkpoint,
    ).toBeDefined();
  });
});
