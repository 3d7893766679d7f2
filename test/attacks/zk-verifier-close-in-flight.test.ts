import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgoraError } from '../../src/core/index.js';
import { releaseCurve, Verifier, type VoteProof } from '../../src/zk/index.js';
import { voteArtifacts } from '../fixtures/zk.js';
import { oneVoteProof } from './zk-fixture.js';

// A verifier closed while a batch is in flight (a process shutting down, a governance registry dropping its
// verifier): the batch must either finish or fail with a typed error, and the verifier must not keep the
// terminated threads (the last commit on src/zk says a closed verifier forgets its threads' queue counts).
let proof: VoteProof;

beforeAll(async () => {
  proof = await oneVoteProof('cd'.repeat(32));
}, 120_000);

afterAll(async () => {
  await releaseCurve();
});

describe('a verifier closed under an in-flight batch', () => {
  it('fails the batch with a typed AgoraError, not a raw "curve worker exited" Error', async () => {
    const verifier = await Verifier.load(await voteArtifacts());
    const batch = [proof, proof, proof, proof];
    expect(await verifier.verifyBatch(batch)).toEqual([true, true, true, true]);
    // The outcome is taken as soon as it comes (a rejection left unhandled while `close` runs would be reported).
    const pending = verifier.verifyBatch(batch).then(
      (verdicts) => verdicts,
      (error: unknown) => error,
    );
    await verifier.close();
    const outcome = await pending;
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
