// Second review of the time rule: what is published after the grace still reverses a decision anchored in time and
// carried out. An anchor's block proves its commitment existed then, not that anyone could see what it commits to,
// and a claimed time proves nothing. Fixed: where the network names publication witnesses, only what a witness showed
// by the end of the grace counts (anchors and their votes, cancels, snapshot events). Vote proofs: in SLOW_FILES.
// - The union rule (a decision counts the votes of every anchor confirmed within the grace) holds only if every such
//   anchor is public by the end of the grace. A voter signs its vote dated inside the window (it may do so after the
//   close, having seen the tally), anchors that vote alone within the grace, and publishes both weeks later.
// - The snapshot check reads every stored event: anyone, not only the proposer (whose late cancel is the known
//   `it.fails` of governance-late-vote-unanchors), publishes after the grace a fresh key's registration dated before
//   the snapshot's moment, and the proposal turns `disputed`.
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
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

/**
 * Three members; the proposer votes for blacklisting and anchors the result today, within the grace: in effect.
 * `open` makes more ledgers of the same network.
 */
async function decided() {
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
        // The proposer (who anchors the decision) is the network's publication witness; the insider is not.
        config: { seeds: [proposer.id, insider.id, other.id], witnesses: [proposer.id] },
      }),
    });
  const ledger = await open();
  const registrations: LedgerEvent[] = await Promise.all(
    [proposer, insider, other].map((key) => createAgentRegistration(key, { clock: at(NOW - 10 * DAY) })),
  );
  await ledger.appendBatch(registrations);
  const made = await blacklistProposal(ledger, prover, proposer, NOW);
  await ledger.appendBatch(made.events);
  await ledger.appendBatch(await made.vote(proposer, made.opens + 10));
  await ledger.appendBatch(await decisionAnchor(ledger, proposer, made.id, NOW, 900_000));
  expect((await governedState(ledger, NOW + 3_600)).has(made.target)).toBe(true);
  return { ledger, open, made, insider, registrations };
}

describe('an event withheld until after the grace', () => {
  it('a vote anchored within the grace does not reverse a decision in effect', async () => {
    const { ledger, open, made, insider, registrations } = await decided();
    const hidden = await open();
    try {
      // The insider signs a vote against dated inside the window and anchors it alone (its own replica holds no
      // other vote) in a block two hours later, within the grace. It publishes neither.
      const withheld = await made.vote(insider, made.opens + 20, 'against');
      await hidden.appendBatch([...registrations, ...made.events, ...withheld]);
      const hiddenAnchor = await decisionAnchor(hidden, insider, made.id, NOW + 7_200, 900_012);
      // Past the grace the decision is final by every replica's reading.
      expect((await governedState(ledger, NOW + 10 * DAY)).has(made.target)).toBe(true);

      // Thirty days later the insider publishes the vote and its anchor.
      await ledger.appendBatch([...withheld, ...hiddenAnchor]);
      // The attack: the union now holds a tie, and the decision in effect for a month is reversed.
      expect((await governedState(ledger, NOW + 30 * DAY)).has(made.target)).toBe(true);
    } finally {
      await Promise.all([ledger.close(), hidden.close()]);
    }
  }, 120_000);

  it('a registration dated before the snapshot does not undo a decision anchored in time', async () => {
    const { ledger, made } = await decided();
    try {
      // A month later, a stranger publishes a fresh key's registration dated nine days before the decision.
      await ledger.append(await createAgentRegistration(generateAgentKey(), { clock: at(NOW - 9 * DAY) }));
      // The attack: the proposal is now `disputed`, and the decision carried out for a month is no longer in effect.
      expect((await governedState(ledger, NOW + 30 * DAY)).has(made.target)).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
