import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { WitnessCalculatorBuilder } from 'circom_runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode, toHex } from '../../src/core/index.js';
import { generateAgentKey, getPoseidon, zkIdentity } from '../../src/identity/index.js';
import {
  ARTIFACTS_DIR,
  ballotField,
  exponentOf,
  loadVoteArtifacts,
  MembershipTree,
  type Prover,
  releaseCurve,
  rootOfPath,
  toField,
  Verifier,
  type VoteProof,
} from '../../src/zk/index.js';
import { voteArtifacts, voteZk } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

let prover: Prover;
let verifier: Verifier;
const members = await Promise.all(
  Array.from({ length: 6 }, async (_, i) => {
    const identity = await zkIdentity(generateAgentKey());
    return { identity, weight: BigInt(100 * (i + 1)) };
  }),
);
let tree: MembershipTree;
const proposal = 'ab'.repeat(32);
const scope = toField('proposal', proposal);
const vote = ballotField(proposal, 'for');
// Pieces of 2^6 = 64 at the top: member 3 (weight 400) holds six of them (indices 0..5) and the remainder bit 16.
const top = 6;
let valid: VoteProof;

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
  tree = await MembershipTree.build(
    members.map((m) => ({ commitment: m.identity.commitment, weight: m.weight })),
  );
  const member = members[3] as (typeof members)[number];
  valid = await prover.prove(
    { root: tree.root, scope, vote, votingWeight: 64n, top },
    { secret: member.identity.secret, weight: member.weight, path: tree.path(3), piece: 5n },
  );
}, 300_000);

afterAll(async () => {
  await releaseCurve();
});

