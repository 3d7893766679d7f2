// Fourth review of issue 20: a round that cannot be staffed makes the whole dispute `void` (`readDispute`: every bond
// released, no loss recorded), the appeal rounds included. An appeal draws 2n+1 jurors who did not sit before (11,
// then 23): on an electorate of fewer than 16 eligible jurors (the claimant sets `minWeight`, so it can make any
// dispute's electorate that small) the loser of the first round appeals, publishes a draw for the appeal round
// (anyone may, any 11 ids: the panel is checked only after the staffing), and the dispute it lost turns `void`: its
// bonds come back, the winner gets nothing, the provider's loss is gone. An appeal that cannot be staffed should
// leave the appealed round's outcome standing (and its bond released), not void the rounds already decided.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDisputeAppealed,
  createDisputeDrawn,
  disputeLosses,
  readDispute,
  settlement,
} from '../../src/disputes/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, idOf, regtestHeader } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedRound } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('an appeal on an electorate too small for the appeal round', () => {
  it('does not void the round the appellant lost', async () => {
    // Eight eligible jurors; one upholds the claim, the provider loses the first round.
    const { world, dispute, round0, ledger, later } = await witnessedRound(verifier, prover, ['upheld']);
    try {
      const lost = async (now: number) => {
        const read = await reading(ledger, now);
        const view = await readDispute(ledger, dispute, now, read);
        expect(view).toMatchObject({ status: 'decided', winner: 'claimant' });
        expect(settlement(view)).toContainEqual(
          expect.objectContaining({ lock: idOf(world.bonds.provider), action: 'settle' }),
        );
        expect((await disputeLosses(ledger, now, read)).map((loss) => loss.agent)).toEqual([
          world.provider.id,
        ]);
      };
      await lost(round0.appealsClose + 7_201);
      // The provider appeals in time and records a draw for round 1 listing any eleven agents.
      const appeal = createDisputeAppealed(
        world.provider,
        { dispute, round: 1, bond: idOf(world.bonds.providerAppeal), seedHeight: 900_100 },
        { clock: at(round0.revealsClose + 10) },
      );
      const drawn = createDisputeDrawn(
        world.provider,
        {
          dispute,
          round: 1,
          appeal: idOf(appeal),
          header: regtestHeader(9),
          panel: Array.from({ length: 11 }, () => generateAgentKey().id),
        },
        { clock: at(round0.revealsClose + 20) },
      );
      await ledger.appendBatch([appeal, drawn]);
      await witnessAt(ledger, world.custodian, round0.revealsClose + 600);
      // The attack: the appeal round cannot be staffed, the whole dispute is void and every bond released.
      await lost(later);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
