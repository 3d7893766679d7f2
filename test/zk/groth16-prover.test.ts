import { WitnessCalculatorBuilder } from 'circom_runtime';
import fc from 'fast-check';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { usingCurve } from '../../src/zk/curve-lifetime.js';
import { Groth16Prover, windowFor } from '../../src/zk/groth16-prover.js';
import {
  loadVoteArtifacts,
  MembershipTree,
  toField,
  Verifier,
  type VoteArtifacts,
  type VoteProof,
} from '../../src/zk/index.js';
import { parseProvingKey } from '../../src/zk/zkey.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';

let artifacts: VoteArtifacts;
let prover: Groth16Prover;
let verifier: Verifier;
const proofs: VoteProof[] = [];

/** The circuit's witness for member `index` of a small tree, as circom computes it. */
async function witnessFor(
  index: number,
  tree: MembershipTree,
  secret: bigint,
  weight: bigint,
): Promise<Uint8Array> {
  const path = tree.path(index);
  const calculator = await WitnessCalculatorBuilder(artifacts.wasm);
  // One piece: the weight's highest power of two, as the first (and only) piece of the top denomination.
  const top = weight.toString(2).length - 1;
  const wtns = await calculator.calculateWTNSBin(
    {
      root: tree.root.toString(),
      scope: toField('proposal', 'ab'.repeat(32)).toString(),
      vote: '3',
      votingWeight: (1n << BigInt(top)).toString(),
      top: String(top),
      secret: secret.toString(),
      weight: weight.toString(),
      exponent: String(top),
      piece: '0',
      pathIndices: path.pathIndices.map(String),
      siblings: path.siblings.map((level) => level.map(String)),
    },
    0,
  );
  return wtns.subarray(wtns.length - prover.witnessLength * 32);
}

/** Loads a prover with `options`, proves one member of `weight` and has snarkjs's verifier accept the proof. */
async function expectValidProofFrom(
  options: { tables?: boolean; pieces?: number },
  weight: bigint,
): Promise<void> {
  const other = await Groth16Prover.load(artifacts.zkey, options);
  try {
    const id = await zkIdentity(generateAgentKey());
    const tree = await MembershipTree.build([{ commitment: id.commitment, weight }]);
    const { proof, publicSignals } = await other.prove(await witnessFor(0, tree, id.secret, weight));
    expect(
      await usingCurve(() => snarkjs.groth16.verify(artifacts.verificationKey, publicSignals, proof)),
    ).toBe(true);
  } finally {
    await other.close();
  }
}

beforeAll(async () => {
  artifacts = await loadVoteArtifacts();
  [prover, verifier] = await Promise.all([Groth16Prover.load(artifacts.zkey), Verifier.load(artifacts)]);
  const members = await Promise.all(
    [1n, 2n, 3n].map(async (weight) => ({ id: await zkIdentity(generateAgentKey()), weight })),
  );
  const tree = await MembershipTree.build(
    members.map((m) => ({ commitment: m.id.commitment, weight: m.weight })),
  );
  for (const [i, member] of members.entries())
    proofs.push(await prover.prove(await witnessFor(i, tree, member.id.secret, member.weight)));
}, 300_000);

afterAll(async () => {
  await prover.close();
  await verifier.close();
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  await curve.terminate();
});