describe('anonymous weighted vote proofs', () => {
  it('verify, with the public signals in the circuit order', async () => {
    expect(await verifier.verify(valid)).toBe(true);
    const [nullifier, root, proofScope, proofVote, votingWeight, proofTop] = valid.publicSignals;
    expect([root, proofScope, proofVote, votingWeight, proofTop]).toEqual(
      [tree.root, scope, vote, 64n, top].map(String),
    );
    expect(BigInt(nullifier as string)).not.toBe(0n);
  });

  it('fail when any public signal is changed, one at a time', async () => {
    for (let i = 0; i < valid.publicSignals.length; i++) {
      const publicSignals = [...valid.publicSignals];
      publicSignals[i] = String(BigInt(publicSignals[i] as string) + 1n);
      expect(await verifier.verify({ ...valid, publicSignals }), `signal ${i}`).toBe(false);
    }
    const unreduced = [...valid.publicSignals];
    unreduced[2] = String(
      scope + 21888242871839275222246405745257275088548364400416034343698204186575808495617n,
    );
    expect(await verifier.verify({ ...valid, publicSignals: unreduced })).toBe(false);
  });

  it('cannot be replayed for another proposal: the scope and the nullifier both change', async () => {
    const otherScope = toField('proposal', 'cd'.repeat(32));
    const replay = [...valid.publicSignals];
    replay[2] = String(otherScope);
    expect(await verifier.verify({ ...valid, publicSignals: replay })).toBe(false);
    const member = members[3] as (typeof members)[number];
    const fresh = await prover.prove(
      { root: tree.root, scope: otherScope, vote, votingWeight: 64n, top },
      { secret: member.identity.secret, weight: member.weight, path: tree.path(3), piece: 5n },
    );
    expect(fresh.publicSignals[0]).not.toBe(valid.publicSignals[0]);
  });

  it('made at once by one prover, each prove its own statement (one witness calculated at a time)', async () => {
    const statements = (['for', 'against', 'abstain'] as const).map((choice, k) => ({
      member: k + 1,
      statement: { root: tree.root, scope, vote: ballotField(proposal, choice), votingWeight: 64n, top },
    }));
    const proofs = await Promise.all(
      statements.map(({ member, statement }) => {
        const { identity, weight } = members[member] as (typeof members)[number];
        return prover.prove(statement, {
          secret: identity.secret,
          weight,
          path: tree.path(member),
          piece: 0n,
        });
      }),
    );
    for (const [k, proof] of proofs.entries()) {
      const { statement } = statements[k] as (typeof statements)[number];
      expect(proof.publicSignals.slice(1)).toEqual(
        [statement.root, statement.scope, statement.vote, 64n, top].map(String),
      );
      expect(await verifier.verify(proof)).toBe(true);
    }
    expect(new Set(proofs.map((p) => p.publicSignals[0])).size).toBe(3);
  });

  it('refuse to prove a piece the weight does not hold, a wrong secret or a wrong path', async () => {
    const member = members[3] as (typeof members)[number];
    const own = { secret: member.identity.secret, weight: member.weight, path: tree.path(3) };
    const statement = { root: tree.root, scope, vote, votingWeight: 64n, top };
    for (const [bad, witness] of [
      [
        { ...statement, votingWeight: 401n },
        { ...own, piece: 0n },
      ],
      [
        { ...statement, votingWeight: 128n },
        { ...own, piece: 0n },
      ],
      [statement, { ...own, piece: 6n }],
      [
        { ...statement, votingWeight: 32n },
        { ...own, piece: 0n },
      ],
      [
        { ...statement, votingWeight: 16n },
        { ...own, piece: 1n },
      ],
    ] as const)
      await rejectedAgoraError(prover.prove(bad, witness), ErrorCode.InvalidProof);
    const fair = { ...statement, votingWeight: 16n };
    await rejectedAgoraError(
      prover.prove(fair, { ...own, secret: member.identity.secret + 1n, piece: 0n }),
      ErrorCode.InvalidProof,
    );
    await rejectedAgoraError(
      prover.prove(fair, { ...own, path: tree.path(2), piece: 0n }),
      ErrorCode.InvalidProof,
    );
    await rejectedAgoraError(
      prover.prove(fair, { ...own, weight: member.weight + 1n, piece: 0n }),
      ErrorCode.InvalidProof,
    );
  });

  it('enforce the weight bounds and the path in the circuit itself, not only in the prover check', async () => {
    const member = members[3] as (typeof members)[number];
    const poseidon = await getPoseidon();
    const input = (
      votingWeight: bigint,
      weight = member.weight,
      path = tree.path(3),
      root = tree.root,
      piece = { exponent: exponentOf(votingWeight) ?? 0, index: 0n },
    ) => ({
      root: root.toString(),
      scope: scope.toString(),
      vote: vote.toString(),
      votingWeight: votingWeight.toString(),
      top: String(top),
      secret: member.identity.secret.toString(),
      weight: weight.toString(),
      exponent: String(piece.exponent),
      piece: piece.index.toString(),
      pathIndices: path.pathIndices.map(String),
      siblings: path.siblings.map((level) => level.map(String)),
    });
    // A weight of 2^64 + 5 under a root that really contains it: only the range check can refuse it.
    const overflow = (1n << 64n) + 5n;
    const overflowRoot = rootOfPath(
      poseidon,
      poseidon.hash([member.identity.commitment, overflow]),
      tree.path(3),
    );
    const witnesses = async () => WitnessCalculatorBuilder((await voteArtifacts()).wasm);
    const topPiece = (index: bigint) => ({ exponent: top, index });
    expect(
      (
        await (
          await witnesses()
        ).calculateWTNSBin(input(64n, member.weight, tree.path(3), tree.root, topPiece(5n)), 0)
      ).length,
    ).toBeGreaterThan(0);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      for (const bad of [
        // A seventh top piece, a remainder bit that is not set, a remainder piece with an index, above the top.
        input(64n, member.weight, tree.path(3), tree.root, topPiece(6n)),
        input(32n),
        input(16n, member.weight, tree.path(3), tree.root, { exponent: 4, index: 1n }),
        input(128n),
        // A voting weight that is not the piece's denomination.
        input(32n, member.weight, tree.path(3), tree.root, { exponent: 4, index: 0n }),
        input(1n, overflow, tree.path(3), overflowRoot),
        input(16n, member.weight, tree.path(2)),
        input(16n, member.weight + 1n),
      ]) {
        await expect((await witnesses()).calculateWTNSBin(bad, 0)).rejects.toThrow(/Assert Failed/);
      }
    } finally {
      quiet.mockRestore();
    }
  });

  it('recompute every member path to the root', async () => {
    const poseidon = await getPoseidon();
    members.forEach((m, i) => {
      const leaf = MembershipTree.leafOf(poseidon, { commitment: m.identity.commitment, weight: m.weight });
      expect(rootOfPath(poseidon, leaf, tree.path(i))).toBe(tree.root);
      expect(rootOfPath(poseidon, leaf + 1n, tree.path(i))).not.toBe(tree.root);
    });
    expect(() => rootOfPath(poseidon, 1n, { pathIndices: [4], siblings: [[1n, 2n, 3n]] })).toThrow(/levels/);
  });

  it('keeps the tree root in step with updates', async () => {
    const copy = await MembershipTree.build(
      members.map((m) => ({ commitment: m.identity.commitment, weight: m.weight })),
    );
    const before = copy.root;
    copy.update(1, { commitment: (members[1] as (typeof members)[number]).identity.commitment, weight: 1n });
    expect(copy.root).not.toBe(before);
    const rebuilt = await MembershipTree.build(
      members.map((m, i) => ({ commitment: m.identity.commitment, weight: i === 1 ? 1n : m.weight })),
    );
    expect(copy.root).toBe(rebuilt.root);
    expect(copy.path(5).siblings).toEqual(rebuilt.path(5).siblings);
  });
});

