// Issue 18 seventh review (medium, privacy; fixed): the agent's history counted a payer's anonymity set per provider
// node key only (the roots shown there, the members common to every proof, the members its refusals ruled out), and
// the sixth review's per-origin record (`origins`, `MAX_UNPAID_NODES_PER_ORIGIN`) only bounds how many unpaid node
// keys an origin may name. One origin, which is one server under the operator's control and needs no timing or
// address to link its own requests, names another Lightning node key in each challenge (a second node, or a phantom
// node key behind a route hint): every new key started with an empty history entry. The fifth review's refusal
// bracket and the fourth review's root intersection were then open again under a single host name:
// - the origin asks a level the payer does not reach at node A (refused, recorded at A only), then a lower level at
//   node B: the payer proves among all the members reaching the lower level, while the origin knows it is below the
//   higher one; here it is the only member in between;
// - the origin asks at node A against the older root and at node B against the newer one: each proof hides the payer
//   among 8, the two together among the payer alone.
// Fixed: every reservation and refusal is recorded under the node key and under `origin:<origin>` too, and a proof
// is checked against what both have seen (the roots of either, the members common to all their proofs, the members
// any of their refusals ruled out), so an origin switching node keys gains nothing. An honest origin running two
// nodes, asking one level against one root at both, is still served at both (last case, real proofs).
// No Groth16 proof is made in the attack cases: the holder's prover records each statement it is asked for and
// throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { credentialHolder } from '../../src/governance/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialBatcher,
  CredentialHistory,
  L402Provider,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import type { Verifier } from '../../src/zk/index.js';
import {
  driftingSnapshots,
  MIN_SCORE,
  operatorNodes,
  recordingHolder,
  SCORES,
  snapshotOf,
  zk,
} from '../l402/credential-fixture.js';

/** A level above the payer's score and below the 7 others'. */
const HIGHER = 25_000_000;

/** The operator's nodes: the fixture's first one and a second node it also runs behind the same origin. */
async function twoNodeOrigin(verifier?: CredentialBatcher) {
  const { clock, network, payerNode, gatingRoots, call } = await operatorNodes();
  const second = network.createNode('provider-second-node');
  network.openChannel(payerNode, second, { capacitySat: 1_000_000 });
  // In the attack cases no proof reaches a verifier: the recording prover throws first.
  verifier ??= new CredentialBatcher(async () => ({}) as Verifier);
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
  it('refuses a lower level at the second node after refusing a higher one at the first, under one origin', async () => {
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

  it('refuses a proof at the second node against a root sharing fewer than 8 members with the first', async () => {
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

  it('serves an honest origin running two nodes, one level against one root at both', async () => {
    const { prover, verifier } = await zk();
    const { gatingFirst, gatingSecond, call } = await twoNodeOrigin(new CredentialBatcher(verifier));
    const payer = generateAgentKey();
    const others = Array.from({ length: 7 }, () => generateAgentKey());
    const snapshot = await snapshotOf(
      new Map([payer, ...others].map((key) => [key, SCORES.high] as [typeof key, number])),
    );
    const holder = await credentialHolder(prover, payer.id, (await zkIdentity(payer)).secret, [snapshot], {
      history: CredentialHistory.inMemory(),
    });
    const fetch = call(holder);
    const first = await fetch(gatingFirst('weather', [snapshot.root]), 'http://weather.test');
    const second = await fetch(gatingSecond('weather', [snapshot.root]), 'http://weather.test');
    expect((first as Response).status).toBe(200);
    expect((second as Response).status).toBe(200);
  }, 60_000);
});
