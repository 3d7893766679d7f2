import { join } from 'node:path';
import * as snarkjs from 'snarkjs';
import { generateAgentKey, zkIdentity } from '../src/identity/index.js';
import { usingCurve } from '../src/zk/curve-lifetime.js';
import { Groth16Prover } from '../src/zk/groth16-prover.js';
import {
  ARTIFACTS_DIR,
  loadVoteArtifacts,
  MembershipTree,
  Prover,
  releaseCurve,
  toField,
  Verifier,
  type VoteProof,
} from '../src/zk/index.js';
import { median, report } from './report.js';
import { binaryBaseline, binaryInput } from './zk-baseline.js';

const BENCH = 'zk';

async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await task();
  return (performance.now() - start) / 1000;
}

/** AGORA_BENCH_ZK_QUICK=1 skips the tree build and the binary depth-20 baseline (minutes on a busy machine). */
const QUICK = process.env.AGORA_BENCH_ZK_QUICK === '1';

/** CPU seconds of the whole process (all threads) and wall seconds of a task. */
async function cpuAndWall(task: () => Promise<unknown>): Promise<{ cpu: number; wall: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await task();
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - start) / 1000 };
}

export default async function run(): Promise<void> {
  const members = await Promise.all(
    Array.from({ length: 8 }, async (_, i) => ({
      identity: await zkIdentity(generateAgentKey()),
      weight: BigInt(10 + i),
    })),
  );
  // Tree build: 2^16 members (the vote circuit's tree holds 2^20).
  const many = Array.from({ length: 2 ** 16 }, (_, i) => ({
    commitment: BigInt(i + 1),
    weight: BigInt(i % 1000),
  }));
  if (!QUICK) {
    const buildTimes: number[] = [];
    for (let r = 0; r < 3; r++) buildTimes.push(await timed(() => MembershipTree.build(many)));
    report({ bench: BENCH, metric: 'tree_build_65536', value: median(buildTimes), unit: 's' });
  }

  const tree = await MembershipTree.build(
    members.map((m) => ({ commitment: m.identity.commitment, weight: m.weight })),
  );
  const scope = toField('proposal', 'ab'.repeat(32));
  const inputFor = (i: number) => {
    const member = members[i] as (typeof members)[number];
    const path = tree.path(i);
    return {
      // The top piece (2^3) of weights 10..17: each holds one.
      statement: { root: tree.root, scope, vote: 7n, votingWeight: 8n, top: 3 },
      witness: { secret: member.identity.secret, weight: member.weight, path, piece: 0n },
      raw: {
        root: tree.root.toString(),
        scope: scope.toString(),
        vote: '7',
        votingWeight: '8',
        top: '3',
        secret: member.identity.secret.toString(),
        weight: member.weight.toString(),
        exponent: '3',
        piece: '0',
        pathIndices: path.pathIndices.map(String),
        siblings: path.siblings.map((level) => level.map(String)),
      },
    };
  };

  const artifacts = await loadVoteArtifacts();
  const load = await cpuAndWall(async () => (await Prover.load(artifacts, { tables: true })).close());
  report({
    bench: BENCH,
    metric: 'prover_load',
    value: load.wall,
    unit: 's',
    cpu: Number(load.cpu.toFixed(2)),
    note: 'artifacts parsed, witness calculator built, fixed-base tables built in the prover threads; cpu: CPU seconds (all threads)',
  });
  const pieces = await cpuAndWall(async () =>
    (await Groth16Prover.load(artifacts.zkey, { pieces: 2 })).close(),
  );
  report({
    bench: BENCH,
    metric: 'prover_load_2_pieces',
    value: pieces.wall,
    unit: 's',
    baseline: load.wall,
    cpu_ratio: Number((pieces.cpu / load.cpu).toFixed(3)),
    note: 'Groth16Prover.load({ pieces: 2 }): tables of half the scalar bits; baseline: prover_load (full tables); cpu_ratio: the same in CPU time',
  });
  const prover = await Prover.load(artifacts, { tables: true });
  // The same interface with the other engines: no tables (the default), and snarkjs.groth16.prove on the same key and
  // witness (the fallback): one proof of each per round, interleaved, so the machine's load weighs on all alike.
  const untabled = await Prover.load(artifacts);
  const reference = await Prover.load(artifacts, { engine: 'snarkjs' });
  const proofs: VoteProof[] = [];
  const warm: Array<{ cpu: number; wall: number }> = [];
  const noTables: Array<{ cpu: number; wall: number }> = [];
  const engine: Array<{ cpu: number; wall: number }> = [];
  const plain: number[] = [];
  // snarkjs's curve (and its threads) held for the whole loop: the baseline never pays for building it again, as it
  // would after 300 ms idle (see usingCurve).
  await usingCurve(async () => {
    for (const warmUp of [prover, untabled, reference])
      await warmUp.prove(inputFor(0).statement, inputFor(0).witness);
    for (let r = 0; r < 8; r++) {
      const { statement, witness, raw } = inputFor(r);
      warm.push(await cpuAndWall(async () => proofs.push(await prover.prove(statement, witness))));
      noTables.push(await cpuAndWall(() => untabled.prove(statement, witness)));
      engine.push(await cpuAndWall(() => reference.prove(statement, witness)));
      // Plain snarkjs from the artifact files, as a first integration would call it.
      plain.push(
        await timed(() =>
          snarkjs.groth16.fullProve(raw, join(ARTIFACTS_DIR, 'vote.wasm'), join(ARTIFACTS_DIR, 'vote.zkey')),
        ),
      );
    }
  });
  await Promise.all([untabled.close(), reference.close()]);
  const circuit = '4-ary, 10 levels (2^20 members), 4,016 constraints';
  const wall = (runs: Array<{ wall: number }>) => median(runs.map((run) => run.wall));
  const cpu = (runs: Array<{ cpu: number }>) => median(runs.map((run) => run.cpu));
  report({
    bench: BENCH,
    metric: 'prove_vote_circuit',
    value: wall(warm),
    unit: 's (median)',
    baseline: wall(engine),
    cpu_ratio: Number((cpu(warm) / cpu(engine)).toFixed(3)),
    circuit,
    note: "Prover.prove with fixed-base tables; baseline: the same Prover with { engine: 'snarkjs' } (witness, then snarkjs.groth16.prove on the in-memory key, its curve kept); cpu_ratio: the same in CPU time (all threads)",
  });
  report({
    bench: BENCH,
    metric: 'prove_vote_circuit_no_tables',
    value: wall(noTables),
    unit: 's (median)',
    baseline: wall(engine),
    cpu_ratio: Number((cpu(noTables) / cpu(engine)).toFixed(3)),
    circuit,
    note: "Prover.prove without tables (the default); baseline: the same Prover with { engine: 'snarkjs' }",
  });
  report({
    bench: BENCH,
    metric: 'prove_warm',
    value: wall(warm),
    unit: 's (median)',
    baseline: median(plain),
    circuit,
    note: 'baseline: snarkjs.groth16.fullProve of the same circuit from files',
  });

  // The binary depth-20 shape most membership circuits use, proved the plain way.
  if (!QUICK) await binaryComparison(members, scope, wall(warm));

  const verifier = await Verifier.load(artifacts);
  const single: number[] = [];
  const plainSingle: number[] = [];
  for (const proof of proofs) {
    single.push(await timed(() => verifier.verify(proof)));
    plainSingle.push(
      await timed(() =>
        usingCurve(() => snarkjs.groth16.verify(artifacts.verificationKey, proof.publicSignals, proof.proof)),
      ),
    );
  }
  const singleRate = 1 / median(single);
  const plainRate = 1 / median(plainSingle);
  report({
    bench: BENCH,
    metric: 'verify_single',
    value: singleRate,
    unit: 'proofs/s',
    baseline: plainRate,
    note: 'Verifier.verify (with G2 subgroup check) vs snarkjs.groth16.verify',
  });

  // CPU time (all threads) as well as wall time: on a shared machine, a batch spread over worker threads and a
  // latency-bound one-by-one verification are slowed down differently.
  const plainCpu: number[] = [];
  for (const proof of proofs.slice(0, 4)) {
    const { cpu } = await cpuAndWall(() =>
      usingCurve(() => snarkjs.groth16.verify(artifacts.verificationKey, proof.publicSignals, proof.proof)),
    );
    plainCpu.push(cpu);
  }
  const batch = verifier;
  for (const size of [16, 64, 256]) {
    const set = Array.from({ length: size }, (_, i) => proofs[i % proofs.length] as VoteProof);
    const times: number[] = [];
    const cpus: number[] = [];
    for (let r = 0; r < 3; r++) {
      const { cpu, wall } = await cpuAndWall(async () => {
        const verdicts = await batch.verifyBatch(set);
        if (!verdicts.every(Boolean)) throw new Error('a valid proof was refused');
      });
      times.push(wall);
      cpus.push(cpu);
    }
    report({
      bench: BENCH,
      metric: `batch_verify_${size}`,
      value: size / median(times),
      unit: 'proofs/s',
      baseline: plainRate,
      cpu_ratio: Number((median(plainCpu) / (median(cpus) / size)).toFixed(2)),
      note: 'with G2 subgroup checks; baseline: one-by-one snarkjs.groth16.verify; cpu_ratio: the same in CPU time',
    });
  }
  await prover.close();
  await verifier.close();
  await releaseCurve();
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  await curve.terminate();
}

async function binaryComparison(
  members: Array<{ identity: { secret: bigint; commitment: bigint }; weight: bigint }>,
  scope: bigint,
  warm: number,
): Promise<void> {
  const baseline = binaryBaseline();
  const binary: number[] = [];
  for (let r = 0; r < 8; r++) {
    const member = members[r] as (typeof members)[number];
    const input = await binaryInput(member.identity.secret, member.identity.commitment, member.weight, scope);
    binary.push(
      await timed(async () => {
        const { proof, publicSignals } = await usingCurve(() =>
          snarkjs.groth16.fullProve(input, baseline.wasm, baseline.zkey),
        );
        if (proof === undefined || publicSignals.length !== 5) throw new Error('baseline proof missing');
      }),
    );
  }
  report({
    bench: BENCH,
    metric: 'prove_warm_vs_binary_depth20',
    value: warm,
    unit: 's (median)',
    baseline: median(binary),
    circuit: 'binary Poseidon tree, 20 levels, 5,726 constraints, 2^13 domain',
    note: 'baseline: snarkjs.groth16.fullProve of the binary depth-20 circuit from files',
  });
}
