import { describe, expect, it } from 'vitest';
import { CredentialBatcher } from '../../src/l402/index.js';
import type { Verifier, VoteProof } from '../../src/zk/index.js';

/** A verifier over stand-in proofs: `valid` says whether one holds, and a batch holding `poison` throws as a whole. */
function fakeVerifier(batches: number[]): Verifier {
  const verifyBatch = async (proofs: readonly VoteProof[]) => {
    batches.push(proofs.length);
    if (proofs.some((proof) => (proof as unknown as { poison?: boolean }).poison === true))
      throw new Error('verifier thread lost');
    return proofs.map((proof) => (proof as unknown as { valid: boolean }).valid);
  };
  return {
    verifyBatch,
    verify: async (proof: VoteProof) => (await verifyBatch([proof]))[0] === true,
  } as unknown as Verifier;
}

const proof = (fields: { valid?: boolean; poison?: boolean }) => fields as unknown as VoteProof;

describe('CredentialBatcher', () => {
  it('verifies proofs sent in one turn together, one verdict each', async () => {
    const batches: number[] = [];
    const batcher = new CredentialBatcher(fakeVerifier(batches));
    const verdicts = await Promise.all([
      batcher.verify(proof({ valid: true })),
      batcher.verify(proof({ valid: false })),
      batcher.verify(proof({ valid: true })),
    ]);
    expect(verdicts).toEqual([true, false, true]);
    expect(batches).toEqual([3]);
  });

  it('fails only the caller whose proof makes its batch throw, the others get their verdicts', async () => {
    const batches: number[] = [];
    const batcher = new CredentialBatcher(fakeVerifier(batches));
    const settled = await Promise.allSettled([
      batcher.verify(proof({ valid: true })),
      batcher.verify(proof({ poison: true })),
      batcher.verify(proof({ valid: false })),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[0]).toMatchObject({ value: true });
    expect(settled[2]).toMatchObject({ value: false });
    expect(batches).toEqual([3, 1, 1, 1]);
  });

  it('loads a verifier again after its loading failed', async () => {
    let loads = 0;
    const batcher = new CredentialBatcher(async () => {
      loads += 1;
      if (loads === 1) throw new Error('keys not readable yet');
      return fakeVerifier([]);
    });
    await expect(batcher.verify(proof({ valid: true }))).rejects.toThrow('keys not readable yet');
    await expect(batcher.verify(proof({ valid: true }))).resolves.toBe(true);
    expect(loads).toBe(2);
  });
});
