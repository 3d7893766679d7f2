import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  proposalCreatedType,
  voteCastType,
  YES_NO_OPTIONS,
} from '../src/governance/index.js';
import { agentRegisteredType, EventRegistry, Ledger } from '../src/ledger/index.js';
import { releaseCurve, Verifier } from '../src/zk/index.js';
import { type VoteSet, voteSet } from './governance-votes.js';
import { random } from './random.js';
import { median, medianSeconds, report } from './report.js';

const BENCH = 'governance';
const VOTERS = 256;
const OPTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** Ballots of each method with weights like a reputation snapshot (a few heavy voters, a long tail). */
function ballots<M extends CountingMethod>(method: M, n: number, seed: number): Counted<BallotOf[M]>[] {
  const next = random(seed);
  const pick = () => OPTIONS[Math.floor(next() ** 2 * OPTIONS.length)] as string;
  const ranking = () => {
    const order = [...OPTIONS].sort(() => next() - 0.5);
    return order.slice(0, 1 + Math.floor(next() * OPTIONS.length));
  };
  const make: { [K in CountingMethod]: () => BallotOf[K] } = {
    single: () => ({ choice: YES_NO_OPTIONS[Math.floor(next() * 3)] as string }),
    approval: () => ({ approve: OPTIONS.filter(() => next() < 0.3) }),
    ranked: () => ({ ranking: ranking() }),
    weighted: () => {
      const first = pick();
      const second = OPTIONS.find((o) => o !== first) as string;
      const share = 1 + Math.floor(next() * 9_998);
      return { split: { [first]: share, [second]: 10_000 - share } };
    },
  };
  return Array.from({ length: n }, () => ({
    weight: BigInt(1 + Math.floor(next() ** 4 * 1_000_000)),
    ballot: (make[method] as () => BallotOf[M])(),
  }));
}

/** Stores the votes in a fresh LevelDB ledger in batches of `batch`, all proofs verified; returns the seconds. */
async function ingest(set: VoteSet, batch: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-votes-'));
  const verifier = await Verifier.load();
  const registry = new EventRegistry([agentRegisteredType, proposalCreatedType, voteCastType(verifier)]);
  const ledger = await Ledger.open(dir, { registry });
  try {
    await ledger.appendBatch(set.setup);
    const start = performance.now();
    for (let at = 0; at < set.votes.length; at += batch)
      await ledger.appendBatch(set.votes.slice(at, at + batch));
    const seconds = (performance.now() - start) / 1000;
    if (ledger.stats().events !== set.setup.length + set.votes.length)
      throw new Error('votes were not all stored');
    return seconds;
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<void> {
  const set = await voteSet(VOTERS);
  for (const batch of [1, 64, 256]) {
    const times: number[] = [];
    for (let r = 0; r < 3; r++) times.push(await ingest(set, batch));
    report({
      bench: BENCH,
      metric: batch === 256 ? 'vote_ingest' : `vote_ingest_batch_${batch}`,
      value: set.votes.length / median(times),
      unit: 'votes/s',
      note: `${set.votes.length} votes, batches of ${batch}, every proof verified (G2 subgroup checks), LevelDB with fsync`,
    });
  }
  await releaseCurve();

  for (const method of ['single', 'approval', 'ranked', 'weighted'] as const) {
    const options = method === 'single' ? [...YES_NO_OPTIONS] : OPTIONS;
    const set = ballots(method, 100_000, 42);
    const seconds = await medianSeconds(5, () => {
      count(method, options, set);
    });
    report({
      bench: BENCH,
      metric: `count_100k_${method}`,
      value: seconds,
      unit: 's',
      note: 'counting parsed ballots in memory; reading and verifying votes from the ledger is not included',
    });
  }
}