describe('verifier', () => {
  it('answers false, never throws, on garbage proofs, alone or in a batch with a valid one', async () => {
    const garbage = fc.oneof(
      fc.anything(),
      fc.record({ proof: fc.anything(), publicSignals: fc.anything() }),
      fc.record({
        proof: fc.record({
          pi_a: fc.array(fc.string(), { maxLength: 3 }),
          pi_b: fc.array(fc.array(fc.bigInt({ min: 0n, max: 2n ** 256n }).map(String), { maxLength: 2 }), {
            maxLength: 3,
          }),
          pi_c: fc.constant(valid.proof.pi_c),
        }),
        publicSignals: fc.constant(valid.publicSignals),
      }),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (junk) => {
        expect(await verifier.verify(junk as VoteProof)).toBe(false);
      }),
      { numRuns: 150 },
    );
    const junk = fc.sample(garbage, { numRuns: 20, seed: 7 }) as VoteProof[];
    expect(await verifier.verifyBatch([...junk, valid])).toEqual([...junk.map(() => false), true]);
  });

  it('refuses a malformed verification key with a typed error', async () => {
    const artifacts = await voteArtifacts();
    const broken = structuredClone(artifacts.verificationKey) as { IC: string[][] };
    (broken.IC[1] as string[])[0] = 'not a number';
    await rejectedAgoraError(
      Verifier.load({ ...artifacts, verificationKey: broken as unknown as Record<string, unknown> }),
      ErrorCode.InvalidArgument,
    );
    const offCurve = structuredClone(artifacts.verificationKey) as { IC: string[][] };
    (offCurve.IC[1] as string[])[0] = '5';
    await rejectedAgoraError(
      Verifier.load({ ...artifacts, verificationKey: offCurve as unknown as Record<string, unknown> }),
      ErrorCode.InvalidArgument,
    );
  });
});

describe('circuit artifacts', () => {
  it('refuse an artifact that does not match its checksum', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-artifacts-'));
    try {
      await cp(ARTIFACTS_DIR, dir, { recursive: true });
      const key = JSON.parse(await readFile(join(dir, 'verification_key.json'), 'utf8'));
      key.nPublic = 7;
      await writeFile(join(dir, 'verification_key.json'), JSON.stringify(key));
      await rejectedAgoraError(loadVoteArtifacts(dir), ErrorCode.ArtifactMismatch);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('match the circuit sources: recompiling gives the committed r1cs and wasm of the vote and panel circuits', async () => {
    const root = join(import.meta.dirname, '..', '..');
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'build-circuit.ts')],
      { cwd: root, stdio: 'ignore' },
    );
    const checksums = JSON.parse(await readFile(join(ARTIFACTS_DIR, 'checksums.json'), 'utf8'));
    for (const name of ['vote.r1cs', 'vote.wasm', 'panel.r1cs', 'panel.wasm']) {
      expect(toHex(sha256(new Uint8Array(await readFile(join(root, 'circuits', 'build', name))))), name).toBe(
        checksums[name],
      );
    }
    // Two circuits compiled by circom's WebAssembly build: over two minutes on a loaded two-core machine.
  }, 300_000);

  it('let a process that proved and verified exit by itself', () => {
    const script = join(import.meta.dirname, 'fixtures', 'prove-and-exit.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      // Loading, proving and verifying take a minute on a busy shared machine.
      timeout: 150_000,
    });
    expect(child.stdout.trim()).toBe('true');
    expect(child.status).toBe(0);
    expect(child.signal).toBeNull();
  }, 180_000);
});

