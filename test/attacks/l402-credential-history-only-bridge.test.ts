// Issue 18, review r18g (docs/security.md, "not tested"), high, fixed. `agora fetch` passes `l402Fetch` the agent's
// shared credential history and its identity, but no credential. A credential challenge is then refused
// `INVALID_PROOF` ("none configured") in `credentialFor`, and `recordRefusedChallenge` returned at once without a
// `credential`, whatever `history` was given: the visit to the node the challenge names never reached the shared
// history, which the agent's anonymous buyers (library calls with the holder) check. The same bridge as the price and
// stale-label ones, for free: N1's operator asks a credential from the CLI's call, is refused, and sees the payer.
// Steps (the shared `linkBridgeScene`; one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left:
// the payer and 7 of them; right: the payer and the other 7; base, left and right share the payer alone):
//   1. e0: one.test names N1 against base (the holder's call): reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: a call with the holder's history and the payer's identity, no credential (as `agora fetch`): one.test
//      names N1 asking a credential against base: refused `INVALID_PROOF`, nothing recorded;
//   4. e0+10: three.test names N1 against right: N1's window held nothing of N1, the links of steps 1 and 2 out of
//      it: the payer proved. The operator chains N1(e0+10)-N1(e0+8)-N1(e0)-one.test(e0)-one.test(e0+1): the payer
//      alone.
// The control: step 3 by the holder's own call (a reservation renewing N1's component): step 4 refused `WOULD_LINK`.
// Fixed: `l402Fetch` records every 402 naming a node key as the visit whenever it has a history (`options.history`
// or the holder's), credential configured or not (`recordVisit`). The ungated case by such a call is in
// l402-credential-ungated-bridge.test.ts.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { linkBridgeScene } from '../l402/credential-fixture.js';

const historyOnlyBridge = (bridgeBy: 'holder' | 'history') =>
  linkBridgeScene(({ gatingAt, n1, base }) => gatingAt(n1, base.root), { bridgeBy });

describe('a credential challenge refused to a call with the history and no credential bridges a link', () => {
  it('sets the scene: steps 1 and 2 are reserved, the history-only call is refused INVALID_PROOF', async () => {
    const { steps, bridge, proved, base, left } = await historyOnlyBridge('history');
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(bridge).toMatchObject({ code: ErrorCode.InvalidProof });
    // Steps 1 and 2 only: the history-only call proves nothing.
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 4 when the visit at e0+8 was the holder call (the control)', async () => {
    const { last, proved } = await historyOnlyBridge('holder');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the visit at e0+8 was a credential challenge refused to the history-only call', async () => {
    const { last, proved } = await historyOnlyBridge('history');
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
