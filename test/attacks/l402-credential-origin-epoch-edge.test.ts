// Issue 18 eighth review (medium, privacy; fixed): the seventh review's fix records every reservation and refusal
// under the node key and under `origin:<origin>`, and checks a proof against what both saw over the linking window,
// `seenAt(scopes, epoch)`, which counted the entries of epochs `epoch - 6 .. epoch` only: an entry of a LATER epoch
// was never counted. For a node key that is safe because `claimEpoch` never lets a node key go back to an earlier
// epoch once it proved a later one (fourth review); nothing did the same for an origin. At an epoch's edge (the payer
// accepts either epoch within CREDENTIAL_EPOCH_SKEW_SECONDS) one origin asks through node A for the next epoch, then
// through node B (a second node of its own) for the last one: B has proved no later epoch, so `claimEpoch` passes,
// and `origin:<origin> <e+1>` lay outside the window of epoch e. The seventh review's two attacks were open again:
// - A (next epoch) asks a level the payer does not reach (refused before any payment: A may be a phantom key), then
//   B (last epoch) asks a lower one: the payer proved among all the members reaching it, the origin knowing it lies
//   below the higher one: here it is the only member in between;
// - A (next epoch) is shown a proof against the older root, B (last epoch) one against the newer root: each hides the
//   payer among 8, both together among the payer alone.
// Fix: `seenAt` counts every epoch within the linking window around the one asked, later ones included. Chosen over
// "never back to an earlier epoch" per origin, which would refuse an honest origin whose two nodes' clocks straddle
// the edge: counted, its later entry (same root, same level) leaves the same members in common, and it is served.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws (the
// reservation, made before proving, stays).
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  CREDENTIAL_EPOCH_SECONDS,
  CredentialBatcher,
  type CredentialHolder,
  credentialEpoch,
  L402Provider,
  l402Fetch,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import type { Verifier } from '../../src/zk/index.js';
import {
  driftingSnapshots,
  MIN_SCORE,
  recordingHolder,
  SCORES,
  snapshotOf,
} from '../l402/credential-fixture.js';

/** A level above the payer's score and below the 7 others'. */
const HIGHER = 25_000_000;

/**
 * One origin's two nodes, the payer two minutes before an epoch's edge: node A's provider runs a minute past the
 * edge (next epoch), node B's two minutes before it (last epoch), both within the skew the payer tolerates.
 */
function edgeOrigin() {
  const start = 1_800_000_000;
  const end = (credentialEpoch(start) + 1) * CREDENTIAL_EPOCH_SECONDS;
  const clock = new ManualClock((end - 120) * 1000);
  const network = new SimNetwork({ clock });
  const payerNode = network.createNode('payer');
  const nodeA = network.createNode('provider-a');
  const nodeB = network.createNode('provider-b');
  network.openChannel(payerNode, nodeA, { capacitySat: 1_000_000 });
  network.openChannel(payerNode, nodeB, { capacitySat: 1_000_000 });
  // No proof reaches a verifier: the recording prover throws first.
  const verifier = new CredentialBatcher(async () => ({}) as Verifier);
  const gating = (node: typeof nodeA, at: number, roots: readonly bigint[], minScore: number) =>
    new L402Provider({
      lightning: node,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
      clock: new ManualClock(at * 1000),
      credential: { minScore, roots: () => [...roots], verifier },
    });
  const nextEpochAtA = (roots: readonly bigint[], minScore = MIN_SCORE) =>
    gating(nodeA, end + 60, roots, minScore);
  const lastEpochAtA = (roots: readonly bigint[], minScore = MIN_SCORE) =>
    gating(nodeA, end - 120, roots, minScore);
  const lastEpochAtB = (roots: readonly bigint[], minScore = MIN_SCORE) =>
    gating(nodeB, end - 120, roots, minScore);
  const call = (holder: CredentialHolder) => (provider: L402Provider) =>
    l402Fetch(
      'http://weather.test/forecast',
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        credential: holder,
        clock,
        fetch: async (input, init) =>
          provider.handle(new Request(input, init), async () => new Response('ok')),
      },
    ).catch((error: unknown) => error);
  return { nextEpochAtA, lastEpochAtA, lastEpochAtB, call };
}

describe('one origin going back an epoch through another node key does not escape what it was shown', () => {
  it('refuses a lower level at node B (last epoch) after refusing a higher one at node A (next epoch)', async () => {
    const { nextEpochAtA, lastEpochAtB, call } = edgeOrigin();
    const payer = generateAgentKey();
    const others = Array.from({ length: 7 }, () => generateAgentKey());
    const snapshot = await snapshotOf(
      new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
    );
    const { holder, proved } = await recordingHolder(payer, [snapshot]);
    const fetch = call(holder);
    const refused = await fetch(nextEpochAtA([snapshot.root], HIGHER));
    expect(refused).toMatchObject({ code: ErrorCode.InvalidProof });
    const second = await fetch(lastEpochAtB([snapshot.root]));
    // The attack's measure: a pseudonym proving "at least 1,000,000 ppb" to the origin that saw the payer refuse
    // 25,000,000 ppb a moment before: one member of the snapshot lies between, the payer.
    expect(proved).toEqual([]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it("refuses a proof at node B (last epoch) against a root sharing fewer than 8 members with node A's (next epoch)", async () => {
    const { nextEpochAtA, lastEpochAtB, call } = edgeOrigin();
    const payer = generateAgentKey();
    const { older, newer } = await driftingSnapshots(payer);
    const { holder, proved } = await recordingHolder(payer, [older, newer]);
    const fetch = call(holder);
    await fetch(nextEpochAtA([older.root]));
    const second = await fetch(lastEpochAtB([newer.root]));
    // The attack's measure: the second pseudonym proved against the newer root, hiding the payer among 1.
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it('serves an honest origin whose two nodes straddle the edge: one root, one level, next epoch at A then last at B', async () => {
    const { nextEpochAtA, lastEpochAtB, call } = edgeOrigin();
    const payer = generateAgentKey();
    const { older } = await driftingSnapshots(payer);
    const { holder, proved } = await recordingHolder(payer, [older]);
    const fetch = call(holder);
    await fetch(nextEpochAtA([older.root]));
    const second = await fetch(lastEpochAtB([older.root]));
    // Both pseudonyms reach the prover (which throws once it has recorded the statement): neither is refused.
    expect(second).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved.map((statement) => statement.root)).toEqual([older.root, older.root]);
  });

  it('refuses the same order under one node key, and the forward order through two (the check this misses)', async () => {
    const { nextEpochAtA, lastEpochAtA, lastEpochAtB, call } = edgeOrigin();
    const payer = generateAgentKey();
    const { older, newer } = await driftingSnapshots(payer);
    const { holder, proved } = await recordingHolder(payer, [older, newer]);
    const fetch = call(holder);
    await fetch(nextEpochAtA([older.root]));
    // Back to the last epoch at node A itself: `claimEpoch` refuses.
    expect(await fetch(lastEpochAtA([newer.root]))).toMatchObject({ code: ErrorCode.WouldLink });
    // Last epoch at B first, then the next one at A: the origin's entry of the last epoch lies in the window.
    const forward = await recordingHolder(payer, [older, newer]);
    await call(forward.holder)(lastEpochAtB([older.root]));
    expect(await call(forward.holder)(nextEpochAtA([newer.root]))).toMatchObject({
      code: ErrorCode.WouldLink,
    });
    expect(proved).toHaveLength(1);
    expect(forward.proved).toHaveLength(1);
  });
});
