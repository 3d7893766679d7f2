// An anchor that leaves out a vote cast in time (found while fixing the late vote): the proposer anchors early, from a
// replica without the vote against it, a commitment of its own vote alone. Were the earliest anchor's votes the
// decision, one anchor would censor every vote its maker did not want. The decision counts the union of the votes of
// every anchor within the grace, each checked against the votes it names: anyone holding the censored vote anchors it,
// in time. The verdict is a function of the events, whatever order replicas receive them in.
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchoredDecision, decisionAnchors } from '../../src/anchor/index.js';
import { canonicalJson, ManualClock } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import { tallyProposal } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { Prover, releaseCurve, Verifier } from '../../src/zk/index.js';
import { decisionAnchor } from '../fixtures/decision-anchor.js';
import { blacklistProposal } from '../fixtures/member-vote.js';

const NOW = 1_800_000_000;
const DAY = 86_400;
const at = (seconds: number) => new ManualClock(seconds * 1000);
let prover: Prover;
let verifier: Verifier;
let keys: [AgentKey, AgentKey, AgentKey];

beforeAll(async () => {
  [prover, verifier] = await Promise.all([Prover.load(), Verifier.load()]);
  keys = Array.from({ length: 3 }, () => generateAgentKey()) as [AgentKey, AgentKey, AgentKey];
}, 60_000);

afterAll(() => releaseCurve());

const newLedger = () =>
  Ledger.fromLevel(new MemoryLevel(), {
    registry: agoraRegistry({ network: 'regtest', verifier, config: { seeds: keys.map((k) => k.id) } }),
  });

/** What a replica decides: the target blacklisted or not, the decisions held, and the anchored decision's votes. */
async function verdict(ledger: Ledger, id: string, target: string, now: number) {
  const state = await governedState(ledger, now);
  return {
    blacklisted: state.has(target),
    held: state.held,
    anchor: (await decisionAnchors(ledger, now)).get(id),
  };
}

describe('an anchor that leaves out a vote cast in time', () => {
  it('does not censor it: the decision counts every vote anchored within the grace, in any order', async () => {
    const [proposer, opponent, other] = keys;
    const full = await newLedger();
    const censor = await newLedger();
    try {
      const registrations = await Promise.all(
        keys.map((key) => createAgentRegistration(key, { clock: at(NOW - 10 * DAY) })),
      );
      await full.appendBatch(registrations);
      const made = await blacklistProposal(full, prover, proposer, NOW);
      const { id, target, opens } = made;
      const forVote = await made.vote(proposer, opens + 10);
      const againstVote = await made.vote(opponent, opens + 20, 'against');
      await full.appendBatch([...made.events, ...forVote, ...againstVote]);
      // The censor's replica lacks the vote against (or it pretends so).
      await censor.appendBatch([...registrations, ...made.events, ...forVote]);
      const [forId, againstId] = [forVote, againstVote].map((events) => parseEnvelope(events[0]).id) as [
        string,
        string,
      ];

      // The proposer anchors first its own vote alone: for now the decision is that anchor's, carried out.
      // A second seed lists it too: the proposer's own events need another witness's listing.
      const censoring = await decisionAnchor(censor, proposer, id, NOW, 900_000, { cowitness: other });
      await full.appendBatch(censoring);
      expect(await verdict(full, id, target, NOW + 3_600)).toMatchObject({
        blacklisted: true,
        anchor: { blockTime: NOW, votes: [forId] },
      });

      // A tampered anchor naming both votes under the censor's commitment matches nothing and adds nothing.
      const tampered = await decisionAnchor(censor, proposer, id, NOW + 600, 900_001, {
        votes: [forId, againstId].sort(),
      });
      await full.appendBatch(tampered);
      expect((await anchoredDecision(full, id, NOW + 3_600)).inTime).toHaveLength(1);

      // The opponent anchors, within the grace, what it holds: both votes, a tie. The censored vote counts.
      const honest = await decisionAnchor(full, other, id, NOW + 7_200, 900_012, { cowitness: opponent });
      await full.appendBatch(honest);
      const decided = await verdict(full, id, target, NOW + 3 * DAY);
      expect(decided).toMatchObject({ blacklisted: false, held: [], anchor: { blockTime: NOW } });
      expect(decided.anchor?.votes).toEqual([forId, againstId].sort());
      expect((await tallyProposal(full, id)).outcome).toMatchObject({ state: 'defeated', reason: 'tie' });

      // Replicas fed the same events in any order reach the same verdict.
      const events: LedgerEvent[] = [
        ...registrations,
        ...made.events,
        ...forVote,
        ...againstVote,
        ...censoring,
        ...tampered,
        ...honest,
      ];
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length }), async (order) => {
          const replica = await newLedger();
          try {
            const imported = await replica.importLines(order.map((event) => canonicalJson(event)));
            expect([imported.refused, imported.waiting]).toEqual([[], []]);
            expect(await verdict(replica, id, target, NOW + 3 * DAY)).toEqual(decided);
          } finally {
            await replica.close();
          }
        }),
        { numRuns: 3 },
      );
    } finally {
      await Promise.all([full.close(), censor.close()]);
    }
  }, 120_000);
});
