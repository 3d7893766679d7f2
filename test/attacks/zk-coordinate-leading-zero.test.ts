import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseCurve, type VoteProof } from '../../src/zk/index.js';
import { voteZk } from '../fixtures/zk.js';
import { oneVoteProof } from './zk-fixture.js';

// The verifier refuses x + p as "a second encoding of one proof" and public signals with leading zeros
// (`isDecimal`), yet it takes proof coordinates with leading zeros ('0' + x, up to 78 digits): another byte string for
// the same proof. snarkjs takes it too, so no verdict changes; anything that names a vote by its serialized proof sees
// two. (Groth16 proofs are malleable anyway: (-A, -B, C) and Jacobian z != 1 also verify, so only the nullifier may
// identify a vote.)
let proof: VoteProof;

beforeAll(async () => {
  proof = await oneVoteProof('ef'.repeat(32));
}, 120_000);

afterAll(async () => {
  await releaseCurve();
});

describe('proof coordinates with leading zeros', () => {
  it('are refused like unreduced ones, alone and in a batch', async () => {
    const { verifier } = await voteZk();
    const [x, ...rest] = proof.proof.pi_a as string[];
    const padded: VoteProof = { ...proof, proof: { ...proof.proof, pi_a: [`0${x}`, ...rest] } };
    expect(await verifier.verify(proof)).toBe(true);
    // Attack assertion: both are true today.
    expect(await verifier.verify(padded)).toBe(false);
    expect(await verifier.verifyBatch([proof, padded])).toEqual([true, false]);
  }, 60_000);
});
