// Issue 18 eleventh review (medium, availability; fixed): since the tenth review's fix every challenge left unpaid
// records, under every scope it named (its node key and its origin) and its epoch, the members common to the whole
// window of all those scopes together (`seen.among`), and `seenAt` intersects it like a proof's entry. Two effects
// combine into a lasting denial of an honest node, chosen by a third party at no cost:
// - cross-scope injection below the anonymity set: another origin (evil.test) showing the victim node's own challenge
//   (an invoice any client gets for free) makes the payer refuse it (`WOULD_LINK`) and record, under the victim's
//   node key, what evil.test's origin and that node key saw in common: here the payer alone. Before the fix such a
//   refusal recorded nothing, and a proof (the only other way to write under the node key) keeps 8 or more;
// - self-perpetuation: every later challenge of the honest node is then refused `WOULD_LINK`, and each of those
//   refusals records the same collapsed set again, under the node key and the honest origin, at its own epoch. The
//   window never empties while the payer keeps using the node (once every 6 epochs suffices).
// Steps (the fixture's drifting snapshots: the payer reaches the level beside 7 others in each, not the same 7):
// 1. epoch e0: the payer proves at weather.test (the victim node, newer root): 8 in common there;
// 2. e0: the payer proves at evil.test (its own node, older root): 8 in common at evil.test's origin;
// 3. e0: evil.test answers with a challenge it just fetched from weather.test: refused `WOULD_LINK` (1 in common),
//    recorded under the victim's node key and evil.test's origin with the payer alone in common;
// 4. e0+1 .. e0+7: the payer uses weather.test once a day; evil.test does nothing more.
// Impact: the payer is refused every anonymous purchase at the honest node from step 3 on, for as long as it keeps
// using it; docs/security.md bounds what another origin showing a node's challenge costs to "the 7-epoch window".
// Here, at e0+7 (seven epochs after the third party's last act) it is still refused. Before the fix it proved at
// e0+1 already. A colluding evil.test gains nothing from the collapsed set: whoever links all those scopes already
// holds the payer alone, so the set protects no later proof, it only refuses them.
// Suggested fix: a refusal must not carry forward, under a scope, a set below `minAnonymity` that scope did not reach
// by itself (carry, per scope, the window's intersection only while it keeps `minAnonymity`, else that scope's own
// window), or bound the carry to the window of the oldest proof it stems from (a refused entry keeps the epoch of the
// earliest event it carries, and is dropped with it) so that an unpaid challenge extends nothing past 7 epochs.
// Fixed: a refusal carries under a scope the set common to all its scopes only while it keeps `minAnonymity`
// (`CredentialRefusal.minAnonymity`) or that scope's own window left it; otherwise that scope's own window's set.
// The refusal-bridge tests (tenth review) still hold.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws (the reservation,
// made before proving, stays).
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialBatcher, l402Fetch } from '../../src/l402/index.js';
import type { Verifier } from '../../src/zk/index.js';
import { driftingSnapshots, operatorNodes, recordingHolder } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;

describe("a third party's refused relay does not lock the payer out of an honest node for good", () => {
  it('proves at the honest node 7 epochs after another origin showed its challenge, used daily', async () => {
    const { clock, payerNode, older, newer, holder, proved, gating, gatingEvil, call } =
      await lockoutFixture();
    const victim = gating('weather', newer.root);
    // 1. An honest purchase at the victim node.
    await call(victim, 'http://weather.test');
    // 2. evil.test, its own node, gating against the older root.
    const evil = gatingEvil(older.root);
    await call(evil, 'http://evil.test');
    expect(proved.map((statement) => statement.root)).toEqual([newer.root, older.root]);
    // 3. evil.test shows the victim's own challenge, fetched for free: refused before anything is paid.
    const relayed = await l402Fetch(
      'http://evil.test/forecast',
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        credential: holder,
        clock,
        fetch: async () =>
          victim.handle(new Request('http://weather.test/forecast'), async () => new Response('ok')),
      },
    ).catch((error: unknown) => error);
    expect(relayed).toMatchObject({ code: ErrorCode.WouldLink });
    // 4. The payer keeps using the honest node once a day; the third party does nothing more.
    const daily: unknown[] = [];
    for (let day = 1; day <= 7; day++) {
      clock.advance(DAY_MS);
      daily.push(await call(victim, 'http://weather.test'));
    }
    // The attack's measure: seven epochs after evil.test's last act, the honest node is still refused (here every day
    // since step 3), each refusal carrying the collapsed set (the payer alone) one more epoch forward.
    expect(daily.at(-1)).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.at(-1)?.root).toBe(newer.root);
    expect(proved.length).toBeGreaterThan(2);
  });

  it('proves there every day when the other origin shows no challenge of the node (the control)', async () => {
    const { clock, older, newer, proved, gating, gatingEvil, call } = await lockoutFixture();
    const victim = gating('weather', newer.root);
    await call(victim, 'http://weather.test');
    await call(gatingEvil(older.root), 'http://evil.test');
    for (let day = 1; day <= 7; day++) {
      clock.advance(DAY_MS);
      await call(victim, 'http://weather.test');
    }
    expect(proved.map((statement) => statement.root)).toEqual([
      newer.root,
      older.root,
      ...Array(7).fill(newer.root),
    ]);
  });
});

/**
 * The fixture's operator node (the victim's), evil.test's node (`gatingEvil`) and the payer's node with the payer's
 * drifting snapshots, a recording holder, and `call` taking the origin the payer asks.
 */
async function lockoutFixture() {
  const { clock, payerNode, addNode, gatingAt, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const { older, newer } = await driftingSnapshots(payer);
  const { holder, proved } = await recordingHolder(payer, [older, newer]);
  const gating = (service: string, root: bigint) => gatingRoots(service, [root]);
  // evil.test's own node; no proof reaches a verifier (the recording prover throws first).
  const evilNode = addNode('evil');
  const gatingEvil = (root: bigint) =>
    gatingAt(evilNode, root, { verifier: new CredentialBatcher(async () => ({}) as Verifier) });
  return { clock, payerNode, older, newer, holder, proved, gating, gatingEvil, call: call(holder) };
}
