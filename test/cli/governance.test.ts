import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, ManualClock } from '../../src/core/index.js';
import { createProposal, proposalPieceRule } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import { stakedElectorate } from '../fixtures/electorate.js';
import { castWhole } from '../fixtures/pieces.js';
import { voteProver } from '../fixtures/zk.js';
import { agora } from './harness.js';

const NOW = 1_800_000_000;
const at = (seconds: number) => new ManualClock(seconds * 1000);

let dir: string;
let events: LedgerEvent[];
let proposalId: string;
let custodianId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-gov-'));
  const electorate = await stakedElectorate([192n, 256n, 64n], NOW, NOW - 5);
  const agents = electorate.voters;
  const proposalEvent = createProposal(
    agents[0]?.key as (typeof agents)[number]['key'],
    {
      title: 'Pick the next API to buy',
      options: ['weather', 'vectors', 'maps'],
      counting: 'ranked',
      weightMode: 'stake',
      quorum: 5_000,
      threshold: 5_000,
      window: { opens: NOW, closes: NOW + 600 },
      minWeight: '1',
      minAnonymity: 1,
      pieces: proposalPieceRule(electorate.snapshot.members, 1),
      actions: [],
      proposer: electorate.standing(agents[0] as (typeof agents)[number]),
      snapshot: electorate.summary,
    },
    { clock: at(NOW) },
  );
  const proposal = { id: parseEnvelope(proposalEvent).id, event: proposalEvent };
  proposalId = proposal.id;
  const prover = await voteProver();
  const rankings = [['weather', 'maps'], ['vectors'], ['maps', 'weather']];
  const votes = [];
  for (const [i, agent] of agents.entries()) {
    votes.push(
      ...(await castWhole(prover, {
        proposal,
        ballot: { ranking: rankings[i] as string[] },
        secret: agent.zk.secret,
        weight: agent.stake,
        path: electorate.path(agent),
        clock: at(NOW + 10),
      })),
    );
  }
  events = [...electorate.registrations, proposalEvent, ...votes];
  custodianId = electorate.custodian.id;
}, 300_000);

