// A proposal at an old `asOf` chooses its electorate (docs/security.md): an agent registers with a `created` long
// before everyone else, proposes with that moment as `asOf`, lists a checkpoint complete for it (itself alone), votes,
// and anchors the result in a block of today's time. No replica holds an older event to dispute it. Fixed by the time
// rule (a decision takes effect only once anchored in a block whose time bounds the proposal's times) and, for
// reputation weights, by the network's fixed pre-trusted seeds.
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { governedState } from '../../src/decisions.js';
import {
  castPrivateVote,
  createProposal,
  draftProposal,
  type ProposalTerms,
  tallyProposal,
  type WeightMode,
} from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { createAgentRegistration, Ledger, type LedgerEvent, parseEnvelope } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { decisionAnchor } from '../fixtures/decision-anchor.js';
import { voteZk } from '../fixtures/zk.js';

/** The network's real time: honest agents registered ten days before, decisions anchored now. */
const NOW = 1_800_000_000;
/** The attacker's claimed registration time: a year before anyone. */
const OLD = NOW - 365 * 86_400;
const DAY = 86_400;
const at = (seconds: number) => new ManualClock(seconds * 1000);
let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
}, 60_000);

afterAll(() => releaseCurve());

const terms = (weightMode: WeightMode, victim: string, opens: number, closes: number): ProposalTerms => ({
  title: `Blacklist ${victim.slice(0, 8)}`,
  options: ['for', 'against', 'abstain'],
  counting: 'single',
  weightMode,
  quorum: 1_000,
  threshold: 5_000,
  window: { opens, closes },
  minWeight: '1',
  minAnonymity: 1,
  actions: [{ type: 'blacklist.add', agent: victim }],
});

/** `proposer` drafts on `draftOn` at `asOf`, signs, and votes for it alone at `opens + 10`: the events to append. */
async function proposeAndVote(
  draftOn: Ledger,
  proposer: AgentKey,
  body: ProposalTerms,
  asOf: number,
): Promise<{ id: string; events: LedgerEvent[] }> {
  const drafted = await draftProposal(draftOn, body, { proposer, asOf, clock: at(asOf) });
  const proposal = createProposal(proposer, drafted.body, { clock: at(asOf) });
  const index = drafted.snapshot.members.findIndex((m) => m.agent === proposer.id);
  const id = parseEnvelope(proposal).id;
  const vote = await castPrivateVote(prover, {
    proposal: { id, event: proposal },
    ballot: { choice: 'for' },
    secret: (await zkIdentity(proposer)).secret,
    weight: drafted.snapshot.members[index]?.weight as bigint,
    path: drafted.tree.path(index),
    members: drafted.snapshot.members,
    // The proposal's k of 1 keeps these votes cheap; a voter follows it only when told to.
    minAnonymity: 1,
    clock: at(body.window.opens + 10),
  });
  return { id, events: [...drafted.sources, proposal, ...vote.pieces.map((piece) => piece.event)] };
}

describe('a proposal at an old asOf', () => {
  for (const weightMode of ['equal', 'reputation'] as const satisfies readonly WeightMode[]) {
    it(`never takes effect, anchored or not; an honest one anchored in time does (${weightMode} mode)`, async () => {
      const honest = Array.from({ length: 3 }, () => generateAgentKey());
      // `network`: the founders are the fixed seeds. `dev`: no configuration (oldest registrations are the seeds).
      const network = await Ledger.fromLevel(new MemoryLevel(), {
        registry: agoraRegistry({
          network: 'regtest',
          verifier,
          config: { seeds: honest.map((key) => key.id) },
        }),
      });
      const dev = await Ledger.fromLevel(new MemoryLevel(), {
        registry: agoraRegistry({ network: 'regtest', verifier }),
      });
      const both = async (events: LedgerEvent[]) => {
        await network.appendBatch(events);
        await dev.appendBatch(events);
      };
      try {
        await both(
          await Promise.all(honest.map((key) => createAgentRegistration(key, { clock: at(NOW - 10 * DAY) }))),
        );
        const [victim, target] = [honest[0]?.id as string, generateAgentKey().id];
        // Registered now, dated a year back: the oldest registration by its own claim.
        const attacker = generateAgentKey();
        await both([await createAgentRegistration(attacker, { clock: at(OLD) })]);
        if (weightMode === 'reputation')
          // With the network's seeds nobody holds trust a year ago: the attacker cannot even draft.
          await expect(
            draftProposal(network, terms(weightMode, victim, OLD + 20, OLD + 100), {
              proposer: attacker,
              asOf: OLD + 10,
            }),
          ).rejects.toThrow(/nobody could vote|no registered agent/);
        // Drafted under the development default, where its checkpoint (itself alone) is complete and valid.
        const attack = await proposeAndVote(
          dev,
          attacker,
          terms(weightMode, victim, OLD + 20, OLD + 100),
          OLD + 10,
        );
        await both(attack.events);
        expect((await tallyProposal(dev, attack.id)).outcome.state).toBe('succeeded');
        // An honest proposal on the network's configuration: snapshot two days ago, voting closed a day ago.
        const fair = await proposeAndVote(
          network,
          honest[1] as AgentKey,
          terms(weightMode, target, NOW - 2 * DAY + 60, NOW - DAY),
          NOW - 2 * DAY,
        );
        await both(fair.events);

        // Not anchored: neither is in effect, and the honest one says it waits for its anchor.
        const waiting = await governedState(network, NOW);
        expect(waiting.has(victim) || waiting.has(target)).toBe(false);
        expect(waiting.held).toContainEqual({
          proposal: fair.id,
          status: 'waiting',
          reason: 'waiting for its anchor',
        });
        // Both anchored today, in a real block of the real time.
        await both(await decisionAnchor(dev, attacker, attack.id, NOW, 900_000));
        await network.appendBatch(
          // Another seed lists it too: the proposer's own events need another witness's listing.
          await decisionAnchor(network, honest[1] as AgentKey, fair.id, NOW, 900_010, {
            cowitness: honest[0] as AgentKey,
          }),
        );
        const decided = await governedState(network, NOW + 3_600);
        expect(decided.has(target)).toBe(true);
        expect(decided.has(victim)).toBe(false);
        // Under the development default the time rule alone stops it: the anchor is a year after voting closed.
        const lax = await governedState(dev, NOW + 3_600);
        expect(lax.has(victim)).toBe(false);
        expect(lax.held.find((h) => h.proposal === attack.id)).toMatchObject({
          status: 'void',
          reason: expect.stringMatching(/after voting closed/),
        });
        // Under fixed seeds a reputation-weighted checkpoint of that moment is not even valid.
        if (weightMode === 'reputation')
          expect((await tallyProposal(network, attack.id)).snapshot.status).toBe('invalid');
      } finally {
        await network.close();
        await dev.close();
      }
    }, 180_000);
  }
});
