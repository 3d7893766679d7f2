// Review of issue 20: the publication rule covers answers, appeals, juror votes and reveals, not `dispute.drawn`.
// Of several draws stored for a round, the lowest seed block hash counts (`readRound`), whenever it was published. A
// round is won by the claimant, final, settled; a month later the respondent publishes a draw dated before the votes
// opened, with another header valid at the seed height and a lower hash (on an unconfigured network, any header
// meeting the least work; on `bitcoin` a stale or fork block, which passes `blockAtHeight` on ingest but no longer
// seeds a round: see dispute-seed-fork-block.test.ts). The panel was drawn again, no vote matched its root, and the final loss turned into a win. Fixed: a
// draw counts only if published by its round's voting close plus the grace (the last moment a vote on it counts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBlockHeader } from '../../src/anchor/index.js';
import { HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import {
  createDisputeDrawn,
  type DisputeDrawnBody,
  disputeLosses,
  drawFor,
  readDispute,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, regtestHeader } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedRound } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('a draw published after the dispute was final', () => {
  it('does not redraw the panel of a decided round', async () => {
    const { world, dispute, round0, ledger, rest, later } = await witnessedRound(verifier, prover, [
      'upheld',
      'upheld',
    ]);
    const { answerBy } = world.openedBody;
    try {
      const stillWon = async () => {
        const read = await reading(ledger, later);
        expect(await readDispute(ledger, dispute, later, read)).toMatchObject({
          status: 'decided',
          winner: 'claimant',
        });
        expect(await disputeLosses(ledger, later, read)).toEqual([
          { agent: world.provider.id, dispute, at: round0.appealsClose + HEADER_TIME_TOLERANCE },
        ]);
      };
      await stillWon();
      // A month later: another header valid at the seed height, with a lower hash than the drawn one.
      const drawn = rest.find((e) => e.type === 'dispute.drawn') as LedgerEvent;
      const used = parseBlockHeader((drawn.body as unknown as DisputeDrawnBody).header).hash;
      let header = regtestHeader(2);
      for (let tag = 3; parseBlockHeader(header).hash >= used; tag++) header = regtestHeader(tag);
      const panel = await drawFor(ledger, dispute, 0, header);
      await ledger.append(
        createDisputeDrawn(
          world.provider,
          { dispute, round: 0, appeal: null, header, panel },
          { clock: at(answerBy + 1) },
        ),
      );
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the round is drawn again from the late header; the votes cast match no panel, the claim fails.
      await stillWon();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
