// Issue 17, third review: a re-dated piece names its voter through the anchor its voter signs.
//
// `publishToRelay` with `redate` (what `agora sync` passes: `redatePiece`) keeps back a piece due in a run that sends
// the agent's own signed events (or an overdue one), and stores a copy under a fresh date: same body, same nullifier,
// another id. The stale original stays in the voter's ledger, never sent. Its date is the earlier one, so on a network
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
// Fix: a re-dated piece replaces its original in the voter's ledger for counting (drop the stale one, or have the
// tally prefer, among copies with the same ballot, the one its owner published: e.g. mark the stale original as never
// to be counted or sent), so that every replica counts the same ids; and an anchor should name only votes published.

import { MemoryLevel } from 'memory-level';
import { afterAll, describe, expect, it } from 'vitest';
import { anchoredVotes } from '../../src/anchor/index.js';
import { ManualClock } from '../../src/core/index.js';
import { proposalCreatedType, redatePiece, tallyProposal, voteCastType } from '../../src/governance/index.js';
import { EventRegistry, fromNostrEvent, Ledger, publishToRelay } from '../../src/ledger/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import type { Voter } from '../fixtures/electorate.js';
import { electorateTypes } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';
import { votingLedger } from './vote-observer-fixture.js';
import { timingRelay } from './vote-relay-fixture.js';

const NOW = 1_800_000_000;

describe("attack: a re-dated piece named by its voter's anchor (vote-redated-anchor-link)", () => {
  afterAll(() => releaseCurve());

  // Open (docs/security.md, "Known and not yet fixed"): passes while the attack works.
  it.fails("the voter's replica counts the same vote ids as the network it published to", async () => {
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
});
