// Real votes for the governance benchmark: agents, a proposal and the pieces they cast under the private client rule
// (each piece one proved vote.cast), whole voters only, until the next voter's pieces would pass `pieces`. Proving
// takes about half a second per piece, so the set is made once and cached in bench/.cache/, keyed by the verification
// key. Also the proving cost of one voter, measured on voters of a heavy-tailed snapshot.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson, ManualClock, toHex, utf8 } from '../src/core/index.js';
import {
  castPrivateVote,
  choosePieceRule,
  createProposal,
  DEFAULT_MIN_ANONYMITY,
  type MemberWeight,
  ruleCost,
} from '../src/governance/index.js';
import { type LedgerEvent, parseEnvelope } from '../src/ledger/index.js';
import { SeededRandom } from '../src/sim/index.js';
import { loadVoteArtifacts, Prover } from '../src/zk/index.js';
import { stakedElectorate } from '../test/fixtures/electorate.js';
import { median, progress } from './report.js';

const NOW = 1_800_000_000;
const clockAt = (seconds: number) => new ManualClock(seconds * 1000);

/** Registrations and the proposal (to store first), then the votes. */
export interface VoteSet {
  readonly setup: LedgerEvent[];
  /** Every voter's pieces, one vote.cast each. */
  readonly votes: LedgerEvent[];
  /** How many voters cast them. */
  readonly voters: number;
}

export async function voteSet(pieces: number): Promise<VoteSet> {
  const artifacts = await loadVoteArtifacts();
  const keyHash = toHex(sha256(utf8(canonicalJson(artifacts.verificationKey)))).slice(0, 16);
  const dir = join(import.meta.dirname, '.cache');
  const file = join(dir, `governance-votes-v5-${pieces}-${keyHash}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as VoteSet;

  process.stderr.write(
    `governance bench: proving up to ${pieces} pieces once (about ${Math.ceil(pieces / 2)} s)\n`,
  );
  const electorate = await stakedElectorate(
    Array.from({ length: pieces }, (_, i) => BigInt(1 + (i % 97)) * 1_000n),
    NOW,
    NOW - 10,
  );
  const agents = electorate.voters;
  const event = createProposal(
    agents[0]?.key as (typeof agents)[number]['key'],
    {
      title: 'Benchmark proposal',
      options: ['a', 'b', 'c', 'd'],
      counting: 'ranked',
      weightMode: 'stake',
      quorum: 1_000,
      threshold: 5_000,
      window: { opens: NOW, closes: NOW + 86_400 },
      minWeight: '1',
      minAnonymity: DEFAULT_MIN_ANONYMITY,
      pieces: choosePieceRule(electorate.snapshot.members, DEFAULT_MIN_ANONYMITY),
      actions: [],
      proposer: electorate.standing(agents[0] as (typeof agents)[number]),
      snapshot: electorate.summary,
    },
    { clock: clockAt(NOW) },
  );
  const proposal = { id: parseEnvelope(event).id, event };
  const prover = await Prover.load(artifacts);
  const tick = progress('proving pieces');
  const votes: LedgerEvent[] = [];
  let voters = 0;
  const options = ['a', 'b', 'c', 'd'];
  for (const [index, agent] of agents.entries()) {
    const cast = await castPrivateVote(prover, {
      proposal,
      ballot: { ranking: [...options.slice(index % 4), ...options.slice(0, index % 4)] },
      secret: agent.zk.secret,
      weight: agent.stake,
      path: electorate.path(agent),
      members: electorate.snapshot.members,
      clock: clockAt(NOW + 60),
    });
    if (votes.length + cast.pieces.length > pieces) break;
    votes.push(...cast.pieces.map((piece) => piece.event));
    voters++;
    tick(votes.length, pieces);
  }
  const set: VoteSet = { setup: [...electorate.registrations, event], votes, voters };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(set));
  return set;
}

/** Pareto weights (shape 1.2, x_min 10^6, seeded): a reputation snapshot's heavy tail, as in the anonymity study. */
function paretoMembers(n: number): MemberWeight[] {
  const random = new SeededRandom('agora402 anonymity study');
  return Array.from({ length: n }, (_, i) => ({
    agent: `m${i}`,
    weight: BigInt(Math.floor(1_000_000 / (1 - random.next()) ** (1 / 1.2))),
  }));
}

/** What proving one voter's pieces costs, at the median and the 99th percentile of proofs per voter. */
export interface VoterCost {
  readonly members: number;
  readonly proofs: { readonly median: number; readonly p99: number };
  /** Wall seconds for `castPrivateVote` of a voter with that many proofs (median of `runs`). */
  readonly seconds: { readonly median: number; readonly p99: number };
}

/**
 * Proves the vote of the median voter and of the 99th-percentile voter (by proofs) of a 1,000-member Pareto snapshot
 * under its piece rule, `runs` times each, with the default prover (no fixed-base tables: one voter proves alone).
 * The proofs are real; the membership path is a small electorate's, which the circuit's cost does not depend on.
 */
export async function voterCost(runs: number): Promise<VoterCost> {
  const members = paretoMembers(1_000);
  const k = DEFAULT_MIN_ANONYMITY;
  const rule = choosePieceRule(members, k);
  const { proofs } = ruleCost(members, rule, k);
  const order = proofs.map((count, i) => ({ count, i })).sort((a, b) => a.count - b.count);
  const at = (p: number) => order[Math.min(order.length - 1, Math.ceil((p / 100) * order.length) - 1)];
  const picked = [at(50), at(99)] as { count: number; i: number }[];
  const weights = picked.map(({ i }) => (members[i] as MemberWeight).weight);
  const electorate = await stakedElectorate(weights, NOW, NOW - 10);
  const event = createProposal(
    electorate.voters[0]?.key as (typeof electorate.voters)[number]['key'],
    {
      title: 'Proving cost per voter',
      options: ['yes', 'no'],
      counting: 'single',
      weightMode: 'stake',
      quorum: 0,
      threshold: 5_000,
      window: { opens: NOW, closes: NOW + 86_400 },
      minWeight: '1',
      minAnonymity: k,
      pieces: rule,
      actions: [],
      proposer: electorate.standing(electorate.voters[0] as (typeof electorate.voters)[number]),
      snapshot: electorate.summary,
    },
    { clock: clockAt(NOW) },
  );
  const proposal = { id: parseEnvelope(event).id, event };
  const prover = await Prover.load();
  const seconds: number[] = [];
  for (const [n, voter] of electorate.voters.entries()) {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const start = performance.now();
      const cast = await castPrivateVote(prover, {
        proposal,
        ballot: { choice: 'yes' },
        secret: voter.zk.secret,
        weight: voter.stake,
        path: electorate.path(voter),
        members,
        clock: clockAt(NOW + 60),
      });
      times.push((performance.now() - start) / 1000);
      if (cast.pieces.length !== (picked[n] as { count: number }).count)
        throw new Error(`voter ${n} cast ${cast.pieces.length} pieces, the rule gives ${picked[n]?.count}`);
    }
    seconds.push(median(times));
  }
  return {
    members: members.length,
    proofs: { median: picked[0]?.count as number, p99: picked[1]?.count as number },
    seconds: { median: seconds[0] as number, p99: seconds[1] as number },
  };
}
