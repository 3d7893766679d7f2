// Issue 18, review r18n, high (a payer narrowed below its `minAnonymity` with the documented configuration). A call
// given the agent's history but no credential (as `agora fetch` makes, and as the docs ask of every fetch of an agent
// that ever pays anonymously) recorded its visits at `DEFAULT_CREDENTIAL_ANONYMITY` (8), not at the holder's
// `minAnonymity`: the call has no holder to ask. A visit carries forward the members its component left, unless fewer
// than the `minAnonymity` it is recorded at, then its scope's own window's (a larger set). For a holder of
// `minAnonymity` 4, a component leaving 4 to 7 members is one its own calls carry (the payer accepted it), but a
// history-only visit carried the scope's own window instead: a later proof leaving fewer than 4 over the operator's
// chain went through.
// Steps (one root per challenge at 1,000,000 ppb; base: the payer, A and B; left: the payer and A; right: the payer
// and B; base, left and right share the payer alone), for a holder of `minAnonymity` m (4: |A| = 4, |B| = 3; 12:
// |A| = |B| = 11):
//   1. e0: one.test names N1 against base (the holder's call): reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, |A| + 1 >= m:
//      reserved;
//   3. e0+8: a call with the holder's history and the payer's identity, no credential (as `agora fetch`): four.test
//      (another host name of the operator, which the history never saw) names N1 asking a credential against base:
//      refused `INVALID_PROOF`, recorded as the visit of N1 (four.test has no history: nothing written for it);
//   4. e0+10: three.test names N1 against right. The operator chains N1(e0+10)-N1(e0+8)-N1(e0)-one.test(e0)-
//      one.test(e0+1)-N2(e0+1): the payer alone, fewer than m. For m = 4 the visit of step 3, recorded at 8, had
//      carried N1's own window (base: right leaves the payer and B, 4) rather than the component's 5 (payer and A:
//      right leaves the payer alone), and N1's window at e0+10 sees nothing else (e0 and e0+1 out of it): the payer
//      proved. Made at one.test instead, step 3 also carries one.test's own window (left: the payer and A), which
//      N1's component, renewed at e0+8, reaches: refused either way (kept below as a case).
// For m = 12 the visit at 8 carries the component's set whenever the holder's 12 would (a set of 12 or more), and
// also a set of 8 to 11 the holder would have replaced by its scope's own window: never more members than the
// holder's value carries, so never a narrowing (at worst a refusal the holder's value would not make). Such a band
// is not built here: a holder of 12 proves nothing leaving fewer than 12, so its own proofs never leave one.
// Fixed: a visit of a call given no credential is recorded with no `minAnonymity` (`recordVisit`, the origin visit
// of `l402Fetch`): it carries the window's members whatever their number, what every holder's own visit carries or
// less, so no holder is narrowed whatever its `minAnonymity`.
// The control: step 3 made by the holder's own call: step 4 refused `WOULD_LINK` for both.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import {
  bridgeSteps,
  operatorNodes,
  recordingHolder,
  SCORES,
  snapshotOf,
} from '../l402/credential-fixture.js';

/** `payer`, `high` at the providers' level, `low` below it. */
const scoresOf = (payer: AgentKey, high: readonly AgentKey[], low: readonly AgentKey[]) =>
  new Map<AgentKey, number>([
    [payer, SCORES.high],
    ...high.map((key) => [key, SCORES.high] as [AgentKey, number]),
    ...low.map((key) => [key, SCORES.low] as [AgentKey, number]),
  ]);

async function scene(minAnonymity: number, bridgeBy: 'holder' | 'history', bridgeOrigin: string) {
  const { clock, payerNode, providerNode: n1, addNode, gatingAt, call: callOf } = await operatorNodes();
  const n2 = addNode('n2');
  const payer = generateAgentKey();
  const [sizeA, sizeB] = minAnonymity === 4 ? [4, 3] : [11, 11];
  const a = Array.from({ length: sizeA }, () => generateAgentKey());
  const b = Array.from({ length: sizeB }, () => generateAgentKey());
  const base = await snapshotOf(scoresOf(payer, [...a, ...b], []));
  const left = await snapshotOf(scoresOf(payer, a, b));
  const right = await snapshotOf(scoresOf(payer, b, a));
  const { holder, proved } = await recordingHolder(payer, [base, left, right], { minAnonymity });
  const { steps, bridged, last } = await bridgeSteps(
    { clock, payerNode, n1, n2, gatingAt, payer, base, left, right, holder, call: callOf(holder) },
    () => gatingAt(n1, base.root),
    { bridgeBy, bridgeOrigin },
  );
  return { steps, bridge: bridged, last, proved, base, left };
}

describe.each([
  [4, 'http://four.test'],
  [4, 'http://one.test'],
  [12, 'http://four.test'],
  [12, 'http://one.test'],
])('a history-only visit for a holder of minAnonymity %i, step 3 at %s', (minAnonymity, bridgeOrigin) => {
  it('sets the scene: steps 1 and 2 proved, the history-only call refused INVALID_PROOF', async () => {
    const { steps, bridge, proved, base, left } = await scene(minAnonymity, 'history', bridgeOrigin);
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(bridge).toMatchObject({ code: ErrorCode.InvalidProof });
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 4 when the visit at e0+8 was the holder call (the control)', async () => {
    const { last, proved } = await scene(minAnonymity, 'holder', bridgeOrigin);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the visit at e0+8 was made by a call given the history alone', async () => {
    const { last, proved } = await scene(minAnonymity, 'history', bridgeOrigin);
    // The attack (m = 4): the payer proves against `right` at N1, the operator's chain holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
