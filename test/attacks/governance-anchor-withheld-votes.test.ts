// Review of the union rule (a decision counts the votes of every anchor confirmed within the grace): the rule holds
// only if every such anchor is public by the end of the grace, and nothing makes it so. An anchor's block time proves
// its commitment existed by then, not that anyone saw it. A voter casts its vote (dated inside the window, so it may
// be cast after the close, having seen the tally), anchors that vote alone in a block within the grace, and keeps both
// to itself. The decision is anchored, takes effect and is carried out; weeks later the voter publishes its vote and
// its anchor, the union grows, and every replica reverses the decision. "Fixed once the grace is over" does not hold.
// Open: `it.fails` (it passes while the attack works; run as a plain `it`, it fails on the attack assertion).
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
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

describe('a vote anchored within the grace but withheld until after it', () => {
  it.fails('does not reverse a decision already in effect', async () => {
    const [proposer, insider, other] = Array.from({ length: 3 }, () => generateAgentKey()) as [
      AgentKey,
      AgentKey,
      AgentKey,
    ];
    const open = () =>
      Ledger.fromLevel(new MemoryLevel(), {
        registry: agoraRegistry({
          network: 'regtest',
          verifier,
          config: { seeds: [proposer.id, insider.id, other.id] },
        }),
      });
    const ledger = await open();
    const hidden = await open();
    try {
      const registrations = await Promise.all(
        [proposer, insider, other].map((key) => createAgentRegistration(key, { clock: at(NOW - 10 * DAY) })),
      );
      await ledger.appendBatch(registrations);
      const made = await blacklistProposal(ledger, prover, proposer, NOW);
      const { id, target, opens } = made;
      await ledger.appendBatch(made.events);
      await ledger.appendBatch(await made.vote(proposer, opens + 10));
      // The honest decision, anchored today, within the grace: in effect.
      await ledger.appendBatch(await decisionAnchor(ledger, proposer, id, NOW, 900_000));
      expect((await governedState(ledger, NOW + 3_600)).has(target)).toBe(true);

      // The insider, having seen the result, signs a vote against dated inside the window, and anchors it alone
      // (its own replica holds no other vote) in a block two hours later: within the grace. It publishes neither.
      const withheld = await made.vote(insider, opens + 20, 'against');
      await hidden.appendBatch([...registrations, ...made.events, ...withheld]);
      const hiddenAnchor = await decisionAnchor(hidden, insider, id, NOW + 7_200, 900_012);

      // Past the grace the decision is final by every replica's reading.
      expect((await governedState(ledger, NOW + 10 * DAY)).has(target)).toBe(true);

      // Thirty days later the insider publishes the vote and its anchor.
      await ledger.appendBatch([...withheld, ...hiddenAnchor]);
      const after = await governedState(ledger, NOW + 30 * DAY);
      // The attack: the union now holds a tie, the decision in effect for a month is reversed.
      expect(after.has(target)).toBe(true);
    } finally {
      await Promise.all([ledger.close(), hidden.close()]);
    }
  }, 120_000);
});
