// Issue 18, review of refusedVisit (93183c3), high, fixed (the same premise as the stale-label bridge: a challenge the payer
// refuses is a visit the operator links by timing and address). 93183c3 records a credential challenge refused for
// its epoch label, but `payChallenge` refuses a challenge earlier still, before `credentialFor` is reached, on its
// price (`BUDGET_EXCEEDED`: the invoice's amount above `maxPriceMsat`), and records nothing, renews nothing. The price
// is the provider's own choice, as the label was: N1's operator answers one request with an invoice dearer than the
// payer's limit, sees the payer at N1, and the stale-label bridge is reopened, free, one request, no throwaway keys.
// Steps, one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left: the payer and 7 of them;
// right: the payer and the other 7 (base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: one.test names N1 against base at 20,000 msat (the payer's limit 10,000): refused BUDGET_EXCEEDED,
//      nothing recorded; the operator sees the payer at N1 8 epochs after step 1;
//   4. e0+10: three.test names N1 against right: N1's window holds nothing of N1, the links of steps 1 and 2 out of
//      it: reserved. The operator chains N1(e0+10)-N1(e0+8)-N1(e0)-one.test(e0)-one.test(e0+1): the payer alone.
// The control: step 3 priced 1,000 msat (a reservation renewing N1's component): step 4 is refused `WOULD_LINK`.
// The other refusals before `claimEpoch` (the payment-hash mismatch, the same-call `WOULD_LINK` branches) are
// operator-chosen too. Fixed: every challenge asking a credential and refused before `claimEpoch` is recorded as the
// visit at the payer's own epoch (`recordRefusedChallenge` in `l402Fetch`; since f18g every 402 naming a node key, as it is read: `recordVisit`). No Groth16 proof is made (the recording holder's prover throws).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { linkBridgeScene } from '../l402/credential-fixture.js';

// The operator's own price: above the payer's `maxPriceMsat` (10,000) when `dear`.
const priceBridge = (dear: boolean) =>
  linkBridgeScene(({ gatingAt, n1, base }) => gatingAt(n1, base.root, { priceMsat: dear ? 20_000 : 1_000 }));

describe('a credential challenge refused for its price bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, and the bridge is refused BUDGET_EXCEEDED', async () => {
    const { steps, bridge, proved, base, left } = await priceBridge(true);
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(bridge).toMatchObject({ code: ErrorCode.BudgetExceeded });
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 4 when the visit at e0+8 is priced within the limit (the control)', async () => {
    const { bridge, last, proved } = await priceBridge(false);
    expect(bridge).not.toMatchObject({ code: ErrorCode.BudgetExceeded });
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the visit at e0+8 was priced above the limit', async () => {
    const { last, proved } = await priceBridge(true);
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
