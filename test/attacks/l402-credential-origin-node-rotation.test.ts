// Issue 18 seventh review (medium, privacy; open): the agent's history counts a payer's anonymity set per provider
// node key (the roots shown there, the members common to every proof, the members its refusals ruled out), and the
// sixth review's per-origin record (`origins`, `MAX_UNPAID_NODES_PER_ORIGIN`) only bounds how many unpaid node keys
// an origin may name. One origin, which is one server under the operator's control and needs no timing or address
// to link its own requests, names another Lightning node key in each challenge (a second node, or a phantom node
// key behind a route hint): every new key starts with an empty history entry. The fifth review's refusal bracket and
// the fourth review's root intersection are then open again under a single host name:
// - the origin asks a level the payer does not reach at node A (refused, recorded at A only), then a lower level at
//   node B: the payer proves among all the members reaching the lower level, while the origin knows it is below the
//   higher one; here it is the only member in between;
// - the origin asks at node A against the older root and at node B against the newer one: each proof hides the payer
//   among 8, the two together among the payer alone.
// Refusals are unpaid, so the per-origin bound allows 4 per origin per linking window; proofs at nodes whose invoices
// are paid are unbounded. The docs state the client knows a provider by node key *and origin*; the limit that an
// operator of two nodes under two host names is two providers does not cover one host name.
// Suggested fix: what a pseudonym is checked against is the union of what the node key and what the origin were
// shown (record each reservation and refusal under `origin:<origin>` too, and in `reserve` take `seenAt` over both,
// intersecting the members and adding the exclusions), so an origin switching node keys gains nothing.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialBatcher, L402Provider, MemoryRootKeyStore } from '../../src/l402/index.js';
import type { Verifier } from '../../src/zk/index.js';
import {
  driftingSnapshots,
  MIN_SCORE,
  operatorNodes,
  recordingHolder,
  SCORES,
  snapshotOf,
} from '../l402/credential-fixture.js';

/** A level above the payer's score and below the 7 others'. */
const HIGHER = 25_000_000;

/** The operator's nodes: the fixture's first one and a second node it also runs behind the same origin. */
async function twoNodeOrigin() {
  const { clock, network, payerNode, gatingRoots, call } = await operatorNodes();
  const second = network.createNode('provider-second-node');
  network.openChannel(payerNode, second, { capacitySat: 1_000_000 });
  // No proof reaches a verifier: the recording prover throws first.
  const verifier = new CredentialBatcher(async () => ({}) as Verifier);
  const gatingSecond = (service: string, roots: readonly bigint[], minScore = MIN_SCORE) =>
    new L402Provider({
      lightning: second,
      rootKeys: new MemoryRootKeyStore(),
      service,
      price: () => 1_000,
      clock,
      credential: { minScore, roots: () => [...roots], verifier },
    });
  return { gatingFirst: gatingRoots, gatingSecond, call };
}

describe('one origin naming another node key per challenge does not reset what its node was shown', () => {
  it.fails('refuses a lower level at the second node after refusing a higher one at the first, under one origin', async () => {
    const { gatingFirst, gatingSecond, call } = await twoNodeOrigin();
    const payer = generateAgentKey();
    const others = Array.from({ length: 7 }, () => generateAgentKey());
    const snapshot = await snapshotOf(
      new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
    );
    const { holder, proved } = await recordingHolder(payer, [snapshot]);
    const fetch = call(holder);
    // The origin asks the higher level with its first node's invoice: the payer cannot prove it, pays nothing.
    const refused = await fetch(gatingFirst('weather', [snapshot.root], HIGHER), 'http://weather.test');
    expect(refused).toMatchObject({ code: ErrorCode.InvalidProof });
    // The same origin asks the lower level with its second node's invoice.
    const second = await fetch(gatingSecond('weather', [snapshot.root], MIN_SCORE), 'http://weather.test');
    // The attack's measure: a pseudonym proving "at least 1,000,000 ppb" to the origin that saw the payer refuse
    // 25,000,000 ppb: one member of the snapshot lies between, the payer.
    expect(proved).toEqual([]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });

  it.fails('refuses a proof at the second node against a root sharing fewer than 8 members with the first', async () => {
    const { gatingFirst, gatingSecond, call } = await twoNodeOrigin();
    const payer = generateAgentKey();
    const { older, newer } = await driftingSnapshots(payer);
    const { holder, proved } = await recordingHolder(payer, [older, newer]);
    const fetch = call(holder);
    await fetch(gatingFirst('weather', [older.root]), 'http://weather.test');
    const second = await fetch(gatingSecond('weather', [newer.root]), 'http://weather.test');
    // The attack's measure: the second pseudonym proved against the newer root, hiding the payer among 1.
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });
});
