// A proposal's snapshot taken as declared let any registered agent blacklist anyone: (a) a tree holding only the
// attacker, (b) the real root with a total of 1. Then the checkpoint's own way round: (c) a checkpoint that lists
// only the attacker's events, consistent with a tree holding only itself.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, ManualClock, toHex } from '../../src/core/index.js';
import {
  canonicalPieces,
  castVote,
  checkSnapshot,
  createProposal,
  createSnapshotSources,
  GovernedState,
  type ProposalBody,
  proposalCreatedType,
  proposalPieceRule,
  proposalState,
  proposerStanding,
  tallyProposal,
  type VotePiece,
  voteCastType,
} from '../../src/governance/index.js';
import { generateAgentKey, objectId } from '../../src/identity/index.js';
import { EventRegistry, Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import {
  type MembershipPath,
  MembershipTree,
  type Prover,
  releaseCurve,
  type Verifier,
} from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { anchoredAt } from '../fixtures/decision-anchor.js';
import { type Electorate, electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';

const PAST = 1_700_000_000;
const clock = new ManualClock(PAST * 1000);
const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

let electorate: Electorate;
let prover: Prover;
let verifier: Verifier;
let dir: string;
const victim = generateAgentKey();

// Nine honest members with 100 sats each, and the attacker with 1.
beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
  electorate = await stakedElectorate([...Array(9).fill(100n), 1n], PAST, PAST - 10);
  dir = await mkdtemp(join(tmpdir(), 'agora-attack-snapshot-'));
}, 60_000);

afterAll(async () => {
  await releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

const attacker = () => electorate.voters[9] as Voter;

/** A blacklist proposal by the attacker with the given snapshot and standing, and the attacker's vote for it. */
async function blacklistVictim(
  snapshot: ProposalBody['snapshot'],
  standing: ProposalBody['proposer'],
  path: MembershipPath,
  weight: bigint,
): Promise<{ proposal: LedgerEvent; vote: LedgerEvent; id: string }> {
  const rule = proposalPieceRule([{ agent: attacker().key.id, weight }]);
  const body: ProposalBody = {
    title: 'Blacklist an agent I do not like',
    options: ['for', 'against', 'abstain'],
    counting: 'single',
    weightMode: 'stake',
    quorum: 2_000,
    threshold: 5_000,
    window: { opens: PAST + 10, closes: PAST + 100 },
    minWeight: '1',
    actions: [{ type: 'blacklist.add', agent: victim.id }],
    proposer: standing,
    snapshot,
    // The rule of a snapshot holding the attacker alone, as every replica recomputes it for (c).
    pieces: rule,
  };
  const proposal = createProposal(attacker().key, body, { clock });
  const id = parseEnvelope(proposal).id;
  const vote = await castVote(prover, {
    proposal: { id, event: proposal },
    ballot: { choice: 'for' },
    secret: attacker().zk.secret,
    weight,
    path,
    piece: canonicalPieces(weight, rule.top)[0] as VotePiece,
    clock: new ManualClock((PAST + 20) * 1000),
  });
  return { proposal, vote, id };
}

/** A tree holding only the attacker, with `weight`. */
async function selfTree(weight: bigint) {
  const tree = await MembershipTree.build([{ commitment: attacker().zk.commitment, weight }]);
  return { tree, standing: proposerStanding(tree.path(0), weight) };
}

async function ledgerWith(events: readonly LedgerEvent[]): Promise<Ledger> {
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]),
  });
  await ledger.appendBatch(events);
  return ledger;
}

