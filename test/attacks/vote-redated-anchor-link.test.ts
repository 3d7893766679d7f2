// Issue 17, third review: a re-dated piece named its voter through the anchor its voter signs.
//
// `publishToRelay` with `redate` (what `agora sync` passes: `redatePiece`) keeps back a piece due in a run that sends
// the agent's own signed events (or an overdue one), and stores a copy under a fresh date: same body, same nullifier,
// another id. The stale original stayed in the voter's ledger, never sent. Its date is the earlier one, so on a network
// without publication witnesses (and on any network until a witness lists the copy) the voter's own tally keeps the
// original for that nullifier (earliest dated first), while every other replica holds only the copy and counts it:
// the voter's replica counts other vote ids than everyone else. `agora anchor commit` (signed by the agent, naming
// the counted votes, `anchoredVotes`) from that replica then names ids nobody else has, and leaves out exactly the
// copies: an observer takes the published counted votes the anchor does not name, and those are the anchorer's own
// pieces (their choice with them). The anchor also matches nothing on other replicas (its named votes do not give its
// commitment there), so a proposer that votes, syncs and anchors alone leaves its decision unanchored.
//
// Impact: the voter's identity (its anchor's signature) linked to its pieces and ballot, the first promise;
// replicas disagree on the counted set (an honest voter's anchors void).
//
// Fixed: a piece is re-dated only while it was never sent anywhere (no stored wrapper), and its copy replaces it in
// the voter's ledger (`Ledger.redateUnpublished`, one atomic write: the stale original is gone, never counted nor
// sent, a relay added later included), so the voter's replica counts the ids every other replica counts; a piece sent
// to one relay keeps its date for every other. `agora anchor commit` leaves out the home's own pieces not sent to any
// relay yet (`unsentOwnEvents`, `proposalCommitment`'s `leaveOut`): an anchor names only votes others can hold.

import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, it } from 'vitest';
import { anchoredVotes, proposalCommitment } from '../../src/anchor/index.js';
import { ManualClock } from '../../src/core/index.js';
import { proposalCreatedType, redatePiece, tallyProposal, voteCastType } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  EventRegistry,
  fromNostrEvent,
  Ledger,
  parseEnvelope,
  publishToRelay,
  unsentOwnEvents,
} from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { electorateTypes } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { anonymous, registration, testRegistry } from '../ledger/fixtures.js';
import { votingLedger } from './vote-observer-fixture.js';
import { timingRelay } from './vote-relay-fixture.js';

const NOW = 1_800_000_000;

