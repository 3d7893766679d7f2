// Real votes for the governance benchmark: agents, a proposal and the pieces they cast under the private client rule
// (each piece one proved vote.cast), until `pieces` are made. Proving takes about half a second per piece, so the set
// is made once and cached in bench/.cache/, keyed by the verification key.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson, ManualClock, toHex, utf8 } from '../src/core/index.js';
import {
  castPrivateVote,
  choosePieceRule,
  createProposal,
  DEFAULT_MIN_ANONYMITY,
} from '../src/governance/index.js';
import { type LedgerEvent, parseEnvelope } from '../src/ledger/index.js';
import { loadVoteArtifacts, Prover } from '../src/zk/index.js';
import { stakedElectorate } from '../test/fixtures/electorate.js';
import { progress } from './report.js';

const NOW = 1_800_000_000;
const at = (seconds: number) => new ManualClock(seconds * 1000);

/** Registrations and the proposal (to store first), then the votes. */
export interface VoteSet {
  readonly setup: LedgerEvent[];
  readonly votes: LedgerEvent[];
}

export async function voteSet(pieces: number): Promise<VoteSet> {
  const voters = pieces;
  const artifacts = await loadVoteArtifacts();
  const keyHash = toHex(sha256(utf8(canonicalJson(artifacts.verificationKey)))).slice(0, 16);
  const dir = join(import.meta.dirname, '.cache');
  const file = join(dir, `governance-votes-v4-${pieces}-${keyHash}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as VoteSet;

  process.stderr.write(
    `governance bench: proving ${pieces} pieces once (about ${Math.ceil(pieces / 2)} s)\n`,
  );
  const electorate = await stakedElectorate(
    Array.from({ length: voters }, (_, i) => BigInt(1 + (i % 97)) * 1_000n),
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
    { clock: at(NOW) },
  );
  const proposal = { id: parseEnvelope(event).id, event };
  const prover = await Prover.load(artifacts);
  const tick = progress('proving pieces');
  const votes: LedgerEvent[] = [];
  const options = ['a', 'b', 'c', 'd'];
  for (const [index, agent] of agents.entries()) {
    if (votes.length >= pieces) break;
    const cast = await castPrivateVote(prover, {
      proposal,
      ballot: { ranking: [...options.slice(index % 4), ...options.slice(0, index % 4)] },
      secret: agent.zk.secret,
      weight: agent.stake,
      path: electorate.path(agent),
      members: electorate.snapshot.members,
      clock: at(NOW + 60),
    });
    votes.push(...cast.pieces.map((piece) => piece.event).slice(0, pieces - votes.length));
    tick(votes.length, pieces);
  }
  const set: VoteSet = { setup: [...electorate.registrations, event], votes };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(set));
  return set;
}
