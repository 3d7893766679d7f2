// Issue 18, review r18g of 0152488 (`recordRefusedChallenge`), high, fixed (the class docs/security.md lists as
// "requests the credential history never sees", here through a challenge naming the node). 0152488 and 93183c3 record a
// challenge refused before `claimEpoch` as the visit the operator sees, on the premise that a challenge naming N1 at
// any origin is a visit to N1 that the operator chains. But a 402 whose token asks no credential (an ungated service of
// the same node) is that visit too, and was recorded nowhere, refused or paid: the operator got the stale-label and
// price bridges back by asking nothing at all, and was paid for it.
// Steps (the shared `linkBridgeScene`; one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left:
// the payer and 7 of them; right: the payer and the other 7; base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: one.test answers with a challenge of N1 asking no credential (1,000 msat): the payer, its credential
//      configured (or, as `agora fetch` calls, only its history and identity), pays N1's invoice and is served;
//      nothing was recorded;
//   4. e0+10: three.test names N1 against right: N1's window held nothing of N1, the links of steps 1 and 2 out of it:
//      the payer proved. The operator chains N1(e0+10)-N1(e0+8, paid)-N1(e0)-one.test(e0)-one.test(e0+1): the payer alone.
// The control: step 3 gating against base (a reservation renewing N1's component): step 4 is refused `WOULD_LINK`.
// Fixed: `l402Fetch`, given a credential history (its own or the holder's), records every 402 whose invoice names a
// node key as the visit of (origin, node) as it reads it, credential asked or not, paid or refused
// (`CredentialHistory.refusedVisit`, which records nothing for a scope with no history: throwaway keys cost nothing);
// origins seen without a challenge stay the documented window assumption.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { L402Provider, MemoryRootKeyStore } from '../../src/l402/index.js';
import { linkBridgeScene } from '../l402/credential-fixture.js';

const ungatedBridge = (ungated: boolean, bridgeBy: 'holder' | 'history' = 'holder') =>
  linkBridgeScene(
    ({ gatingAt, clock, n1, base }) =>
      ungated
        ? new L402Provider({
            lightning: n1,
            rootKeys: new MemoryRootKeyStore(),
            service: 'weather',
            price: () => 1_000,
            clock,
          })
        : gatingAt(n1, base.root),
    { bridgeBy },
  );

describe('a challenge of the same node asking no credential bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, and the ungated purchase is served', async () => {
    for (const bridgeBy of ['holder', 'history'] as const) {
      const { steps, bridge, proved, base, left } = await ungatedBridge(true, bridgeBy);
      for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
      expect(bridge).toBeInstanceOf(Response);
      expect((bridge as Response).status).toBe(200);
      expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
    }
  });

  it('refuses step 4 when the visit at e0+8 asks a credential (the control)', async () => {
    const { last, proved } = await ungatedBridge(false);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the visit at e0+8 was an ungated purchase from the same node', async () => {
    const { last, proved } = await ungatedBridge(true);
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 4 when the ungated purchase was a call with the history and no credential (agora fetch)', async () => {
    const { last, proved } = await ungatedBridge(true, 'history');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
