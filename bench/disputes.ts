import { canonicalJson } from '../src/core/index.js';
import { readDispute, settlement } from '../src/disputes/index.js';
import { type AgentKey, zkIdentity } from '../src/identity/index.js';
import { MembershipTree, PanelProver, Prover, releaseCurve, Verifier } from '../src/zk/index.js';
import { buildWorld, disputeFlow, idOf, ledgerWith } from '../test/disputes/fixture.js';
import { median, report } from './report.js';

const BENCH = 'governance';

/**
 * Five membership proofs of the vote circuit (depth-10 tree) in a five-leaf tree, made and verified one by one: what
 * the juror proofs cost before they moved to the panel circuit, kept as the same-run baseline.
 */
async function bareProofs(
  prover: Prover,
  verifier: Verifier,
  keys: readonly AgentKey[],
  run: number,
): Promise<void> {
  const identities = await Promise.all(keys.map((key) => zkIdentity(key)));
  const tree = await MembershipTree.build(
    identities.map((id) => ({ commitment: id.commitment, weight: 1n })),
  );
  for (const [i, identity] of identities.entries()) {
    const statement = {
      root: tree.root,
      scope: BigInt(1_000 + run),
      vote: BigInt(i + 1),
      votingWeight: 1n,
      top: 0,
    };
    const proof = await prover.prove(statement, {
      secret: identity.secret,
      weight: 1n,
      path: tree.path(i),
      piece: 0n,
    });
    if (!(await verifier.verify(proof))) throw new Error('a bare proof did not verify');
  }
}
const RUNS = 3;

/** CPU seconds (user + system, every thread of the process) that `task` takes. */
async function cpuSeconds(task: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await task();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/**
 * `dispute_cpu_s`: one dispute from its opening to its settlement, on a ledger holding the world before it (agents,
 * staked jurors, the receipt, bonds, the electorate's checkpoint): the opening verified and stored, the answer, the
 * draw from a seed block, five juror proofs made, the votes verified and stored, five reveals, the dispute read
 * (electorate rebuilt from its checkpoint, panel redrawn, votes counted) and the settlement computed. Juror proofs
 * use the panel circuit (3-level tree, ~1,600 constraints). The baseline is five bare membership proofs of the vote
 * circuit (4,072 constraints) made and verified in the same process.
 */
export default async function run(): Promise<void> {
  const [prover, verifier, jurorProver, panelVerifier] = await Promise.all([
    Prover.load(),
    Verifier.load(),
    PanelProver.load(),
    Verifier.loadPanel(),
  ]);
  const world = await buildWorld({ verifier: panelVerifier, jurorCount: 12 });
  const runs: number[] = [];
  const baselines: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const ledger = await ledgerWith(panelVerifier, world.base);
    try {
      runs.push(
        await cpuSeconds(async () => {
          await ledger.append(world.opened);
          const flow = await disputeFlow(
            world,
            jurorProver,
            panelVerifier,
            ['upheld', 'upheld', 'rejected', 'upheld', 'rejected'],
            r + 1,
            { extras: false },
          );
          await ledger.importLines(flow.map((event) => canonicalJson(event)));
          const view = await readDispute(ledger, idOf(world.opened), Number.MAX_SAFE_INTEGER);
          if (
            view.status !== 'decided' ||
            view.rounds[0]?.votes !== 5 ||
            view.rounds[0]?.reveals.length !== 5
          )
            throw new Error(`the dispute did not settle: ${view.status}`);
          if (settlement(view) === undefined) throw new Error('no settlement');
        }),
      );
    } finally {
      await ledger.close();
    }
    baselines.push(await cpuSeconds(() => bareProofs(prover, verifier, world.jurors.slice(0, 5), r)));
  }
  await releaseCurve();
  report({
    bench: BENCH,
    metric: 'dispute_cpu_s',
    value: median(runs),
    unit: 's',
    baseline: median(baselines),
    note: `median of ${RUNS}: one dispute from opening to settlement, five juror proofs made and verified, the electorate rebuilt (12 staked jurors; the flow builds the draw on a scratch copy of the ledger too, counted); juror proofs in the panel circuit; target <= 5 s CPU. Baseline: five bare vote-circuit membership proofs made and verified`,
  });
}