describe('the fixed-base Groth16 prover', () => {
  it("makes proofs snarkjs's verifier accepts with the circuit's verification key, and the batch verifier too", async () => {
    for (const { proof, publicSignals } of proofs)
      expect(
        await usingCurve(() => snarkjs.groth16.verify(artifacts.verificationKey, publicSignals, proof)),
      ).toBe(true);
    expect(await verifier.verifyBatch(proofs)).toEqual([true, true, true]);
    // Two proofs of the same witness differ (fresh r and s): nothing links them but the statement.
    expect(proofs[0]?.proof.pi_a).not.toEqual(proofs[1]?.proof.pi_a);
  });

  it('binds its public signals: the witness gives them, and a changed one fails snarkjs verification', async () => {
    const { publicSignals } = proofs[0] as VoteProof;
    const tampered = [...publicSignals];
    tampered[3] = '4';
    expect(
      await usingCurve(() =>
        snarkjs.groth16.verify(artifacts.verificationKey, tampered, (proofs[0] as VoteProof).proof),
      ),
    ).toBe(false);
    expect(publicSignals[3]).toBe('3');
  });

  it('rejects a batch holding one tampered proof, naming it', async () => {
    const batch = Array.from({ length: 16 }, (_, i) => structuredClone(proofs[i % 3] as VoteProof));
    // C of another proof: a valid point, the wrong one.
    (batch[9] as VoteProof).proof.pi_c = structuredClone((proofs[(9 + 1) % 3] as VoteProof).proof.pi_c);
    const verdicts = await verifier.verifyBatch(batch);
    expect(verdicts.filter((v) => !v)).toHaveLength(1);
    expect(verdicts[9]).toBe(false);
    // A and B of two valid proofs swapped between them.
    const swapped = [structuredClone(proofs[0] as VoteProof), structuredClone(proofs[1] as VoteProof)];
    [(swapped[0] as VoteProof).proof.pi_a, (swapped[1] as VoteProof).proof.pi_a] = [
      (proofs[1] as VoteProof).proof.pi_a,
      (proofs[0] as VoteProof).proof.pi_a,
    ];
    expect(await verifier.verifyBatch([...swapped, proofs[2] as VoteProof])).toEqual([false, false, true]);
  });

  it('starts its threads again when one was lost, instead of failing every later verification', async () => {
    expect(await verifier.verifyBatch(proofs)).toEqual([true, true, true]);
    // A thread dies as a crash or an out-of-memory kill would end it: its worker exits under the verifier.
    const internals = verifier as unknown as {
      threads: Promise<{ worker: { terminate(): Promise<number> } }[]>;
    };
    const [lost] = await internals.threads;
    await lost?.worker.terminate();
    expect(await verifier.verifyBatch(proofs)).toEqual([true, true, true]);
    expect(await verifier.verify(proofs[0] as VoteProof)).toBe(true);
  });

  it('makes the same valid proofs without tables (points kept, plain multiexp), for one-shot use', async () => {
    await expectValidProofFrom({ tables: false }, 4n);
  });

  it('makes the same valid proofs with tables of a piece of the scalars (cheaper to build), and refuses bad pieces', async () => {
    // Eight pieces: the most joins of piece sums; the table of one piece costs an eighth of the full one.
    await expectValidProofFrom({ pieces: 8 }, 6n);
    for (const pieces of [0, 9, 1.5])
      await rejectedAgoraError(Groth16Prover.load(artifacts.zkey, { pieces }), ErrorCode.InvalidArgument);
  });

  it('refuses a witness of the wrong length or with values outside the field', async () => {
    await rejectedAgoraError(prover.prove(new Uint8Array(32)), ErrorCode.InvalidArgument);
    const outside = new Uint8Array(prover.witnessLength * 32);
    outside[0] = 1;
    outside[32 * 5 + 31] = 0xff;
    await rejectedAgoraError(prover.prove(outside), ErrorCode.InvalidArgument);
  });

  it('chooses a window that grows with the number of points', () => {
    expect(windowFor(1)).toBeLessThanOrEqual(4);
    expect(windowFor(2000)).toBeGreaterThanOrEqual(9);
    expect(windowFor(2000)).toBeLessThanOrEqual(13);
    expect(windowFor(1 << 20)).toBe(16);
    // Cut in pieces, each piece's reduction counts: the window shrinks.
    expect(windowFor(2000, 4)).toBeLessThan(windowFor(2000));
  });
});

describe('the proving key parser', () => {
  it('reads the committed key: sizes agree with the circuit', () => {
    const key = parseProvingKey(artifacts.zkey);
    // nullifier, root, scope, vote, votingWeight, top.
    expect(key.nPublic).toBe(6);
    expect(key.domainSize & (key.domainSize - 1)).toBe(0);
    expect(key.a.length).toBe(key.nVars * 64);
    expect(key.h.length).toBe(key.domainSize * 64);
  });

  it('refuses every truncation with INVALID_ARGUMENT', () => {
    const bytes = artifacts.zkey;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (length) => {
        thrownAgoraError(() => parseProvingKey(bytes.subarray(0, length)), ErrorCode.InvalidArgument);
      }),
      { numRuns: 200 },
    );
  });

  it('never fails otherwise than with INVALID_ARGUMENT on corrupted bytes of the header and sections table', () => {
    const bytes = artifacts.zkey;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 255 }), (at, value) => {
        const copy = Uint8Array.from(bytes);
        copy[at] = value;
        try {
          parseProvingKey(copy);
        } catch (error) {
          expect((error as { code?: string }).code).toBe(ErrorCode.InvalidArgument);
        }
      }),
      { numRuns: 300 },
    );
  });
});
