// The network configuration's parser takes inherited names for time bounds (review of the time rule): `time` keys
// are checked with `in`, which Object.prototype's members pass, so {"time": {"toString": 5}} is a valid
// configuration, stored in a home's network file and spread over the bounds every reader computes.
import { describe, expect, it } from 'vitest';
import { checkNetworkConfig, decisionTimeBounds, ErrorCode } from '../../src/core/index.js';

describe('a network configuration naming an inherited member as a time bound', () => {
  it('is refused', () => {
    let refused: unknown;
    let accepted: unknown;
    try {
      accepted = decisionTimeBounds(checkNetworkConfig({ chain: 'bitcoin', time: { toString: 5 } }));
    } catch (error) {
      refused = error;
    }
    expect(accepted).toBeUndefined();
    expect(refused).toMatchObject({ code: ErrorCode.InvalidArgument });
  });
});