describe('batch verification', () => {
  const proofs: VoteProof[] = [];
  beforeAll(async () => {
    proofs.push(valid);
    for (const i of [0, 1, 2]) {
      const member = members[i] as (typeof members)[number];
      proofs.push(
        await prover.prove(
          { root: tree.root, scope, vote, votingWeight: 64n, top },
          { secret: member.identity.secret, weight: member.weight, path: tree.path(i), piece: 0n },
        ),
      );
    }
  }, 120_000);

  it('accepts a batch of valid proofs, names the bad one in a batch, and rejects off-curve and off-subgroup G2 points', async () => {
    const batch = verifier;
    expect(await batch.verifyBatch(proofs)).toEqual([true, true, true, true]);
    const tampered = proofs.map((p) => ({ ...p, publicSignals: [...p.publicSignals] }));
    (tampered[2] as VoteProof).publicSignals[3] = String(vote + 1n);
    expect(await batch.verifyBatch(tampered)).toEqual([true, true, false, true]);
    // One-by-one snarkjs agrees on the tampered proof.
    expect(await verifier.verify(tampered[2] as VoteProof)).toBe(false);

    const snarkjs = await import('snarkjs');
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    const offCurve = structuredClone(valid);
    offCurve.proof.pi_b[0] = [
      String(BigInt((offCurve.proof.pi_b[0] as string[])[0] as string) + 1n),
      (offCurve.proof.pi_b[0] as string[])[1] as string,
    ];
    // A point on the twist curve but outside the order-r subgroup: no cofactor clearing.
    const F2 = curve.G2.F;
    let point: Uint8Array | undefined;
    for (let x = 1n; point === undefined; x++) {
      const fx = F2.fromObject([x, 1n]);
      const rhs = F2.add(F2.mul(F2.square(fx), fx), curve.G2.b);
      if (F2.isSquare(rhs)) {
        const candidate = new Uint8Array(F2.n8 * 2);
        candidate.set(fx);
        candidate.set(F2.sqrt(rhs), F2.n8);
        if (!curve.G2.isZero(curve.G2.timesScalar(candidate, curve.r))) point = candidate;
      }
    }
    const outside = structuredClone(valid);
    outside.proof.pi_b = (curve.G2.toObject(point) as bigint[][]).map((pair) => pair.map(String));
    expect(curve.G2.isValid(curve.G2.fromObject(outside.proof.pi_b.map((pair) => pair.map(BigInt))))).toBe(
      true,
    );
    expect(await batch.verifyBatch([valid, offCurve, outside])).toEqual([true, false, false]);
    // Verified alone (the single-proof path computes on this thread): still refused.
    expect(await verifier.verify(outside)).toBe(false);
    expect(await verifier.verify(offCurve)).toBe(false);
    const { inG2Subgroup } = await import('../../src/zk/g2-subgroup.js');
    expect(
      await inG2Subgroup(curve, [curve.G2.fromObject(outside.proof.pi_b.map((pair) => pair.map(BigInt)))]),
    ).toEqual([false]);
  }, 120_000);

  it('gives each proof of any mix of valid and tampered ones, over several chunks, the verdict it has alone', async () => {
    // Tampered copies: a changed signal, another proof's A (a valid point, the wrong one), B off its curve, A's x
    // not reduced, A at infinity (z = 0). Each is refused alone; in a batch the bisection must name exactly these.
    const tamper: Record<string, (proof: VoteProof, other: VoteProof) => VoteProof> = {
      signal: (proof) => ({
        ...proof,
        publicSignals: proof.publicSignals.map((x, i) => (i === 3 ? String(BigInt(x) + 1n) : x)),
      }),
      otherA: (proof, other) => ({ ...proof, proof: { ...proof.proof, pi_a: other.proof.pi_a } }),
      offCurve: (proof) => {
        const [x, ...rest] = proof.proof.pi_b as string[][];
        const moved = [String(BigInt((x as string[])[0] as string) + 1n), (x as string[])[1] as string];
        return { ...proof, proof: { ...proof.proof, pi_b: [moved, ...rest] } };
      },
      // The same point with x + p: a second encoding of one proof, refused (coordinates must be canonical).
      unreduced: (proof) => {
        const [x, ...rest] = proof.proof.pi_a;
        const p = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
        return { ...proof, proof: { ...proof.proof, pi_a: [String(BigInt(x as string) + p), ...rest] } };
      },
      infinity: (proof) => ({
        ...proof,
        proof: { ...proof.proof, pi_a: [...proof.proof.pi_a.slice(0, 2), '0'] },
      }),
    };
    for (const change of Object.values(tamper))
      expect(await verifier.verify(change(proofs[1] as VoteProof, proofs[2] as VoteProof))).toBe(false);
    const entry = fc.record({
      source: fc.nat({ max: proofs.length - 1 }),
      change: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        fc.constantFrom(...Object.keys(tamper)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { minLength: 2, maxLength: 36 }), async (entries) => {
        const batch = entries.map(({ source, change }) => {
          const proof = proofs[source] as VoteProof;
          const other = proofs[(source + 1) % proofs.length] as VoteProof;
          return change === undefined ? proof : (tamper[change] as (typeof tamper)[string])(proof, other);
        });
        expect(await verifier.verifyBatch(batch)).toEqual(entries.map(({ change }) => change === undefined));
      }),
      { numRuns: 5, seed: 17 },
    );
  }, 120_000);
});

