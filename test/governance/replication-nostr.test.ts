// Three agents' ledgers agree on a tally after exchanging a proposal and anonymous votes through two real Nostr relays.
import { MemoryLevel } from 'memory-level';
import { finalizeEvent, generateSecretKey } from 'nostr-tools';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import {
  createProposal,
  proposalCreatedType,
  proposalPieceRule,
  tallyProposal,
  voteCastType,
} from '../../src/governance/index.js';
import {
  EventRegistry,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
  publishToRelay,
  pullFromRelay,
  toNostrEvent,
} from '../../src/ledger/index.js';
import { Prover, releaseCurve, Verifier } from '../../src/zk/index.js';
import { electorateTypes, stakedElectorate, type Voter } from '../fixtures/electorate.js';
import { castWhole } from '../fixtures/pieces.js';
import { rejectedAgoraError } from '../helpers.js';
import { startRelay } from '../ledger/nostr-relay.js';

useWebSocketImplementation(WebSocket);

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
        minAnonymity: 1,
        pieces: proposalPieceRule(electorate.snapshot.members, 1),
        actions: [],
        proposer: electorate.standing(v0),
        snapshot: electorate.summary,
      },
      { clock: new ManualClock(NOW * 1000) },
    );
    const proposal = { id: parseEnvelope(event).id, event };
    const vote = (voter: Voter, choice: string, at: number) =>
      castWhole(prover, {
        proposal,
        ballot: { choice },
        secret: voter.zk.secret,
        weight: voter.stake,
        path: electorate.path(voter),
        clock: new ManualClock(at * 1000),
      });
    const registry = () =>
      new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]);
    const [a, b, c] = [
      await Ledger.fromLevel(new MemoryLevel(), { registry: registry() }),
      await Ledger.fromLevel(new MemoryLevel(), { registry: registry() }),
      await Ledger.fromLevel(new MemoryLevel(), { registry: registry() }),
    ];
    const [r1, r2] = [await startRelay(), await startRelay()];
    const keyFor = (author: string) =>
      [...electorate.voters.map((v) => v.key), electorate.custodian].find((key) => key.id === author);
    try {
      await a.appendBatch([...electorate.registrations, event]);
      await publishToRelay(a, r1.url, { keyFor });
      await pullFromRelay(b, r1.url);
      await b.appendBatch([...(await vote(v1, 'for', NOW + 60)), ...(await vote(v2, 'against', NOW + 61))]);
      // The votes go out once their times have come (an anonymous piece is held until its `created`): the
      // publisher's clock is this world's, an hour on.
      const later = { clock: new ManualClock((NOW + 3_600) * 1000) };
      await publishToRelay(b, r2.url, later);
      await pullFromRelay(c, r1.url);
      await pullFromRelay(c, r2.url);
      await c.appendBatch(await vote(v0, 'for', NOW + 62));
      // A relay serving forged events: a vote with a tampered proof (under a fresh key) and a re-signed registration.
      const [honestVote] = (await vote(v1, 'against', NOW + 63)) as [LedgerEvent];
      const tampered = structuredClone(honestVote) as typeof honestVote & { proof: { pi_a: string[] } };
      tampered.proof.pi_a[0] = String(BigInt(tampered.proof.pi_a[0] as string) + 1n);
      const forger = await Relay.connect(r2.url);
      await forger.publish(toNostrEvent(tampered));
      const impostor = toNostrEvent(electorate.registrations[0], { author: v0.key });
      await forger.publish(
        finalizeEvent(
          {
            kind: impostor.kind,
            created_at: impostor.created_at,
            tags: impostor.tags,
            content: impostor.content,
          },
          generateSecretKey(),
        ),
      );
      forger.close();
      await publishToRelay(c, r1.url, later);
      await publishToRelay(c, r2.url, later);
      // Relay 1 dies mid-sync: b, which already pulled from it, gets the rest from relay 2.
      await r1.close();
      await rejectedAgoraError(pullFromRelay(b, r1.url, { timeoutMs: 1_000 }), ErrorCode.BackendUnreachable);
      const fromSecond = await pullFromRelay(b, r2.url);
      expect(fromSecond.invalid).toBe(2);
      const fromSecondForA = await pullFromRelay(a, r2.url);
      expect(fromSecondForA.invalid).toBe(2);
      const tallies = await Promise.all([a, b, c].map((ledger) => tallyProposal(ledger, proposal.id)));
      // The rule is computed at k = 3 (all members; minAnonymity 1 changes no piece): top 2^6, floor 2^6, so each weight
      // counts in pieces of 64: 100 -> 64, 200 -> 192, 300 -> 256 (the bits below are cast and exposed, not counted).
      expect(tallies[0]?.tally.totals).toEqual({ for: 256n, against: 256n, abstain: 0n });
      expect(tallies[1]).toEqual(tallies[0]);
      expect(tallies[2]).toEqual(tallies[0]);
      // The pieces of 64: 1 + 3 + 4.
      expect(tallies[0]?.counted).toHaveLength(8);
    } finally {
      for (const ledger of [a, b, c]) await ledger.close();
      await r2.close();
    }
  }, 120_000);
});
