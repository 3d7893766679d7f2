// Three agents' ledgers agree on a tally after exchanging a proposal and anonymous votes through two real Nostr relays.
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import {
  castVote,
  createProposal,
  proposalCreatedType,
  tallyProposal,
  voteCastType,
} from '../../src/governance/index.js';
import {
  agentRegisteredType,
  EventRegistry,
  Ledger,
  parseEnvelope,
  publishToRelay,
  pullFromRelay,
} from '../../src/ledger/index.js';
import { Prover, releaseCurve, Verifier } from '../../src/zk/index.js';
import { stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { startRelay } from '../ledger/nostr-relay.js';

const NOW = 1_800_000_000;
let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  [prover, verifier] = await Promise.all([Prover.load(), Verifier.load()]);
}, 60_000);

afterAll(() => releaseCurve());

describe('governance replicated over Nostr', () => {
  it('three ledgers, two relays: every ledger ends with the same tally, votes travelling under one-time keys', async () => {
    const electorate = await stakedElectorate([100n, 200n, 300n], NOW, NOW - 10);
    const [v0, v1, v2] = electorate.voters as [Voter, Voter, Voter];
    const event = createProposal(
      v0.key,
      {
        title: 'Replicated decision',
        options: ['for', 'against', 'abstain'],
        counting: 'single',
        weightMode: 'stake',
        quorum: 5_000,
        threshold: 5_000,
        window: { opens: NOW, closes: NOW + 3_600 },
        minWeight: '1',
        actions: [],
        proposer: electorate.standing(v0),
        snapshot: electorate.summary,
      },
      { clock: new ManualClock(NOW * 1000) },
    );
    const proposal = { id: parseEnvelope(event).id, event };
    const vote = (voter: Voter, choice: string, at: number) =>
      castVote(prover, {
        proposal,
        ballot: { choice },
        secret: voter.zk.secret,
        weight: voter.stake,
        path: electorate.path(voter),
        clock: new ManualClock(at * 1000),
      });
    const registry = () =>
      new EventRegistry([agentRegisteredType, proposalCreatedType, voteCastType(verifier)]);
    const [a, b, c] = [
      await Ledger.fromLevel(new MemoryLevel(), { registry: registry() }),
      await Ledger.fromLevel(new MemoryLevel(), { registry: registry() }),
      await Ledger.fromLevel(new MemoryLevel(), { registry: registry() }),
    ];
    const [r1, r2] = [await startRelay(), await startRelay()];
    const keyFor = (author: string) => electorate.voters.find((v) => v.key.id === author)?.key;
    try {
      await a.appendBatch([...electorate.registrations, event]);
      await publishToRelay(a, r1.url, { keyFor });
      await pullFromRelay(b, r1.url);
      await b.appendBatch([await vote(v1, 'for', NOW + 60), await vote(v2, 'against', NOW + 61)]);
      await publishToRelay(b, r2.url);
      await pullFromRelay(c, r1.url);
      await pullFromRelay(c, r2.url);
      await c.append(await vote(v0, 'for', NOW + 62));
      await publishToRelay(c, r1.url);
      for (const [ledger, relays] of [
        [a, [r2, r1]],
        [b, [r1]],
      ] as const)
        for (const relay of relays) await pullFromRelay(ledger, relay.url);
      const tallies = await Promise.all([a, b, c].map((ledger) => tallyProposal(ledger, proposal.id)));
      expect(tallies[0]?.tally.totals).toEqual({ for: 300n, against: 300n, abstain: 0n });
      expect(tallies[1]).toEqual(tallies[0]);
      expect(tallies[2]).toEqual(tallies[0]);
      expect(tallies[0]?.counted).toHaveLength(3);
    } finally {
      for (const ledger of [a, b, c]) await ledger.close();
      await r1.close();
      await r2.close();
    }
  }, 120_000);
});
