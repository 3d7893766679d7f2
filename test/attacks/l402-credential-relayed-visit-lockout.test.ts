// Issue 18, review r18h of e0d74bc (the visit recording), medium (availability), open. The documented relay lockout
// (l402-credential-refusal-excluded-lockout.test.ts, third test: another origin relays an honest node's premium
// challenge before any proof there, the payer refuses it, every member reaching that level is ruled out under the
// node's key) lasted "for as long as the payer keeps using the node": a payer staying away from the node for the
// window was served again. Since f18g any 402 naming the node, from any origin, is a visit of that node that carries
// its component's exclusions on, and it is recorded before anything is checked (price, credential, payment). So the
// relaying origin alone keeps the honest node's lockout going: each request the payer makes to it (its free or
// ungated endpoints) is answered with a 402 naming the honest node (an invoice of it, relayed or replayed, priced above
// the payer's limit: nothing is paid), and the payer never gets back to the node, however long it stays away.
// Steps (one snapshot: the payer at 2,000,000 ppb, 7 others at 50,000,000; the honest node H serves weather.test):
//   1. e0: evil.test relays H's premium challenge (25,000,000 ppb): refused INVALID_PROOF, the 7 others ruled out
//      under H and evil.test;
//   2. e0+4, e0+8, e0+12: the payer calls evil.test, answered with a 402 of H priced over its limit: refused
//      BUDGET_EXCEEDED, each recorded as a visit of H carrying the exclusion on;
//   3. e0+13: weather.test asks H's ordinary level (1,000,000 ppb): the payer alone left beside the exclusion:
//      `WOULD_LINK`. Without step 2 (the control), step 1 is out of H's window and the payer proves.
// Not fixed: a 402 naming H from another origin cannot be told from H's operator serving under another host name
// (then the chain is real and proving would name the payer). The suggested direction (record the node key's visit
// only when the payer pays its invoice or uses its token, the origin's always) was tried in f18h: it makes the third
// test pass, and reopens the bridge through another host of the operator (an unpaid 402 of N1 at a host new to the
// history: l402-credential-unpaid-host-bridge.test.ts, which fails with it). Privacy first: left open.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { L402Provider, MemoryRootKeyStore } from '../../src/l402/index.js';
import { MIN_SCORE, operatorNodes, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

const DAY_MS = 86_400_000;
const HIGHER = 25_000_000;

async function relayedVisitLockout(visits: boolean) {
  const { clock, providerNode, gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const others = Array.from({ length: 7 }, () => generateAgentKey());
  const snapshot = await snapshotOf(
    new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
  );
  const { holder, proved } = await recordingHolder(payer, [snapshot], { shows: true });
  const fetch = call(holder);
  const relay = await fetch(gatingRoots('premium', [snapshot.root], HIGHER), 'http://evil.test');
  // H's ungated challenge, priced over the payer's limit (10,000 msat): nothing is paid.
  const dear = new L402Provider({
    lightning: providerNode,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 20_000,
    clock,
  });
  const refused: unknown[] = [];
  for (let day = 4; day <= 12; day += 4) {
    clock.advance(4 * DAY_MS);
    if (visits) refused.push(await fetch(dear, 'http://evil.test'));
  }
  clock.advance(DAY_MS);
  const back = await fetch(gatingRoots('weather', [snapshot.root]), 'http://weather.test');
  return { relay, refused, back, proved };
}

describe("another origin's 402s naming an honest node keep a relayed lockout of that node going", () => {
  it('sets the scene: the relay refused, the visits refused for their price', async () => {
    const { relay, refused } = await relayedVisitLockout(true);
    expect(relay).toMatchObject({ code: ErrorCode.InvalidProof });
    expect(refused).toHaveLength(3);
    for (const visit of refused) expect(visit).toMatchObject({ code: ErrorCode.BudgetExceeded });
  });

  it('serves the payer at the honest node once the relay is out of its window (the control)', async () => {
    const { back, proved } = await relayedVisitLockout(false);
    expect(back).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1);
  });

  it.fails('serves the payer at the honest node it stayed away from, whatever the relaying origin sends', async () => {
    const { back, proved } = await relayedVisitLockout(true);
    expect(back).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1);
  });
});