describe('G2 subgroup test', () => {
  it('[x0+1]Q + psi([x0]Q) + psi^2([x0]Q) = psi^3([2x0]Q) agrees with [r]Q = 0 on subgroup points and on points outside the subgroup', async () => {
    const { inG2Subgroup } = await import('../../src/zk/g2-subgroup.js');
    const snarkjs = await import('snarkjs');
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    const G2 = curve.G2;
    const inside = Array.from({ length: 12 }, (_, i) =>
      G2.toAffine(
        G2.timesScalar(
          G2.fromObject([
            [
              10857046999023057135944570762232829481370756359578518086990519993285655852781n,
              11559732032986387107991004021392285783925812861821192530917403151452391805634n,
            ],
            [
              8495653923123431417604973247489272438418190587263600148770280649306958101930n,
              4082367875863433681332203403145435568316851327593401208105741076214120093531n,
            ],
          ]),
          BigInt(i + 2) * 1234567891n,
        ),
      ),
    );
    const outside: Uint8Array[] = [];
    for (let x = 1n; outside.length < 12; x++) {
      const F2 = G2.F;
      const fx = F2.fromObject([x, 3n]);
      const rhs = F2.add(F2.mul(F2.square(fx), fx), G2.b);
      if (!F2.isSquare(rhs)) continue;
      const point = new Uint8Array(F2.n8 * 2);
      point.set(fx);
      point.set(F2.sqrt(rhs), F2.n8);
      outside.push(point);
    }
    const reference = (point: Uint8Array) => G2.isZero(G2.timesScalar(point, curve.r));
    expect(inside.every(reference)).toBe(true);
    expect(outside.some(reference)).toBe(false);
    expect(await inG2Subgroup(curve, inside.slice(0, 1))).toEqual([true]);
    expect(await inG2Subgroup(curve, outside.slice(0, 1))).toEqual([false]);
    expect(await inG2Subgroup(curve, [...inside, ...outside])).toEqual([
      ...inside.map(reference),
      ...outside.map(reference),
    ]);
  });
});