describe("attack: a re-dated piece named by its voter's anchor (vote-redated-anchor-link)", () => {
  afterAll(() => releaseCurve());

  it("the voter's replica counts the same vote ids as the network it published to", async () => {
    const { prover, verifier } = await voteZk();
    const closes = NOW + 3_600;
    const { electorate, voters, proposal, ledger, vote } = await votingLedger(
      Array(9).fill(96n),
      { window: { opens: NOW, closes }, minAnonymity: 8 },
      { verifier, created: NOW },
    );
    const relay = await timingRelay();
    const network = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]),
    });
    try {
      const voter = voters[1] as Voter;
      // 64 + 32: two pieces, each among the 9 members.
      const cast = await vote(prover, voter, { choice: 'for' }, NOW + 10);
      expect(cast.pieces.length).toBe(2);
      await ledger.appendBatch(cast.pieces.map((piece) => piece.event));
      const keyFor = (author: string) => (author === voter.key.id ? voter.key : undefined);
      const redate = redatePiece(ledger);
      // The voter's first sync, after its first piece's time: the run sends its own registration (signed), so the
      // due piece is kept back and re-dated; then `sync --follow` sends each piece at its time.
      let at = (cast.pieces[0]?.publishAt as number) + 120;
      for (let run = 0; run < 10 && at < closes; run++) {
        const result = await publishToRelay(ledger, relay.url, {
          keyFor,
          redate,
          clock: new ManualClock(at * 1000),
        });
        if (result.nextAt === undefined) break;
        at = Math.max(result.nextAt, at + 1);
      }
      // Every other replica: what the relay received.
      await network.appendBatch([...electorate.registrations, proposal.event]);
      for (const { event } of relay.arrivals) {
        const { event: received } = fromNostrEvent(event);
        if (received.type === 'vote.cast') await network.append(received);
      }
      // What the voter's `agora anchor commit` names (no witnesses: a development network, or none listing yet).
      const mine = anchoredVotes(await tallyProposal(ledger, proposal.id)).votes ?? [];
      const theirs = (await tallyProposal(network, proposal.id)).counted;
      expect(theirs.length).toBe(2);
      const onlyMine = mine.filter((id) => !theirs.includes(id));
      const onlyTheirs = theirs.filter((id) => !mine.includes(id));
      expect(
        { onlyMine, onlyTheirs },
        "vote ids the voter's anchor would name that no one else holds, and the published pieces it would leave out (the voter's own)",
      ).toEqual({ onlyMine: [], onlyTheirs: [] });
    } finally {
      await ledger.close();
      await network.close();
      await relay.close();
    }
  }, 600_000);
  it('a piece sent to one relay keeps its date for a relay added later; a re-dated one reaches it only as its copy', async () => {
    const [a, b] = [await timingRelay(), await timingRelay()];
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const voter = generateAgentKey();
    const keyFor = (author: string) => (author === voter.id ? voter : undefined);
    const now = 1_900_000_000;
    const redate = async (_event: unknown, at: number) => at + 300;
    const [first, second] = [
      { ...anonymous(18, 0), created: now + 600 },
      { ...anonymous(18, 1), created: now + 1_200 },
    ];
    const [sentId, keptId] = [parseEnvelope(first).id, parseEnvelope(second).id];
    try {
      await ledger.appendBatch([registration(voter, now - 1_000), first, second]);
      const at = (time: number) => ({ keyFor, redate, clock: new ManualClock(time * 1000) });
      await publishToRelay(ledger, a.url, at(now));
      // The first piece goes out to A on time.
      await publishToRelay(ledger, a.url, at(now + 600));
      // A new signed event: A's next run is kept from sending the second piece, which is re-dated.
      await ledger.append(registration(voter, now + 1_100));
      const kept = await publishToRelay(ledger, a.url, at(now + 1_200));
      expect(kept.redated).toBe(1);
      expect(await ledger.has(keptId), 'the stale original is gone from the voter ledger').toBe(false);
      // Relay B, added now (position 0): its first run sends the agent's signed events, keeps both pieces back.
      const first_b = await publishToRelay(ledger, b.url, at(now + 1_300));
      expect(first_b.redated ?? 0, 'the piece sent to A is not re-dated for B').toBe(0);
      expect(await ledger.has(sentId)).toBe(true);
      for (const time of [now + 1_400, now + 1_500, now + 1_600]) {
        await publishToRelay(ledger, a.url, at(time));
        await publishToRelay(ledger, b.url, at(time));
      }
      const pieces = (relay: typeof a) =>
        relay.arrivals
          .map(({ event }) => ({ nostr: event.id, ...fromNostrEvent(event), created: event.created_at }))
          .filter(({ event }) => event.type === 'test.anon')
          .map(({ nostr, id, created }) => ({ nostr, id, created }))
          .sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(pieces(b), 'B gets the same two Nostr events as A, never the stale original').toEqual(pieces(a));
      expect(pieces(a).map(({ id }) => id)).not.toContain(keptId);
      expect(pieces(a).find(({ id }) => id === sentId)?.created).toBe(now + 600);
      expect(pieces(a).length).toBe(2);
    } finally {
      await ledger.close();
      await a.close();
      await b.close();
    }
  });

  it("the voter's anchor leaves out its own pieces not sent to any relay yet", async () => {
    const { prover, verifier } = await voteZk();
    const closes = NOW + 3_600;
    const { voters, proposal, ledger, vote } = await votingLedger(
      Array(9).fill(64n),
      { window: { opens: NOW, closes }, minAnonymity: 8 },
      { verifier, created: NOW },
    );
    const relay = await timingRelay();
    try {
      const [sent, unsent] = [voters[1] as Voter, voters[2] as Voter];
      const early = await vote(prover, sent, { choice: 'for' }, NOW + 10);
      await ledger.appendBatch(early.pieces.map((piece) => piece.event));
      const sentId = parseEnvelope(early.pieces[0]?.event).id;
      // The first voter's piece is sent when due; the second's is cast after that sync and never sent.
      const due = (early.pieces[0]?.publishAt as number) + 1;
      await publishToRelay(ledger, relay.url, { clock: new ManualClock(due * 1000) });
      expect(relay.arrivals.map(({ event }) => fromNostrEvent(event).id)).toEqual([sentId]);
      const late = await vote(prover, unsent, { choice: 'against' }, due);
      await ledger.appendBatch(late.pieces.map((piece) => piece.event));
      const unsentId = parseEnvelope(late.pieces[0]?.event).id;
      const leaveOut = new Set(await unsentOwnEvents(ledger, [sentId, unsentId]));
      expect([...leaveOut]).toEqual([unsentId]);
      const all = await proposalCommitment(ledger, proposal.id, closes + 10);
      expect(anchoredVotes(all.result).votes).toEqual([sentId, unsentId].sort());
      const { result } = await proposalCommitment(ledger, proposal.id, closes + 10, { leaveOut });
      expect(anchoredVotes(result).votes, 'what the anchor names').toEqual([sentId]);
    } finally {
      await ledger.close();
      await relay.close();
    }
  }, 600_000);
});
