import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgoraError } from '../../src/core/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  ballotField,
  MembershipTree,
  releaseCurve,
  toField,
  Verifier,
  type VoteProof,
} from '../../src/zk/index.js';
import { voteArtifacts, voteZk } from '../fixtures/zk.js';

// A verifier closed while a batch is in flight (a process shutting down, a governance registry dropping its
// verifier): the batch must either finish or fail with a typed error, and the verifier must not keep the
// terminated threads (the last commit on src/zk says a closed verifier forgets its threads' queue counts).
let proof: VoteProof;

beforeAll(async () => {
  const { prover } = await voteZk();
  const identity = await zkIdentity(generateAgentKey());
  const tree = await MembershipTree.build([{ commitment: identity.commitment, weight: 100n }]);
  const proposal = 'cd'.repeat(32);
  proof = await prover.prove(
    {
      root: tree.root,
      scope: toField('proposal', proposal),
      vote: ballotField(proposal, 'for'),
      votingWeight: 64n,
      top: 6,
    },
    { secret: identity.secret, weight: 100n, path: tree.path(0), piece: 0n },
  );
}, 120_000);

afterAll(async () => {
  await releaseCurve();
});

describe('a verifier closed under an in-flight batch', () => {
  it('fails the batch with a typed AgoraError, not a raw "curve worker exited" Error', async () => {
    const verifier = await Verifier.load(await voteArtifacts());
    const batch = [proof, proof, proof, proof];
    expect(await verifier.verifyBatch(batch)).toEqual([true, true, true, true]);
    const pending = verifier.verifyBatch(batch);
    await verifier.close();
    const outcome = await pending.then(
      (verdicts) => verdicts,
      (error: unknown) => error,
    );
    // Attack assertion: today this is `Error: curve worker exited with code 1` (or `curve threads closed`).
    if (!Array.isArray(outcome)) expect(outcome).toBeInstanceOf(AgoraError);
    else expect(outcome).toEqual([true, true, true, true]);
    await verifier.close();
  }, 60_000);

  it('keeps no queue count for the terminated threads once closed', async () => {
    const verifier = await Verifier.load(await voteArtifacts());
    const batch = [proof, proof, proof, proof];
    expect(await verifier.verifyBatch(batch)).toEqual([true, true, true, true]);
    const pending = verifier.verifyBatch(batch).catch(() => undefined);
    await verifier.close();
    await pending;
    // Attack assertion: each in-flight call's `finally` puts its terminated thread back (with a negative count), and
    // every close under load leaks those threads (Workers and their WebAssembly memories) into the map for good.
    const queued = (verifier as unknown as { queued: Map<unknown, number> }).queued;
    expect(queued.size).toBe(0);
  }, 60_000);
});
