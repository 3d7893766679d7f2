// Issue 18, review of f18f (the refused challenge's visit), high, fixed (names the payer, under the same assumption as the
// link-limit-bridge review: a challenge the payer refuses is a visit the operator links by timing and address): f18f
// records a challenge refused by `claimEpoch` (`LIMIT_REACHED`, `WOULD_LINK` going back) as a visit, but a challenge
// refused earlier in `l402Fetch`, by `checkCredentialEpoch` (`INVALID_TOKEN`: an epoch label outside the tolerated
// skew), still records nothing and renews nothing. Its label is the provider's own choice: the operator of N1 needs
// no throwaway keys and no second origin, only one challenge labelled with a stale epoch, to keep N1's chain of
// visits going for itself while the history breaks it. The LIMIT_REACHED bridge, fixed, is reopened in one request.
// Steps, one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left: the payer and 7 of them;
// right: the payer and the other 7 (base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: one.test names N1 against base, its challenge labelled e0+3 (its clock set 5 days back): the payer
//      refuses it `INVALID_TOKEN` before `claimEpoch`, nothing recorded; the operator sees the payer at N1 8 labels
//      after step 1;
//   4. e0+10: three.test names N1 against right: N1's window (e0+2 .. e0+18) holds nothing of N1, and the links of
//      steps 1 and 2 are out of it: reserved.
// The operator chains N1(e0+10)-N1(e0+8)-N1(e0)-one.test(e0)-one.test(e0+1): base, left and right, the payer alone.
// The control: step 3 labelled e0+8 (a reservation, renewing N1's component): step 4 is refused `WOULD_LINK`.
// Fixed: `l402Fetch` records a challenge refused for its label as `claimEpoch`'s refusals are recorded, under the
// payer's own epoch (`CredentialHistory.refusedVisit`).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { linkBridgeScene } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;

// The operator's label: its own clock, 5 days behind the payer's when `stale`.
const staleLabelBridge = (stale: boolean) =>
  linkBridgeScene(({ gatingAt, clock, n1, base }) =>
    gatingAt(n1, base.root, { labels: new ManualClock(clock.now() - (stale ? 5 * DAY_MS : 0)) }),
  );

describe('a challenge refused for its stale epoch label bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, and the bridge is refused INVALID_TOKEN', async () => {
    const { steps, bridge, proved, base, left } = await staleLabelBridge(true);
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(bridge).toMatchObject({ code: ErrorCode.InvalidToken });
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 4 when the visit at e0+8 is labelled e0+8 (the control)', async () => {
    const { bridge, last, proved } = await staleLabelBridge(false);
    expect(bridge).not.toMatchObject({ code: ErrorCode.InvalidToken });
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the visit at e0+8 was labelled 5 epochs back', async () => {
    const { last, proved } = await staleLabelBridge(true);
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
