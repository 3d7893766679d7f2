// Issue 18, review r18h of e0d74bc (the visit recording), high, fixed. f18g records every 402 whose invoice names a
// node key as the visit of (origin, node), but an identified-only refusal names the node too: a 401 carrying
// `Agora-Node-Invoice` (an invoice of the node, not for payment), which `l402Fetch` reads to check the node before
// sending the bare agent id. That 401 was recorded nowhere, whether the call had a credential (the 401 returned as it
// is) or only the identity and the history (as `agora fetch` calls: the node checked, found shown a pseudonym, no id
// sent, the 401 returned). The operator chains it by timing and address as any other visit: the ungated bridge
// again, for free and without selling anything.
// Steps (the shared `linkBridgeScene`; one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left:
// the payer and 7 of them; right: the payer and the other 7; base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: one.test answers 401 "identified payers only", naming N1 in `Agora-Node-Invoice`: nothing recorded;
//   4. e0+10: three.test names N1 against right: N1's window held nothing of N1, the links of steps 1 and 2 out of it:
//      the payer proved. The operator chains N1(e0+10)-N1(e0+8, the 401)-N1(e0)-one.test(e0)-one.test(e0+1): the payer
//      alone.
// The control is the ungated bridge's (a 402 of N1 at step 3: step 4 refused `WOULD_LINK`).
// Fixed: `l402Fetch` records a 401 whose `Agora-Node-Invoice` it can read as the visit of (origin, node), at the
// payer's epoch, as it records a 402 naming a node (`recordVisit`).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { L402Provider, MemoryRootKeyStore } from '../../src/l402/index.js';
import { linkBridgeScene } from '../l402/credential-fixture.js';

const nodeInvoiceBridge = (bridgeBy: 'holder' | 'history') =>
  linkBridgeScene(
    ({ clock, n1 }) =>
      new L402Provider({
        lightning: n1,
        rootKeys: new MemoryRootKeyStore(),
        service: 'weather',
        price: () => 1_000,
        clock,
        policy: { bindPayer: true },
      }),
    { bridgeBy },
  );

describe('a 401 naming the node in Agora-Node-Invoice bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, step 3 is a 401 naming N1', async () => {
    for (const bridgeBy of ['holder', 'history'] as const) {
      const { steps, bridge, proved, base, left } = await nodeInvoiceBridge(bridgeBy);
      for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
      expect(bridge).toBeInstanceOf(Response);
      expect((bridge as Response).status).toBe(401);
      expect((bridge as Response).headers.get('agora-node-invoice')).not.toBeNull();
      expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
    }
  });

  it('refuses step 4 when step 3 was the 401 of a call with the credential', async () => {
    const { last, proved } = await nodeInvoiceBridge('holder');
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 4 when step 3 was the 401 of a call with the identity and the history (agora fetch)', async () => {
    const { last, proved } = await nodeInvoiceBridge('history');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
