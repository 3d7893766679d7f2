// Fourth review of issue 20: `DISPUTE_TERMS.appealBondFactor` says an appeal's bond is at least twice "the largest
// bond of the round it appeals"; `dispute.appealed` checks it against the opening bond alone
// (`appealBond(opening.bond, round)`). A respondent that answered with a counter-bond twice the claimant's, and won,
// faces an appeal backed by a bond no larger than its own: the loser risks less than the winner to make it sit again.
import { describe, expect, it } from 'vitest';
import {
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeDrawn,
  drawFor,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { at, buildWorld, idOf, ledgerWith, regtestHeader } from '../disputes/fixture.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe('an appeal against a round whose counter-bond was larger than the opening bond', () => {
  it('needs twice the largest bond of that round', async () => {
    // Sixteen jurors: enough for the appeal round (an unstaffable appeal fails, which would hide the count).
    const world = await buildWorld({ verifier: verifier(), jurorCount: 16 });
    const dispute = idOf(world.opened);
    const round0 = roundTimes(world.openedBody.answerBy, 0);
    // The provider answers with 4,000 sats against the payer's 2,000.
    const answer = createDisputeAnswered(
      world.provider,
      { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.providerAppeal) },
      { clock: at(world.opened.created + 100) },
    );
    const ledger = await ledgerWith(verifier(), [...world.base, world.opened, answer]);
    try {
      const header = regtestHeader(1);
      const panel = await drawFor(ledger, dispute, 0, header);
      await ledger.append(
        createDisputeDrawn(
          world.custodian,
          { dispute, round: 0, appeal: null, header, panel },
          { clock: at(world.openedBody.answerBy + 1) },
        ),
      );
      // Nobody votes: the payer's claim fails; it appeals with 4,000 sats, no more than the provider's bond.
      const view = await readDispute(ledger, dispute, round0.revealsClose + 10);
      if (view.status !== 'appealable') throw new Error(view.status);
      const appeal = createDisputeAppealed(
        world.payer,
        { dispute, round: 1, bond: idOf(world.bonds.payerAppeal), seedHeight: 900_100 },
        { clock: at(round0.revealsClose + 10) },
      );
      // Refused on ingest, or stored and never counted (the answer may arrive after the appeal on some replica).
      const refused = await ledger.append(appeal).then(
        () => false,
        () => true,
      );
      const after = await readDispute(ledger, dispute, roundTimes(world.openedBody.answerBy, 1).votesOpen);
      // The attack: stored, and counted: round 1 is awaiting its draw.
      expect(refused || after.appeals.length === 0).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
