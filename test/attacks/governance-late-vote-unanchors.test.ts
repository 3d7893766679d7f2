// A member withholds its vote and publishes it, dated inside the window, after the decision was anchored (review of
// the time rule). The anchor commits to the exact result and counted votes; the late vote changes them, so the anchor
// no longer matches what any replica computes, the decision stops being in effect, and a new anchor is past the
// grace: one member of the electorate undoes any anchored decision for good, even by voting for it. Fixed: the decision
// counts the votes its anchors within the grace name (docs/security.md).
//
// The same move with a cancel: the proposer signs a `proposal.canceled` dated before the opening and publishes it
// after the grace; a canceled proposal has no decision. Fixed: a cancel counts only if a publication witness showed it
// by the end of the grace (the proposer, a seed, is a witness here: it showed the rest in time, not the cancel).
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import { cancelProposal, tallyProposal } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { decisionAnchor } from '../fixtures/decision-anchor.js';
import { blacklistProposal } from '../fixtures/member-vote.js';
import { voteZk } from '../fixtures/zk.js';

const NOW = 1_800_000_000;
const DAY = 86_400;
const at = (seconds: number) => new ManualClock(seconds * 1000);
let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
}, 60_000);

afterAll(() => releaseCurve());

describe('a vote published after the anchor', () => {
  it('does not undo an honest decision anchored in time', async () => {
    const [proposer, insider, other] = Array.from({ length: 3 }, () => generateAgentKey()) as [
      AgentKey,
      AgentKey,
      AgentKey,
    ];
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({
        network: 'regtest',
        verifier,
        config: { seeds: [proposer.id, insider.id, other.id] },
      }),
    });
    try {
      await ledger.appendBatch(
        await Promise.all(
          [proposer, insider, other].map((key) =>
            createAgentRegistration(key, { clock: at(NOW - 10 * DAY) }),
          ),
        ),
      );
      const made = await blacklistProposal(ledger, prover, proposer, NOW);
      const { id, target, opens } = made;
      await ledger.appendBatch(made.events);
      await ledger.appendBatch(await made.vote(proposer, opens + 10));
      // The insider casts its vote in time (dated inside the window) but keeps it to itself.
      const withheld = await made.vote(insider, opens + 20);

      // The honest decision is anchored today, within the grace: it takes effect.
      // Another seed lists it too: the proposer's own events (proposal, anchor) need another witness's listing.
      await ledger.appendBatch(
        await decisionAnchor(ledger, proposer, id, NOW, 900_000, { cowitness: other }),
      );
      expect((await governedState(ledger, NOW + 3_600)).has(target)).toBe(true);

      // Three days later, past the grace, the insider publishes its vote (for the decision, even).
      await ledger.appendBatch(withheld);
      expect((await tallyProposal(ledger, id)).outcome.state).toBe('succeeded');
      // Anyone re-anchors the (unchanged) outcome as soon as it sees the vote.
      await ledger.appendBatch(await decisionAnchor(ledger, proposer, id, NOW + 3 * DAY, 900_432));
      const after = await governedState(ledger, NOW + 3 * DAY + 3_600);
      // The attack: the decision, anchored in time and carried out, is no longer in effect, and never will be.
      expect(after.has(target)).toBe(true);
      expect(after.held).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('a cancel dated before the opening, published after the grace, does not undo it either', async () => {
    const proposer = generateAgentKey();
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ network: 'regtest', verifier, config: { seeds: [proposer.id] } }),
    });
    try {
      await ledger.append(await createAgentRegistration(proposer, { clock: at(NOW - 10 * DAY) }));
      const made = await blacklistProposal(ledger, prover, proposer, NOW);
      const { target, opens } = made;
      await ledger.appendBatch(made.events);
      await ledger.appendBatch(await made.vote(proposer, opens + 10));
      await ledger.appendBatch(await decisionAnchor(ledger, proposer, made.id, NOW, 900_000));
      expect((await governedState(ledger, NOW + 3_600)).has(target)).toBe(true);
      // Three days later the proposer signs a cancel dated before the opening and publishes it.
      await ledger.append(cancelProposal(proposer, made.id, { clock: at(opens - 1) }));
      expect((await governedState(ledger, NOW + 3 * DAY)).has(target)).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
