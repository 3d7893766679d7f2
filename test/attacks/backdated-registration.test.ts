// A registration backdated behind a proposal's snapshot and imported after its window opened: the replica that imports
// it computes the same tally as one that never saw it. Where it changes the weights (equal mode: one more member),
// the proposal is disputed there, not decided differently.
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import {
  castPrivateVote,
  createProposal,
  draftProposal,
  GovernedState,
  proposalCreatedType,
  proposalState,
  tallyProposal,
  verifiedSnapshot,
  voteCastType,
} from '../../src/governance/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { createAgentRegistration, EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { type Prover, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { anchoredAt } from '../fixtures/decision-anchor.js';
import { electorateTypes, stakedElectorate } from '../fixtures/electorate.js';
import { voteZk } from '../fixtures/zk.js';

const PAST = 1_700_000_000;
const at = (seconds: number) => new ManualClock(seconds * 1000);
let prover: Prover;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await voteZk());
}, 60_000);

afterAll(() => releaseCurve());

const ledger = () =>
  Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([...electorateTypes, proposalCreatedType, voteCastType(verifier)]),
  });

describe('a registration backdated behind a snapshot', () => {
  for (const weightMode of ['stake', 'equal'] as const) {
    it(`changes no tally (${weightMode} mode)`, async () => {
      const electorate = await stakedElectorate([256n, 128n, 128n], PAST, PAST - 10);
      const [a, b] = electorate.voters as [
        (typeof electorate.voters)[number],
        (typeof electorate.voters)[number],
      ];
      const honest = await ledger();
      const replica = await ledger();
      try {
        await honest.appendBatch(electorate.registrations);
        const { body, sources, tree, snapshot } = await draftProposal(
          honest,
          {
            title: 'Blacklist someone',
            options: ['for', 'against', 'abstain'],
            counting: 'single',
            weightMode,
            quorum: 5_000,
            threshold: 5_000,
            window: { opens: PAST + 10, closes: PAST + 100 },
            minWeight: '1',
            actions: [{ type: 'blacklist.add', agent: generateAgentKey().id }],
          },
          { proposer: a.key, clock: at(PAST) },
        );
        const proposal = createProposal(a.key, body, { clock: at(PAST) });
        const { id } = await honest.appendBatch(sources).then(() => honest.append(proposal));
        const votes: LedgerEvent[] = [];
        for (const voter of [a, b]) {
          const index = snapshot.members.findIndex((m) => m.agent === voter.key.id);
          const cast = await castPrivateVote(prover, {
            proposal: { id, event: proposal },
            ballot: { choice: 'for' },
            secret: voter.zk.secret,
            weight: snapshot.members[index]?.weight as bigint,
            path: tree.path(index),
            members: snapshot.members,
            clock: at(PAST + 20),
          });
          votes.push(...cast.pieces.map((piece) => piece.event));
        }
        await honest.appendBatch(votes);
        // The replica gets the same events, then, after the window opened, a registration dated before the snapshot.
        for await (const { event } of honest.events()) await replica.append(event);
        const stranger = generateAgentKey();
        await zkIdentity(stranger);
        await replica.append(await createAgentRegistration(stranger, { clock: at(PAST - 1_000) }));

        const [one, two] = [await tallyProposal(honest, id), await tallyProposal(replica, id)];
        expect(two.tally).toEqual(one.tally);
        expect(two.outcome).toEqual(one.outcome);
        expect(two.counted).toEqual(one.counted);
        expect((await verifiedSnapshot(replica, id)).root).toBe(snapshot.root);
        expect(proposalState(one, PAST + 100)).toBe('succeeded');
        if (weightMode === 'stake') {
          // Without stake it weighs nothing: no dispute, the same decision.
          expect(two.snapshot).toEqual({ status: 'valid' });
          expect(
            (await GovernedState.fromLedger(replica, PAST + 100, { anchors: anchoredAt(PAST + 100, id) }))
              .applied,
          ).toEqual(
            (await GovernedState.fromLedger(honest, PAST + 100, { anchors: anchoredAt(PAST + 100, id) }))
              .applied,
          );
        } else {
          // One more member by its own claim: the replica cannot tell it from an omission, and holds the decision.
          expect(proposalState(two, PAST + 100)).toBe('disputed');
          expect(
            (await GovernedState.fromLedger(replica, PAST + 100, { anchors: anchoredAt(PAST + 100, id) }))
              .applied,
          ).toEqual([]);
        }
      } finally {
        await honest.close();
        await replica.close();
      }
    }, 600_000);
  }
});
