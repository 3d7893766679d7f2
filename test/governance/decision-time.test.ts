import { describe, expect, it } from 'vitest';
import { DEFAULT_DECISION_TIME, HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import { decisionTiming, type ProposalBody } from '../../src/governance/index.js';

const DAY = 86_400;
const OPENS = 1_800_000_000;

/** The times of a proposal: what the time rule reads. */
const proposal = (asOf: number, opens: number, closes: number, lateQuorumExtension?: number) =>
  ({
    window: { opens, closes },
    snapshot: { asOf },
    ...(lateQuorumExtension === undefined ? {} : { lateQuorumExtension }),
  }) as unknown as ProposalBody;
const anchor = (blockTime: number) => ({ blockTime, height: 900_000, confirmation: 'ab'.repeat(32) });

describe('decisionTiming', () => {
  const closes = OPENS + 7 * DAY;
  const fair = proposal(OPENS - DAY, OPENS, closes);

  it('puts in effect a decision anchored within the grace, header tolerance included', () => {
    const latest = closes + DEFAULT_DECISION_TIME.anchorGrace + HEADER_TIME_TOLERANCE;
    expect(decisionTiming(fair, closes, anchor(latest), DEFAULT_DECISION_TIME).status).toBe('in-effect');
    expect(decisionTiming(fair, closes, anchor(latest + 1), DEFAULT_DECISION_TIME)).toMatchObject({
      status: 'void',
      reason: expect.stringMatching(/after voting closed/),
    });
  });

  it('waits for an anchor, and voids for good a snapshot too old or a window too long, anchored or not', () => {
    expect(decisionTiming(fair, closes, undefined, DEFAULT_DECISION_TIME)).toEqual({
      status: 'waiting',
      reason: 'waiting for its anchor',
    });
    const old = proposal(OPENS - DAY - 1, OPENS, closes);
    const long = proposal(OPENS - DAY, OPENS, OPENS + 30 * DAY, 1);
    for (const tampered of [old, long])
      for (const anchored of [undefined, anchor(closes + 600)])
        expect(decisionTiming(tampered, closes, anchored, DEFAULT_DECISION_TIME).status).toBe('void');
  });

  it('bounds asOf below by the block time: the oldest moment a decision in effect can name', () => {
    const { maxSnapshotAge, maxWindow, anchorGrace } = DEFAULT_DECISION_TIME;
    const blockTime = OPENS + 60 * DAY;
    const oldest = blockTime - (maxSnapshotAge + maxWindow + anchorGrace + HEADER_TIME_TOLERANCE);
    const edge = proposal(oldest, oldest + maxSnapshotAge, oldest + maxSnapshotAge + maxWindow);
    expect(decisionTiming(edge, edge.window.closes, anchor(blockTime), DEFAULT_DECISION_TIME).status).toBe(
      'in-effect',
    );
    const older = proposal(oldest - 1, oldest - 1 + maxSnapshotAge, oldest - 1 + maxSnapshotAge + maxWindow);
    expect(decisionTiming(older, older.window.closes, anchor(blockTime), DEFAULT_DECISION_TIME).status).toBe(
      'void',
    );
  });
});