afterAll(async () => {
  await releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

describe('agora proposal list and tally', () => {
  it('import verified votes, list the proposal and print the run-off', async () => {
    const home = join(dir, 'operator');
    // A network that accepts the electorate's custodian: stake weights need one on bitcoin.
    expect((await agora(['init', '--home', home, '--custodian', custodianId])).code).toBe(0);
    const file = join(dir, 'events.jsonl');
    await writeFile(file, events.map((e) => `${canonicalJson(e)}\n`).join(''));
    const imported = await agora(['ledger', 'import', file, '--home', home]);
    expect(imported).toMatchObject({ code: 0, stderr: '' });

    const list = await agora(['proposal', 'list', '--home', home, '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ id: proposalId, title: 'Pick the next API to buy' });

    const tally = await agora(['tally', proposalId, '--home', home, '--json']);
    expect(tally.code).toBe(0);
    const result = JSON.parse(tally.stdout);
    // Round 1: weather 192, vectors 256, maps 64: maps goes and its 64 move to weather. Round 2: 256 each, no
    // strict majority; the tie-break looks back at round 1 (weather 192 < vectors 256), so weather goes.
    // (Stakes of one or two pieces each, 128 + 64, 256, 64: four proofs where 300, 500, 200 took thirteen.)
    expect(result.tally.rounds.map((r: { totals: Record<string, string> }) => r.totals)).toEqual([
      { weather: '192', vectors: '256', maps: '64' },
      { weather: '256', vectors: '256' },
      { vectors: '256' },
    ]);
    expect(result.outcome).toEqual({ state: 'succeeded', quorumReached: true, winner: 'vectors' });

    const text = await agora(['tally', proposalId, '--home', home]);
    expect(text.stdout).toContain('round 2: weather 256, vectors 256; weather eliminated');
    // Its window is in 2027: no result is announced before voting closes, only the count so far.
    expect(text.stdout).toContain(
      'result       none yet: voting opens at 2027-01-15T08:00:00Z (so far: succeeded, vectors)',
    );
    expect(result).toMatchObject({ state: 'pending', final: false });
  });

  it('create a proposal from the ledger, vote anonymously with the home key, and tally', async () => {
    const home = join(dir, 'solo');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    const mallory = 'ee'.repeat(32);
    const created = await agora([
      'proposal',
      'create',
      '--home',
      home,
      '--title',
      'Blacklist mallory',
      '--blacklist-add',
      mallory,
      '--quorum',
      '5000',
      '--json',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const { id, members, total } = JSON.parse(created.stdout);
    expect({ members, total }).toEqual({ members: 1, total: '1' });

    const voted = await agora(['vote', id, 'for', '--home', home, '--json']);
    expect(voted).toMatchObject({ code: 0, stderr: '' });
    const vote = JSON.parse(voted.stdout);
    expect(vote).toMatchObject({ weight: '1', dropped: '0', pieces: [{ votingWeight: '1' }] });
    // Dated at a time of the client's choosing in the window, which is when `agora sync` publishes it.
    const publishAt = vote.pieces[0].publishAt as number;
    expect(publishAt).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 60);
    // A second vote is refused before any proof is made: it could only be set aside as a double vote.
    const again = await agora(['vote', id, 'against', '--home', home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`[ALREADY_EXISTS]`);
    expect(again.stderr).toContain(vote.pieces[0].vote);

    const tally = JSON.parse((await agora(['tally', id, '--home', home, '--json'])).stdout);
    expect(tally.tally.totals).toEqual({ for: '1', against: '0', abstain: '0' });
    expect(tally.outcome).toEqual({ state: 'succeeded', quorumReached: true, winner: 'for' });
    // One member: the anonymity required is capped at the snapshot's size, and reported.
    expect(tally.anonymity).toMatchObject({ required: 1, smallest: 1, exposed: [] });
    const sets = JSON.parse((await agora(['votes', 'anonymity', id, '--home', home, '--json'])).stdout);
    expect(sets).toMatchObject({ required: 1, smallest: 1, named: 1, votes: [{ size: 1 }] });

    const shown = JSON.parse((await agora(['proposal', 'show', id, '--home', home, '--json'])).stdout);
    expect(shown).toMatchObject({ id, state: 'active', title: 'Blacklist mallory' });
    const checked = await agora(['proposal', 'snapshot', id, '--home', home]);
    expect(checked).toMatchObject({ code: 0, stderr: '' });
    expect(checked.stdout).toContain('1 members, total 1');

    const badChoice = await agora(['vote', id, 'maybe', '--home', home]);
    expect(badChoice.code).toBe(1);
    expect(badChoice.stderr).toContain('[INVALID_BALLOT]');
    expect((await agora(['proposal', 'create', '--home', home])).code).toBe(2);
    // A snapshot is of a moment already past: a later one is a usage error, named.
    const later = String(Math.floor(Date.now() / 1000) + 3_600);
    const future = await agora(['proposal', 'create', '--home', home, '--title', 't', '--as-of', later]);
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--as-of .* is after/);
    const stake = await agora([
      'proposal',
      'create',
      '--home',
      home,
      '--title',
      'x',
      '--weight-mode',
      'stake',
    ]);
    // Nobody has locked a stake here: nobody could vote.
    expect(stake.code).toBe(1);
    expect(stake.stderr).toContain('[INVALID_STATE]');
  }, 60_000);

  it('proposal snapshot refuses a ledger that lacks events the snapshot used', async () => {
    // Home A knows three more agents and snapshots four equal members; home B receives everything but those three
    // registrations, so it cannot rebuild the same tree.
    const [homeA, homeB] = [join(dir, 'a'), join(dir, 'b')];
    for (const home of [homeA, homeB]) expect((await agora(['init', '--home', home])).code).toBe(0);
    const clock = new ManualClock(Date.now() - 60_000);
    const others = await Promise.all(
      [1, 2, 3].map(() => createAgentRegistration(generateAgentKey(), { clock })),
    );
    const othersFile = join(dir, 'others.jsonl');
    await writeFile(othersFile, others.map((e) => `${canonicalJson(e)}\n`).join(''));
    expect((await agora(['ledger', 'import', othersFile, '--home', homeA])).code).toBe(0);
    const created = await agora(['proposal', 'create', '--home', homeA, '--title', 'Four voices', '--json']);
    const { id, members } = JSON.parse(created.stdout);
    expect(members).toBe(4);
    expect((await agora(['proposal', 'snapshot', id, '--home', homeA])).code).toBe(0);

    const skipped = new Set(others.map((e) => canonicalJson(e)));
    const exported = (await agora(['ledger', 'export', '--home', homeA])).stdout;
    const partial = join(dir, 'partial.jsonl');
    await writeFile(
      partial,
      exported
        .split('\n')
        .filter((line) => line !== '' && !skipped.has(line))
        .join('\n'),
    );
    expect((await agora(['ledger', 'import', partial, '--home', homeB])).code).toBe(0);
    const refused = await agora(['proposal', 'snapshot', id, '--home', homeB]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[INVALID_STATE]');
  });

  it('exit 1 with a typed error on a bad or unknown proposal id', async () => {
    const home = join(dir, 'operator');
    const bad = await agora(['tally', 'xyz', '--home', home]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[INVALID_ARGUMENT]');
    const unknown = await agora(['tally', 'ab'.repeat(32), '--home', home]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[NOT_FOUND]');
  });

  it('proposal cancel withdraws a proposal before it opens, and only then', async () => {
    const home = join(dir, 'canceler');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    const opens = String(Math.floor(Date.now() / 1000) + 3_600);
    const created = await agora([
      'proposal',
      'create',
      '--home',
      home,
      '--title',
      'Later',
      '--opens',
      opens,
      '--late-quorum',
      '600',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { id } = JSON.parse(created.stdout);
    const canceled = await agora(['proposal', 'cancel', id, '--home', home]);
    expect(canceled).toMatchObject({ code: 0, stderr: '' });
    const shown = JSON.parse((await agora(['proposal', 'show', id, '--home', home, '--json'])).stdout);
    expect(shown).toMatchObject({ id, state: 'canceled', lateQuorumExtension: 600 });
    const unknown = await agora(['proposal', 'cancel', 'ab'.repeat(32), '--home', home]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[NOT_FOUND]');
  });
});
