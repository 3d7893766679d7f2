// Issue 18, review of link renewal (history v8), high (names the payer, under the known assumption that a challenge
// refused before `reserve` is linked by the operator but recorded nowhere): a link is renewed only by a reservation
// (`CredentialHistory.reserve`), and a challenge refused in `claimEpoch` (`LIMIT_REACHED`, `WOULD_LINK`) or
// `claimAnonymous` records nothing and renews nothing. The operator decides which of the payer's visits are refused
// so: an origin that has named `MAX_UNPAID_NODES_PER_ORIGIN` throwaway keys (free challenges, their reservations link
// that origin to the throwaways only) gets every further node it names refused `LIMIT_REACHED`. Used at the node N1
// whose link to one.test must be renewed, it keeps N1's chain of visits going for the operator and breaks it for the
// history, which then checks N1's next proof against N1's own (empty) window: the link variant of "requests the
// credential history never sees bridge the linking window" (docs/security.md), where the operator needs no
// ungated service and no payer habit, only the order of its own challenges.
// Steps, one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left: the payer and 7 of them;
// right: the payer and the other 7 (base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: two.test names throwaway keys T1..T4 (reserved, two.test's own component), then N1 against base:
//      `LIMIT_REACHED`, nothing recorded; the operator sees the payer at N1 8 labels after step 1 (within the reach
//      since the edge-relabel fix counts one label more at each end, labels an edge apart from real days: the steps
//      were at e0+6 and e0+8 before it);
//   4. e0+10: three.test names N1 against right: N1's window (e0+2 .. e0+18) holds nothing of N1, and the links of
//      steps 1 and 2 are out of it: reserved.
// The operator chains N1(e0+10)-N1(e0+8)-N1(e0)-one.test(e0)-one.test(e0+1): base, left and right, the payer alone.
// The control: step 3 with two.test naming N1 first (a reservation, renewing N1's component at e0+8): step 4 is
// refused `WOULD_LINK`.
// Fixed: a challenge `claimEpoch` refuses (`LIMIT_REACHED`, `WOULD_LINK`) is recorded as the visit the operator
// sees, each scope apart: its component linked again in its epoch and its entry carrying what the component left
// (`CredentialHistory.claimEpoch`); step 4 is refused `WOULD_LINK`. Nothing is joined (any origin names any node key).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { MAX_UNPAID_NODES_PER_ORIGIN } from '../../src/l402/index.js';
import type { SimNode } from '../../src/lightning/index.js';
import { operatorNodes, recordingHolder, splitSnapshots } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;

async function limitBridge(limited: boolean) {
  const { clock, providerNode: n1, addNode, gatingAt, call: callOf } = await operatorNodes();
  const n2 = addNode('n2');
  const throwaways = Array.from({ length: MAX_UNPAID_NODES_PER_ORIGIN }, (_, at) => addNode(`t${at}`));
  const payer = generateAgentKey();
  const { base, left, right } = await splitSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [base, left, right]);
  const gating = (at: SimNode, root: bigint) => gatingAt(at, root);
  const call = callOf(holder);
  const steps = [await call(gating(n1, base.root), 'http://one.test')];
  clock.advance(DAY_MS);
  steps.push(await call(gating(n2, left.root), 'http://one.test'));
  clock.advance(7 * DAY_MS);
  if (limited)
    for (const throwaway of throwaways)
      steps.push(await call(gating(throwaway, base.root), 'http://two.test'));
  const bridge = await call(gating(n1, base.root), 'http://two.test');
  clock.advance(2 * DAY_MS);
  const last = await call(gating(n1, right.root), 'http://three.test');
  return { steps, bridge, last, proved, base, left };
}

describe('a challenge refused before `reserve` bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, and the bridge is refused LIMIT_REACHED', async () => {
    const { steps, bridge, proved, base, left } = await limitBridge(true);
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(bridge).toMatchObject({ code: ErrorCode.LimitReached });
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 4 when the visit at e0+8 is a reservation (the control)', async () => {
    const { bridge, last, proved } = await limitBridge(false);
    expect(bridge).not.toMatchObject({ code: ErrorCode.LimitReached });
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the visit at e0+8 was refused LIMIT_REACHED', async () => {
    const { last, proved } = await limitBridge(true);
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2 + MAX_UNPAID_NODES_PER_ORIGIN);
  });
});
