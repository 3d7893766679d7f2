// Issue 18, review of the nothing-new rule (21b1098, history v5). Severity: high (privacy: names the payer; cheap for
// an operator with two host names and two Lightning nodes; no refusal, no relay, no epoch edge needed).
// The rule lets a proof through below `minAnonymity` when each of its scopes (node key, origin) was itself shown a
// proof at that level and root in the window. It reasons per scope ("each already holds the payer among those"), but
// the proof itself links its scopes: a node key and an origin that never met in one reservation before hold two
// windows the history kept apart, and the new proof joins them. Its pseudonym is even the very one the node key's
// other origin was shown (same node, service, epoch and level: the same nullifier), so the link is cryptographic.
// Steps, one epoch, every challenge at 1,000,000 ppb listing one root:
//   1. one.test (node N1) against root `base` (the payer and 14 others reach it), then against `left` (the payer and
//      A, 7 others): one.test holds the payer among 8;
//   2. two.test (node N2) against `base`, then against `right` (the payer and B, 7 others): two.test holds it among 8;
//   3. one.test names N2 against `base`: seen together, {N2, one.test} leave the payer alone (`base`, `left`, `right`
//      in common), but both were shown `base` at this level, so the rule proves. Its nullifier equals step 2's first
//      (N2, weather, epoch, level): whoever holds one.test's log and two.test's (or N2's) holds the payer alone.
// Before 21b1098 step 3 was refused `WOULD_LINK` (among < minAnonymity).
// Fixed: the rule counts only a proof shown to all of the new proof's scopes together (one reservation naming them
// all, recorded once shown: `ShownProof`, history v6), so the proof links no scope not linked before. N2 and one.test
// were never shown one proof together: step 3 is refused `WOULD_LINK` again. No Groth16 proof is made: the holder's
// prover records each statement it is asked for and hands back a dummy proof (sent and answered, the provider's
// verifier refusing it: the client records it shown, as a valid one).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { operatorNodes, reachOf, recordingHolder, splitSnapshots } from '../l402/credential-fixture.js';

async function scopeLink() {
  const { providerNode: n1, addNode, gatingAt, call: callOf } = await operatorNodes();
  const n2 = addNode('n2');
  const payer = generateAgentKey();
  // Three accepted snapshots of one network (scores moving between them), each reached by at least 8.
  const { base, left, right } = await splitSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [base, left, right], { shows: true });
  const call = callOf(holder);
  const steps = [
    await call(gatingAt(n1, base.root), 'http://one.test'),
    await call(gatingAt(n1, left.root), 'http://one.test'),
    await call(gatingAt(n2, base.root), 'http://two.test'),
    await call(gatingAt(n2, right.root), 'http://two.test'),
  ];
  const linking = await call(gatingAt(n2, base.root), 'http://one.test');
  return { payer, steps, linking, proved, reach: reachOf, base, left, right };
}

describe('a proof telling each of its scopes nothing new still links the scopes it names', () => {
  it('sets the scene: each origin alone holds the payer among 8, both together among the payer alone', async () => {
    const { payer, steps, proved, reach, base, left, right } = await scopeLink();
    // Steps 1 and 2 were proved (the recording prover throws after the reservation).
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.slice(0, 4).map((statement) => statement.root)).toEqual([
      base.root,
      left.root,
      base.root,
      right.root,
    ]);
    const one = [...reach(base)].filter((agent) => reach(left).has(agent));
    const two = [...reach(base)].filter((agent) => reach(right).has(agent));
    expect(one).toHaveLength(8);
    expect(two).toHaveLength(8);
    expect(one.filter((agent) => two.includes(agent))).toEqual([payer.id]);
  });

  it('refuses the proof naming N2 at one.test, which joins both windows', async () => {
    const { linking, proved } = await scopeLink();
    // While the attack worked the payer proved step 3, under the pseudonym two.test was shown at step 2.
    expect(linking).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(4);
  });
});
