// Fourth review of issue 20: a bond counts for a dispute event only when no dispute event with a lower id names the
// same lock (`countedBond`), whether that other event counts, is in time or was published at all. The lock's staker
// can sign such an event at any time: a second `dispute.opened` on the same receipt (it is a party to it), dated
// anywhere the ingest rules allow (after the lock, within a day of the electorate's moment) and ground for an id
// below the event whose bond it wants gone. Published after the dispute was final, it rewrites the dispute:
//   - the claimant that lost: its opening's bond no longer counts, so the dispute turns `invalid` (nothing owed, no
//     loss recorded) and the bond the winner and jurors were owed goes back to it;
//   - the respondent that lost on the panel: its answer's counter-bond no longer counts, so the answer does not
//     count either; it loses by default instead, and its counter-bond is released, not settled.
// A bond should be tied to the first dispute event (by publication, or any event that itself counts) that used it,
// never taken away from a final dispute by an event published later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDisputeOpened,
  type DisputeOpenedBody,
  readDispute,
  settlement,
} from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, idOf, type World } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedRound } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

/**
 * A second opening by `party` on the world's receipt naming `bond`, dated within the electorate's day and ground for
 * an id below `below`.
 */
function reusingOpening(world: World, party: AgentKey, bond: LedgerEvent, below: string): LedgerEvent {
  for (let created = bond.created + 1; ; created++) {
    const body: DisputeOpenedBody = {
      ...world.openedBody,
      claim: 'the same receipt, again',
      bond: idOf(bond),
      answerBy: created + 3_600,
    };
    const opened = createDisputeOpened(party, body, { clock: at(created) });
    if (idOf(opened) < below) return opened;
  }
}

describe('a bond named again by a later event with a lower id', () => {
  it("does not undo a claimant's final loss", async () => {
    // Nobody votes: the claim is unproved, the payer (claimant) loses, its bond is owed to the provider.
    const { world, dispute, ledger, later } = await witnessedRound(verifier, prover, []);
    try {
      const lost = async () => {
        const view = await readDispute(ledger, dispute, later, await reading(ledger, later));
        expect(view).toMatchObject({ status: 'decided', winner: 'respondent', byDefault: false });
        expect(settlement(view)).toContainEqual(
          expect.objectContaining({ lock: idOf(world.bonds.payer), action: 'settle' }),
        );
      };
      await lost();
      // A month after the dispute was final, the payer publishes a second opening naming the same bond.
      await ledger.append(reusingOpening(world, world.payer, world.bonds.payer, dispute));
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the final dispute turns `invalid`, nothing is owed, the payer's bond goes back to it.
      await lost();
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it("does not release a respondent's counter-bond after its loss on the panel", async () => {
    // One juror upholds the claim, the others stay away: the provider (respondent) loses on the panel.
    const { world, dispute, ledger, later } = await witnessedRound(verifier, prover, ['upheld']);
    try {
      const answer = (await readDispute(ledger, dispute, later, await reading(ledger, later))).answer;
      expect(answer).toBeDefined();
      const lost = async () => {
        const view = await readDispute(ledger, dispute, later, await reading(ledger, later));
        expect(view).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: false });
        expect(settlement(view)).toContainEqual(
          expect.objectContaining({ lock: idOf(world.bonds.provider), action: 'settle' }),
        );
      };
      await lost();
      // After the dispute was final, the provider publishes an opening on the same receipt naming its counter-bond.
      await ledger.append(reusingOpening(world, world.provider, world.bonds.provider, answer?.id as string));
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the answer no longer counts, the provider loses by default and its counter-bond is not settled.
      await lost();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
