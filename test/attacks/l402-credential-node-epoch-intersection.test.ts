// Issue 18 fourth review: one call refuses a second pseudonym scope, but the client's history counted anonymity per
// scope (node key, service, epoch, level). Over separate calls, the operator of one Lightning node asks, in one epoch,
// for its `weather` service against the older accepted root and for its `radar` service (or a higher level of
// `weather`) against the newer one. Two pseudonyms of one payer at one operator in one day are linkable by the
// operator (timing, network address): it then hides the payer only among the members reaching the threshold in both
// roots. Here each root has 8 such members and they share the payer alone.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws (the reservation,
// made before proving, stays: the provider may have been shown it).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import type { L402Provider } from '../../src/l402/index.js';
import { driftingOperator, SCORES } from '../l402/credential-fixture.js';

async function operator() {
  const { older, newer, proved, gating, call } = await driftingOperator();
  return {
    older,
    newer,
    proved,
    gating,
    call: (origin: string, provider: L402Provider) => call(provider, origin),
  };
}

describe("one node's operator does not narrow a payer's anonymity set over separate calls in one epoch", () => {
  it('refuses a second service of the node against a root sharing fewer than 8 members with the first', async () => {
    const { older, newer, proved, gating, call } = await operator();
    await call('http://weather.test', gating('weather', older.root));
    const second = await call('http://radar.test', gating('radar', newer.root));
    // The attack's measure: the second pseudonym proved against the newer root, hiding the payer among 1.
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it('refuses a higher level of the same service against another root', async () => {
    const { older, newer, proved, gating, call } = await operator();
    await call('http://weather.test', gating('weather', older.root));
    // Both levels are reached by the same members (the drifting snapshots' scores are high or low).
    const higher = SCORES.high / 2;
    const second = await call('http://weather.test', gating('weather', newer.root, higher));
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it('still proves a second service of the node against the root already shown there', async () => {
    const { older, proved, gating, call } = await operator();
    await call('http://weather.test', gating('weather', older.root));
    await call('http://radar.test', gating('radar', older.root));
    expect(proved.map((statement) => statement.root)).toEqual([older.root, older.root]);
  });
});
