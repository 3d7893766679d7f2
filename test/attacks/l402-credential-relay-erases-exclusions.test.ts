// Issue 18, twelfth review (adversarial review of `carriedExclusions`, commit 5a59b25), medium, privacy (fixed): the
// exclusions a refusal carries are counted against the members in common over all its scopes together, so
// exclusions injected under an honest-looking node's key by a relay (another origin showing that node's challenge)
// make the window's exclusions leave fewer than `minAnonymity` there, and the refusal's entry under the origin drops
// them too, though they were the origin's own. The origin, which never held the payer among fewer than 8, then
// narrows it to 3 with a proof at another level; with the relay colluding (linked by timing, as the client assumes
// of colluding operators) the two name the payer.
// One node, one root; members reaching the ordinary level (1,000,000 ppb): the payer (5,000,000), 5 low (2,000,000),
// 2 mid (15,000,000), 5 high (50,000,000); mid level 3,981,072 (the payer, mid and high: 8):
// 1. epoch e0: the payer proves the ordinary level at weather.test (among 13); weather.test's premium service
//    (25,118,864 ppb, the 5 high) asks: refused. weather.test holds the payer among 8 (itself, low, mid);
// 2. epoch e0: evil.test (the payer calls it) answers with the same node's gold challenge (10,000,000 ppb: mid and
//    high), free to fetch: refused, recorded under the node key: the client's view there is 6 (itself, low);
// 3. epoch e0+6: the ordinary level at weather.test: refused `WOULD_LINK` (6 left); its entries, under the node key
//    and under origin:weather.test, carry the 13 in common and none of the exclusions (6 < 8), the premium
//    refusal's included;
// 4. epoch e0+7: weather.test's mid level: its window holds only step 3: 13 in common, nobody ruled out, 8 reach
//    mid: proved. weather.test, linking 1-3-4 (its own visits), holds the payer among 3 (itself and the 2 mid); with
//    evil.test's refusal linked, the payer alone.
// The control, without step 2: step 3 proves among the 8 and step 4 is refused (3 left).
// Fixed: every unpaid challenge carries all the exclusions its window held (5a59b25 reverted), under every scope, so
// the relay's and the origin's own stay counted for as long as the chain lasts. Rejected: carrying a relay's
// exclusions under the relaying origin only (a record of which origin caused each), since the node's operator may be
// the relaying origin: it would then narrow the payer at its own node once they aged out there. Step 3, at the level
// proved at e0 (nothing new to either scope), is now proved among the 6; step 4 is refused.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import {
  MID,
  MIN_SCORE,
  operatorNodes,
  PREMIUM,
  recordingHolder,
  SCORES,
  snapshotOf,
} from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;
const GOLD = 10_000_000;

async function relayErases(relay: boolean) {
  const { clock, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const group = (n: number, score: number) =>
    Array.from({ length: n }, () => [generateAgentKey(), score] as [AgentKey, number]);
  const snapshot = await snapshotOf(
    new Map<AgentKey, number>([
      [payer, 5 * MIN_SCORE],
      ...group(5, 2 * MIN_SCORE),
      ...group(2, 15 * MIN_SCORE),
      ...group(5, SCORES.high),
    ]),
  );
  const { holder, proved } = await recordingHolder(payer, [snapshot], { shows: true });
  const fetch = call(holder);
  const service = (name: string, minScore: number) => gatingRoots(name, [snapshot.root], minScore);
  await fetch(service('weather', MIN_SCORE));
  expect(proved).toHaveLength(1);
  expect(await fetch(service('premium', PREMIUM))).toMatchObject({ code: ErrorCode.InvalidProof });
  if (relay)
    expect(await fetch(service('gold', GOLD), 'http://evil.test')).toMatchObject({
      code: ErrorCode.InvalidProof,
    });
  clock.advance(6 * DAY_MS);
  const bridge = await fetch(service('weather', MIN_SCORE));
  clock.advance(DAY_MS);
  const last = await fetch(service('mid', MID));
  return { bridge, last, levels: proved.map(({ votingWeight }) => votingWeight.toString(2).length - 1) };
}

describe("a relay's exclusions under the node key erase what the honest origin's refusal carries", () => {
  it('refuses the mid level after the window when a relay pushed the node key below 8', async () => {
    const { bridge, last, levels } = await relayErases(true);
    // The attack's measure: with 5a59b25 the mid proof (level 18) was made, leaving weather.test 3 (the payer alone
    // with evil.test).
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(levels).not.toContain(18);
    // The bridge, at the level proved at e0 (15), narrows neither scope and is made.
    expect(bridge).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(levels).toEqual([15, 15]);
  });

  it('refuses the mid level without the relay (the control)', async () => {
    const { last, levels } = await relayErases(false);
    expect(levels).toEqual([15, 15]);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
  });
});
