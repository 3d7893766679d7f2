// Fourth review of issue 20: "no reveal counts before voting closed, so no juror sees a running tally" holds for
// claimed times only. The ledger stores events dated ahead, and a reveal counts when it is dated in the reveal window
// and published by its close plus the grace (`readRound`): nothing bounds its publication below. A juror (or a
// briber's juror, proving its vote) publishes its reveal dated just after voting closes while voting is still open;
// the witnesses show it then, every juror still to vote sees the running tally, and the reveal counts. A reveal
// published before voting closed should not count (the vote stays sealed, unrevealed): then nobody gains by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeRound, readDispute, roundTimes } from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { buildWorld, disputeFlow, idOf } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('a reveal published while voting is open', () => {
  it('does not count: no running tally can be shown', async () => {
    const world = await buildWorld({ verifier });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    const [answer, drawn, vote, reveal] = (await disputeFlow(world, prover, verifier, ['upheld'], 1, {
      extras: false,
      attend: false,
    })) as [LedgerEvent, LedgerEvent, LedgerEvent, LedgerEvent];
    expect(reveal.created).toBeGreaterThanOrEqual(round0.votesClose);
    const ledger = await witnessedDisputeLedger(verifier, world.custodian, [
      ...world.base,
      world.opened,
      answer,
    ]);
    try {
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      // An hour into the two days of voting, the juror publishes its vote and its reveal (dated after the close).
      await ledger.importLines([drawn, vote, reveal].map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesOpen + 3_600);
      const read = await reading(ledger, round0.votesOpen + 3_700);
      expect((await readDispute(ledger, dispute, round0.votesOpen + 3_700, read)).status).toBe('voting');
      const later = round0.appealsClose + 86_400;
      const view = await readDispute(ledger, dispute, later, await reading(ledger, later));
      // The attack: shown mid-vote, the reveal counts, and decides the round.
      expect((view.rounds[0] as DisputeRound).reveals).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
