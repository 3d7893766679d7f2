// Issue 18, twelfth review (adversarial review of `carriedExclusions`, commit 5a59b25), high, privacy (fixed): a
// refusal whose window's exclusions leave fewer than `minAnonymity` of the members in common carries only its own
// exclusions, which age out after 7 epochs, while it carries the members in common (`among`) on. Once the first
// exclusion leaves the window the client checks later proofs against `among` alone, though the operator, linking the
// chain of visits 6 epochs apart each (the window the client assumes), still knows every member it ruled out. It then
// narrows the payer further with a proof at another level: here it names the payer.
// One operator, one node, one origin (weather.test), one root, levels ordinary (1,000,000 ppb: 10 members), mid
// (3,981,072: 8, the payer included) and premium (25,118,864: the 7 others of mid, not the payer):
// 1. epoch e0: the payer proves the ordinary level (among 10); the operator's premium service asks it too: refused,
//    the 7 reaching it ruled out (the operator holds the payer among 3: a refusal cannot be withheld);
// 2. epoch e0+6: the ordinary level again: refused `WOULD_LINK` (3 left); its entry carries the 10 in common, but
//    only its own exclusions (none), since the window's leave 3 < 8;
// 3. epoch e0+7 (any epoch to e0+12): the mid level. Its window (e0+1 .. e0+13) holds only the step-2 entry: 10 in
//    common, nobody ruled out, 8 of them reach mid: proved. The operator, linking 1-2-3, holds the payer among the
//    3 of step 1 that reach mid: the payer alone.
// Before 5a59b25 the step-2 entry carried the 7 exclusions on and step 3 was refused (the price was the excluded
// lockout). The control: step 3 one epoch after step 1 (e0's entry in the window) is refused.
// Fixed: every unpaid challenge carries all the exclusions its window held, whatever they leave (5a59b25 reverted),
// so the chain keeps the operator's 3 for as long as it lasts. The lockout that rule caused is answered otherwise:
// step 2 asks the ordinary level proved at e0 (in its window, at the node and the origin, same root), which narrows
// neither scope (each holds the payer among those already), so it is proved, among the 3; step 3 is refused.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  MID,
  MIN_SCORE,
  operatorNodes,
  PREMIUM,
  recordingHolder,
  tieredSnapshot,
} from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;
async function narrowAfterWindow(gapDays: number) {
  const { clock, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const snapshot = await tieredSnapshot(payer);
  const { holder, proved } = await recordingHolder(payer, [snapshot], { shows: true });
  const fetch = call(holder);
  const service = (name: string, minScore: number) => gatingRoots(name, [snapshot.root], minScore);
  // Step 1: proved at the ordinary level, refused at the premium one (the operator holds {payer, low}).
  await fetch(service('weather', MIN_SCORE));
  expect(proved).toHaveLength(1);
  expect(await fetch(service('premium', PREMIUM))).toMatchObject({ code: ErrorCode.InvalidProof });
  // Step 2 (the bridge 6 epochs on), when the gap allows it: refused (before 5a59b25 and with it) or proved at the
  // level of step 1 (the fix); either way the operator links it to both steps.
  let bridge: unknown;
  if (gapDays > 6) {
    clock.advance(6 * DAY_MS);
    bridge = await fetch(service('weather', MIN_SCORE));
    clock.advance((gapDays - 6) * DAY_MS);
  } else clock.advance(gapDays * DAY_MS);
  // Step 3: the mid level, which of the operator's 3 only the payer reaches.
  const last = await fetch(service('mid', MID));
  return { bridge, last, proved };
}

/** The levels of the statements proved, in order (a credential's voting weight is 2^level). */
const levels = (proved: readonly { votingWeight: bigint }[]) =>
  proved.map(({ votingWeight }) => votingWeight.toString(2).length - 1);

describe('a refusal that drops its window’s exclusions lets the operator narrow the payer further', () => {
  it('refuses the mid level after the window, linked through the bridge', async () => {
    const { bridge, last, proved } = await narrowAfterWindow(7);
    // The attack's measure: with 5a59b25 the mid proof was made (level 18) and named the payer to the operator.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(levels(proved)).not.toContain(18);
    // The bridge, at the level proved at e0 (15), tells the operator nothing and is made.
    expect(bridge).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(levels(proved)).toEqual([15, 15]);
  });

  it('refuses the mid level within the window of step 1 (the control)', async () => {
    const { last, proved } = await narrowAfterWindow(1);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(levels(proved)).toEqual([15]);
  });
});
