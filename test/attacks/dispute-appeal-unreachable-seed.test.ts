// Fifth review of issue 20: an appeal's `seedHeight` is bounded by nothing above (`isHeight`), and a round whose seed
// block never settles on the followed chain waits for its draw for ever (`readRound`: `awaiting-draw`, the dispute
// `drawing`). The loser of a round appeals, with the bond the rule asks, naming a height that will not be mined for a
// century: the appeal counts, its round is never drawn, the dispute is never decided. The round it lost never becomes
// final: no loss is recorded, `settlement` stays undefined, and every bond (its losing one, its appeal bond, the
// winner's) just sits until its hold invoice expires and returns to its staker. Any verdict can be escaped this way at
// no cost. An appeal's seed height should be bounded (mined within the round's voting window), and an appeal whose
// round cannot be drawn by its voting close count for nothing (the appealed round final).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBlockHeader } from '../../src/anchor/index.js';
import {
  createDisputeAppealed,
  type DisputeDrawnBody,
  readDispute,
  roundTimes,
  settlement,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeFlow, idOf, ledgerWith } from '../disputes/fixture.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await panelVerifier();
}, 120_000);

afterAll(() => releaseCurve());

describe('an appeal naming a seed height a century away', () => {
  it('does not keep the round it appeals from becoming final', async () => {
    const world = await buildWorld({ verifier, jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy, seedHeight } = world.openedBody;
    // Nobody votes: the claim is unproved, the payer (claimant) lost round 0.
    const [answer, drawn] = (await disputeFlow(world, await panelProver(), verifier, [], 1, {
      extras: false,
    })) as [LedgerEvent, LedgerEvent];
    // The chain the ledger follows: round 0's block settled at its height, nothing settled far above.
    const seed = parseBlockHeader((drawn.body as unknown as DisputeDrawnBody).header).hash;
    const seedBlocks = (height: number) => (height === seedHeight ? seed : undefined);
    const round0 = roundTimes(answerBy, 0);
    const appeal = createDisputeAppealed(
      world.payer,
      { dispute, round: 1, bond: idOf(world.bonds.payerAppeal), seedHeight: 10_000_000 },
      { clock: at(round0.revealsClose + 60) },
    );
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, answer, drawn]);
    try {
      const yearLater = roundTimes(answerBy, 2).appealsClose + 365 * 86_400;
      const lost = await readDispute(ledger, dispute, yearLater, { seedBlocks });
      expect(lost).toMatchObject({ status: 'decided', winner: 'respondent' });
      await ledger.append(appeal);
      const view = await readDispute(ledger, dispute, yearLater, { seedBlocks });
      // The attack: a year on, the dispute waits for a block of 2196; the payer's loss is never final, nothing settles.
      expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(settlement(view)).toBeDefined();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
