// Issue 18, found while fixing the nothing-new rule's scope link (high: names the payer; fixed). Severity as the scope
// link's: an operator with two host names and two Lightning nodes, no refusal, relay, epoch edge nor special rule.
// A proof links the scopes its reservation names (one token, one payment), and the history checked a later proof
// against its own scopes' windows only: never against the windows of scopes linked to them by earlier proofs. Two
// scopes joined once stay joined for whoever holds both logs, yet each went on being narrowed apart.
// Steps, one epoch, every challenge at 1,000,000 ppb listing one root:
//   1. one.test names N1 against `base` (the payer and 14 others reach it): N1 and one.test hold it among 15, and
//      this proof links them;
//   2. one.test names N2 against `left` (the payer and A, 7 others): one.test's window leaves base and left, 8;
//   3. two.test names N1 against `right` (the payer and B, 7 others): N1's window leaves base and right, 8: proved.
// Whoever holds N1's log and one.test's (linked by step 1's payment and token, the same operator here) holds `base`,
// `left` and `right` in common: the payer alone. Each check saw 8, none saw the three together.
// Fix: each reservation naming two or more scopes records them linked (history v7 `links`), and a proof is checked
// against the members in common and ruled out over every scope linked to its own by reservations in the window,
// transitively (`CredentialHistory.linkedScopes`): step 3's N1 reaches one.test (step 1) and through it N2 (step 2),
// base, left and right leave the payer alone, refused `WOULD_LINK`. No Groth16 proof is made: the holder's prover
// records each statement it is asked for and throws (reservations are what the checks read).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { operatorNodes, reachOf, recordingHolder, splitSnapshots } from '../l402/credential-fixture.js';

async function closure() {
  const { providerNode: n1, addNode, gatingAt, call: callOf } = await operatorNodes();
  const n2 = addNode('n2');
  const payer = generateAgentKey();
  const { base, left, right } = await splitSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [base, left, right]);
  const call = callOf(holder);
  const steps = [
    await call(gatingAt(n1, base.root), 'http://one.test'),
    await call(gatingAt(n2, left.root), 'http://one.test'),
  ];
  const third = await call(gatingAt(n1, right.root), 'http://two.test');
  return { payer, steps, third, proved, reach: reachOf, base, left, right };
}

describe('a proof is checked against the scopes linked to its own by earlier proofs', () => {
  it('sets the scene: steps 1 and 2 are proved, and base, left and right share the payer alone', async () => {
    const { payer, steps, proved, reach, base, left, right } = await closure();
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.slice(0, 2).map((statement) => statement.root)).toEqual([base.root, left.root]);
    const all = [...reach(base)].filter((agent) => reach(left).has(agent) && reach(right).has(agent));
    expect(all).toEqual([payer.id]);
    // Each check apart leaves 8: one.test's (base, left) and N1's with two.test's (base, right).
    expect([...reach(base)].filter((agent) => reach(left).has(agent))).toHaveLength(8);
    expect([...reach(base)].filter((agent) => reach(right).has(agent))).toHaveLength(8);
  });

  it('refuses step 3 at N1, linked by step 1 to one.test, narrowed by step 2', async () => {
    const { third, proved } = await closure();
    // Before the fix the payer proved step 3 against `right`.
    expect(third).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
