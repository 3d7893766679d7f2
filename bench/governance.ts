import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  proposalCreatedType,
  tallyProposal,
  voteCastType,
  YES_NO_OPTIONS,
} from '../src/governance/index.js';
import { EventRegistry, Ledger, type LedgerEvent, parseEnvelope } from '../src/ledger/index.js';
import { SeededRandom } from '../src/sim/index.js';
import { releaseCurve, Verifier } from '../src/zk/index.js';
import { electorateTypes } from '../test/fixtures/electorate.js';
import disputes from './disputes.js';
import { type VoteSet, voterCost, voteSet } from './governance-votes.js';
import { median, medianSeconds, progress, report } from './report.js';

const BENCH = 'governance';
/** At most this many pieces (one proof each) in the ingest set, whole voters only. */
const PIECES = 256;
const OPTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** Ballots of each method with weights like a reputation snapshot (a few heavy voters, a long tail). */
function ballots<M extends CountingMethod>(method: M, n: number, seed: number): Counted<BallotOf[M]>[] {
  const random = new SeededRandom(`ballots-${seed}`);
  const next = () => random.next();
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

/**
 * Stores the votes in a fresh LevelDB ledger in batches of `batch`, all proofs verified, then tallies the proposal
 * with its snapshot rebuilt from its checkpoint; returns both times in seconds.
 */
async function ingest(set: VoteSet, batch: number): Promise<{ votes: number; tally: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-votes-'));
  const verifier = await Verifier.load();
  const registry = new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]);
  const ledger = await Ledger.open(dir, { registry });
  try {
    await ledger.appendBatch(set.setup);
    const start = performance.now();
    for (let at = 0; at < set.votes.length; at += batch)
      await ledger.appendBatch(set.votes.slice(at, at + batch));
    const stored = performance.now();
    const result = await tallyProposal(ledger, parseEnvelope(set.setup.at(-1)).id);
    const tallied = performance.now();
    if (ledger.stats().events !== set.setup.length + set.votes.length)
      throw new Error('votes were not all stored');
    if (result.snapshot.status !== 'valid' || result.snapshot.disputed !== undefined)
      throw new Error(`the checkpoint did not verify: ${JSON.stringify(result.snapshot)}`);
    return { votes: (stored - start) / 1000, tally: (tallied - stored) / 1000 };
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Seconds to tally a proposal holding `n` stored votes, read from LevelDB. The votes are copies of the real ones with
 * distinct nullifiers and rotated rankings, stored through a registry that does not check proofs: a tally never
 * re-verifies them (ingest does, measured by `vote_ingest`), and proving 100,000 votes would take about 14 hours here.
 */
async function tallyStored(set: VoteSet, n: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'agora-bench-tally-'));
  const proofsUnchecked = {
    verify: async () => true,
    verifyBatch: async (proofs: readonly unknown[]) => proofs.map(() => true),
  } as unknown as Verifier;
  const registry = new EventRegistry([
    ...electorateTypes,
    proposalCreatedType,
    voteCastType(proofsUnchecked),
  ]);
  const ledger = await Ledger.open(dir, { registry, sync: false });
  try {
    await ledger.appendBatch(set.setup);
    // The proposal is the last setup event.
    const proposalId = parseEnvelope(set.setup.at(-1)).id;
    const options = ['a', 'b', 'c', 'd'];
    const tick = progress(`storing ${n} votes`);
    for (let at = 0; at < n; at += 1_000) {
      const chunk = Array.from({ length: Math.min(1_000, n - at) }, (_, k) => {
        const i = at + k;
        const vote = set.votes[i % set.votes.length] as LedgerEvent;
        const body = vote.body as { votingWeight: string };
        const ranking = [...options.slice(i % 4), ...options.slice(0, i % 4)].slice(0, 1 + (i % 3));
        return {
          ...vote,
          // Each piece keeps its own time: the client spread them over the window already.
          created: vote.created,
          body: { ...body, ballot: { ranking }, nullifier: String(1_000_000 + i) },
        } as LedgerEvent;
      });
      await ledger.appendBatch(chunk);
      tick(at + chunk.length, n);
    }
    let counted = 0;
    const seconds = await medianSeconds(3, async () => {
      counted = (await tallyProposal(ledger, proposalId)).counted.length;
    });
    if (counted !== n) throw new Error(`tallied ${counted} of ${n} votes`);
    return seconds;
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function run(): Promise<void> {
  await disputes();
  const set = await voteSet(PIECES);
  for (const batch of [1, 64, 256]) {
    const runs: { votes: number; tally: number }[] = [];
    for (let r = 0; r < 3; r++) runs.push(await ingest(set, batch));
    const votes = median(runs.map((run) => run.votes));
    const metric = batch === 256 ? 'vote_ingest' : `vote_ingest_batch_${batch}`;
    const what = `${set.voters} votes cast as ${set.votes.length} pieces (one proof each), batches of ${batch} pieces, every proof verified (G2 subgroup checks), LevelDB with fsync`;
    report({ bench: BENCH, metric, value: set.voters / votes, unit: 'votes/s', note: what });
    report({
      bench: BENCH,
      metric: `${metric}_proofs`,
      value: set.votes.length / votes,
      unit: 'proofs/s',
      note: what,
    });
    if (batch === 256) {
      const tally = median(runs.map((run) => run.tally));
      report({
        bench: BENCH,
        metric: 'tally_with_checkpoint',
        value: tally,
        unit: 's',
        note: `the first tally of the ${set.votes.length}-piece proposal: its ${PIECES}-member stake snapshot rebuilt from the checkpoint's events and checked, the dispute check, the count`,
      });
      report({
        bench: BENCH,
        metric: 'vote_ingest_with_checkpoint',
        value: set.voters / (votes + tally),
        unit: 'votes/s',
        note: 'vote_ingest and tally_with_checkpoint together: votes until a verified decision',
      });
    }
  }
  const cost = await voterCost(3);
  for (const at of ['median', 'p99'] as const)
    report({
      bench: BENCH,
      metric: `proving_per_voter_${at}`,
      value: cost.seconds[at],
      unit: 's',
      proofs: cost.proofs[at],
      note: `castPrivateVote of the ${at === 'median' ? 'median' : '99th-percentile'} voter by proofs (${cost.proofs[at]} pieces) of a ${cost.members}-member Pareto 1.2 snapshot under its piece rule, k = 8, median of 3, one prover without fixed-base tables`,
    });
  await releaseCurve();

  for (const [n, metric] of [
    [10_000, 'tally_10k'],
    [100_000, 'tally_100k'],
  ] as const) {
    report({
      bench: BENCH,
      metric,
      value: await tallyStored(set, n),
      unit: 's',
      note: `${n} stored ranked votes read from LevelDB, one per nullifier, run-off counted, quorum and threshold applied`,
    });
  }

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