describe('a forged proposal snapshot', () => {
  it('(a) a tree holding only the attacker is invalid: no tally is decided, the victim is not blacklisted, through the library and the CLI', async () => {
    const weight = 1_000_000n;
    const { tree, standing } = await selfTree(weight);
    const forged = {
      ...electorate.summary,
      root: tree.root.toString(),
      total: weight.toString(),
      members: 1,
    };
    const { proposal, vote, id } = await blacklistVictim(forged, standing, tree.path(0), weight);
    const events = [...electorate.registrations, proposal, vote];
    const ledger = await ledgerWith(events);
    try {
      const verdict = await checkSnapshot(ledger, id);
      expect(verdict).toMatchObject({ status: 'invalid' });
      expect(verdict.status === 'invalid' && verdict.reason).toMatch(/snapshot root/);
      const result = await tallyProposal(ledger, id);
      expect(result.counted).toHaveLength(1);
      expect(proposalState(result, PAST + 100)).toBe('invalid');
      expect(
        (await GovernedState.fromLedger(ledger, PAST + 100, { anchors: anchoredAt(PAST + 100, id) })).has(
          victim.id,
        ),
      ).toBe(false);
    } finally {
      await ledger.close();
    }

    // The same ledger in an operator's home.
    const home = join(dir, 'a');
    expect((await agora(['init', '--home', home, '--network', 'regtest'])).code).toBe(0);
    const file = join(dir, 'a.jsonl');
    await writeFile(file, events.map((e) => `${canonicalJson(e)}\n`).join(''));
    expect((await agora(['ledger', 'import', file, '--home', home])).code).toBe(0);
    const show = await agora(['proposal', 'show', id, '--home', home, '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ state: 'invalid', verdict: { status: 'invalid' } });
    const snapshot = await agora(['proposal', 'snapshot', id, '--home', home]);
    expect(snapshot.code).not.toBe(0);
    expect(snapshot.stderr).toMatch(/invalid: its events give snapshot root/);
    const tally = await agora(['tally', id, '--home', home, '--json']);
    expect(JSON.parse(tally.stdout).snapshot.status).toBe('invalid');
    const voted = await agora(['vote', id, 'for', '--home', home]);
    expect(voted.code).not.toBe(0);
    expect(voted.stderr).toMatch(/invalid/);
  });

  it('(b) the real root with a total of 1 is invalid: one vote never reaches a quorum of the real weight', async () => {
    const forged = { ...electorate.summary, total: '1' };
    const own = electorate.snapshot.members.findIndex((m) => m.agent === attacker().key.id);
    const standing = proposerStanding(electorate.tree.path(own), 1n);
    const { proposal, vote, id } = await blacklistVictim(forged, standing, electorate.tree.path(own), 1n);
    const ledger = await ledgerWith([...electorate.registrations, proposal, vote]);
    try {
      const verdict = await checkSnapshot(ledger, id);
      expect(verdict.status === 'invalid' && verdict.reason).toMatch(/total 901, the proposal declares 1/);
      expect(proposalState(await tallyProposal(ledger, id), PAST + 100)).toBe('invalid');
      expect(
        (await GovernedState.fromLedger(ledger, PAST + 100, { anchors: anchoredAt(PAST + 100, id) })).has(
          victim.id,
        ),
      ).toBe(false);
    } finally {
      await ledger.close();
    }
  });

  it('(c) a checkpoint listing only the attacker is consistent, but disputed by every ledger that holds the rest: not carried out, not voted on', async () => {
    const own = electorate.registrations.filter(
      (event) =>
        event.author === attacker().key.id ||
        (event.type === 'stake.locked' &&
          (event.body as { statement: { author: string } }).statement.author === attacker().key.id),
    );
    expect(own).toHaveLength(2);
    const sources = createSnapshotSources(attacker().key, own.map(idOf), { clock });
    const { tree, standing } = await selfTree(1n);
    const snapshot = {
      asOf: PAST,
      root: tree.root.toString(),
      total: '1',
      members: 1,
      events: own.length,
      sources: sources.map(idOf),
    };
    const { proposal, vote, id } = await blacklistVictim(snapshot, standing, tree.path(0), 1n);
    const events = [...electorate.registrations, ...sources, proposal, vote];
    const ledger = await ledgerWith(events);
    try {
      expect((await checkSnapshot(ledger, id)).status).toBe('valid');
      const result = await tallyProposal(ledger, id);
      expect(result.outcome.state).toBe('succeeded');
      expect(result.snapshot.disputed).toMatch(/10 members and total 901 instead of 1 and 1/);
      expect(proposalState(result, PAST + 100)).toBe('disputed');
      expect(
        (await GovernedState.fromLedger(ledger, PAST + 100, { anchors: anchoredAt(PAST + 100, id) })).has(
          victim.id,
        ),
      ).toBe(false);
      // A provider that chooses to carry out disputed decisions does so knowingly.
      const lax = await GovernedState.fromLedger(ledger, PAST + 100, {
        anchors: anchoredAt(PAST + 100, id),
        carryOutDisputed: true,
      });
      expect(lax.has(victim.id)).toBe(true);
    } finally {
      await ledger.close();
    }
    // A ledger holding only what the checkpoint lists has nothing to dispute: the dispute needs the omitted events.
    const narrow = await ledgerWith([...own, ...sources, proposal, vote]);
    try {
      expect((await tallyProposal(narrow, id)).snapshot).toEqual({ status: 'valid' });
    } finally {
      await narrow.close();
    }

    const home = join(dir, 'c');
    expect((await agora(['init', '--home', home, '--network', 'regtest'])).code).toBe(0);
    const file = join(dir, 'c.jsonl');
    await writeFile(file, events.map((e) => `${canonicalJson(e)}\n`).join(''));
    expect((await agora(['ledger', 'import', file, '--home', home])).code).toBe(0);
    const show = await agora(['proposal', 'show', id, '--home', home]);
    expect(show.stdout).toMatch(/state\s+disputed/);
    const voted = await agora(['vote', id, 'against', '--home', home]);
    expect(voted.code).not.toBe(0);
    expect(voted.stderr).toMatch(/disputed/);
  });
});
