import { WitnessCalculatorBuilder } from 'circom_runtime';
import * as snarkjs from 'snarkjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { CircuitProver } from '../../src/zk/circuit-prover.js';
import { usingCurve } from '../../src/zk/curve-lifetime.js';
import { Groth16Prover } from '../../src/zk/groth16-prover.js';
import {
  MembershipTree,
  type Prover,
  releaseCurve,
  toField,
  type VoteArtifacts,
  type VoteProof,
  Prover as VoteProver,
  type VoteStatement,
  type VoteWitness,
} from '../../src/zk/index.js';
import { voteArtifacts, voteZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

let artifacts: VoteArtifacts;
let agora: Prover;
let reference: Prover;
let statement: VoteStatement;
let witness: VoteWitness;
let raw: Record<string, unknown>;

beforeAll(async () => {
  artifacts = await voteArtifacts();
  ({ prover: agora } = await voteZk());
  reference = await VoteProver.load(artifacts, { engine: 'snarkjs' });
  const members = await Promise.all(
    [5n, 9n].map(async (weight) => ({ id: await zkIdentity(generateAgentKey()), weight })),
  );
  const tree = await MembershipTree.build(
    members.map((m) => ({ commitment: m.id.commitment, weight: m.weight })),
  );
  const member = members[1] as (typeof members)[number];
  const path = tree.path(1);
  // The one piece of 2^3 a weight of 9 holds.
  statement = {
    root: tree.root,
    scope: toField('proposal', 'cd'.repeat(32)),
    vote: 11n,
    votingWeight: 8n,
    top: 3,
  };
  witness = { secret: member.id.secret, weight: member.weight, path, piece: 0n };
  raw = {
    root: tree.root.toString(),
    scope: statement.scope.toString(),
    vote: '11',
    votingWeight: '8',
    top: '3',
    secret: member.id.secret.toString(),
    weight: '9',
    exponent: '3',
    piece: '0',
    pathIndices: path.pathIndices.map(String),
    siblings: path.siblings.map((level) => level.map(String)),
  };
}, 300_000);

afterAll(async () => {
  await reference.close();
  await releaseCurve();
});

const snarkjsAccepts = (proof: VoteProof, key: Record<string, unknown>) =>
  usingCurve(() => snarkjs.groth16.verify(key, proof.publicSignals, proof.proof));

describe('the prover engines (agora, and snarkjs as the fallback)', () => {
  it('give the same public signals for the same vote, and both proofs pass snarkjs and our verifier', async () => {
    const { verifier } = await voteZk();
    const ours = await agora.prove(statement, witness);
    const theirs = await reference.prove(statement, witness);
    expect(ours.publicSignals).toEqual(theirs.publicSignals);
    expect(ours.nullifier).toBe(theirs.nullifier);
    for (const proof of [ours, theirs]) {
      expect(await snarkjsAccepts(proof, artifacts.verificationKey)).toBe(true);
      expect(await verifier.verify(proof)).toBe(true);
    }
    // The proofs themselves differ (each draws its own r and s), and a changed signal fails both.
    expect(ours.proof.pi_a).not.toEqual(theirs.proof.pi_a);
    const tampered = { ...ours, publicSignals: ours.publicSignals.map((s, i) => (i === 3 ? '12' : s)) };
    expect(await snarkjsAccepts(tampered, artifacts.verificationKey)).toBe(false);
    expect(await verifier.verify(tampered)).toBe(false);
  });

  it('refuse, with INVALID_PROOF, a witness that does not reach the root, in the prover check and in the circuit', async () => {
    for (const prover of [agora, reference])
      await rejectedAgoraError(
        prover.prove({ ...statement, root: statement.root + 1n }, witness),
        ErrorCode.InvalidProof,
      );
    // Past the plain-code check: the circuit itself refuses, whichever engine would prove.
    for (const engine of ['agora', 'snarkjs'] as const) {
      const circuit = await CircuitProver.load(artifacts.wasm, artifacts.zkey, { engine });
      try {
        await rejectedAgoraError(
          circuit.prove({ ...raw, root: (statement.root + 1n).toString() }, 'this vote'),
          ErrorCode.InvalidProof,
        );
      } finally {
        await circuit.close();
      }
    }
  });

  it('refuse an unknown engine with INVALID_ARGUMENT', async () => {
    await rejectedAgoraError(
      VoteProver.load(artifacts, { engine: 'rapidsnark' as 'agora' }),
      ErrorCode.InvalidArgument,
    );
  });

  it('make from a tampered witness a proof that neither verifier accepts', async () => {
    const calculator = await WitnessCalculatorBuilder(artifacts.wasm);
    const wtns = await calculator.calculateWTNSBin(raw, 0);
    const groth16 = await Groth16Prover.load(artifacts.zkey, { tables: false });
    try {
      const values = wtns.slice(wtns.length - groth16.witnessLength * 32);
      // The last private signal, plus one: the public signals still look right, the constraints no longer hold.
      const last = values.length - 32;
      values[last] = ((values[last] as number) + 1) & 0xff;
      const proof = await groth16.prove(values);
      const { verifier } = await voteZk();
      expect(await snarkjsAccepts(proof, artifacts.verificationKey)).toBe(false);
      expect(await verifier.verify(proof)).toBe(false);
    } finally {
      await groth16.close();
    }
  });
});
