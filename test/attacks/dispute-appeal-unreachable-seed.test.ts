// Fifth review of issue 20: an appeal's `seedHeight` is bounded by nothing above (`isHeight`), and a round whose seed
// block never settles on the followed chain waits for its draw for ever (`readRound`: `awaiting-draw`, the dispute
// `drawing`). The loser of a round appeals, with the bond the rule asks, naming a height that will not be mined for a
// century: the appeal counts, its round is never drawn, the dispute is never decided. The round it lost never becomes
// final: no loss is recorded, `settlement` stays undefined, and every bond (its losing one, its appeal bond, the
// winner's) just sits until its hold invoice expires and returns to its staker. Any verdict can be escaped this way at
// no cost. An appeal's seed height should be bounded (mined within the round's voting window), and an appeal whose
// round cannot be drawn by its voting close count for nothing (the appealed round final).
import { describe, expect, it } from 'vitest';
import { parseBlockHeader } from '../../src/anchor/index.js';
import {
  createDisputeAppealed,
  createDisputeDrawn,
  type DisputeDrawnBody,
  drawFor,
  maxAppealSeedHeight,
  readDispute,
  roundTimes,
  settlement,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { at, buildWorld, disputeFlow, idOf, ledgerWith, regtestHeader } from '../disputes/fixture.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/**
 * A dispute whose claimant (the payer) lost round 0, nobody voting, and the chain the ledger follows: round 0's block
 * settled at its height, nothing settled above.
 */
async function lostRound0() {
  const world = await buildWorld({ verifier: verifier(), jurorCount: 17 });
  const [answer, drawn] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
    extras: false,
  })) as [LedgerEvent, LedgerEvent];
  const { seedHeight } = world.openedBody;
  const seed = parseBlockHeader((drawn.body as unknown as DisputeDrawnBody).header).hash;
  const seedBlocks = (height: number) => (height === seedHeight ? seed : undefined);
  return { world, dispute: idOf(world.opened), answer, drawn, seedBlocks, ...world.openedBody };
}

describe('an appeal naming a seed height a century away', () => {
  it('does not keep the round it appeals from becoming final', async () => {
    const { world, dispute, answer, drawn, seedBlocks, answerBy } = await lostRound0();
    const round0 = roundTimes(answerBy, 0);
    const appeal = createDisputeAppealed(
      world.payer,
      { dispute, round: 1, bond: idOf(world.bonds.payerAppeal), seedHeight: 10_000_000 },
      { clock: at(round0.revealsClose + 60) },
    );
    const ledger = await ledgerWith(verifier(), [...world.base, world.opened, answer, drawn]);
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

// Sixth review of issue 20: an appeal whose round is not drawn by its voting close plus the grace fails (`undrawn`),
// the appealed round stands, and "the appeal is not counted, so its bond gets no instruction": released. The height is
// the appellant's own choice, bounded by `maxAppealSeedHeight` at twice the blocks Bitcoin's target would mine by
// then, so at normal block rates a height near the bound is mined days after the draw can count. The loser of a round
// appeals with such a height: the appeal counts, the round it lost is held open a whole voting period more (the
// winner's bonds with it), decided only at the appeal round's voting close, and the appeal bond, the deterrent the
// rule asks for, was handed back. An appeal that fails by its appellant's choice of height (or its silence) now costs
// its bond (`forfeited`), settled as a losing bond.
describe('an appeal naming the highest seed height allowed', () => {
  it('costs its appellant the appeal bond when its round cannot be drawn in time', async () => {
    const { world, dispute, answer, drawn, seedBlocks, answerBy, seedHeight } = await lostRound0();
    const round0 = roundTimes(answerBy, 0);
    const round1 = roundTimes(answerBy, 1);
    const bound = maxAppealSeedHeight(seedHeight, world.opened.created, answerBy, 1);
    // At 600 s a block, the bound is mined long after round 1's draw could count.
    expect(world.opened.created + (bound - seedHeight) * 600).toBeGreaterThan(round1.votesClose + 86_400);
    const bond = idOf(world.bonds.payerAppeal);
    const appeal = createDisputeAppealed(
      world.payer,
      { dispute, round: 1, bond, seedHeight: bound },
      { clock: at(round0.revealsClose + 60) },
    );
    const ledger = await ledgerWith(verifier(), [...world.base, world.opened, answer, drawn, appeal]);
    try {
      // The appeal counts: the round the payer lost is held open past its appeal window.
      expect((await readDispute(ledger, dispute, round0.appealsClose + 60, { seedBlocks })).status).toBe(
        'drawing',
      );
      const view = await readDispute(ledger, dispute, round1.votesClose + 60, { seedBlocks });
      expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
      const forBond = settlement(view)?.find((instruction) => instruction.lock === bond);
      // The attack was: the appeal bond released to the payer, the delay free. It is paid to the winner.
      expect(view.forfeited?.bond.lock).toBe(bond);
      expect(forBond).toMatchObject({ action: 'settle', staker: world.payer.id });
      expect(forBond?.payouts.reduce((sum, payout) => sum + payout.sat, 0n)).toBe(forBond?.amountSat);
      expect(forBond?.payouts.every((payout) => payout.to !== world.payer.id)).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});

// The same delay by the other bound: an appeal naming a height already mined (its seed block dated before the appeal
// was public) fails `unseeded`, dated at its round's voting close plus the grace whenever its draw arrives. Chosen by
// the appellant, so its bond is forfeited as above.
describe('an appeal naming a height already mined', () => {
  it('costs its appellant the appeal bond', async () => {
    const { world, dispute, answer, drawn, answerBy, seedHeight } = await lostRound0();
    const round0 = roundTimes(answerBy, 0);
    const round1 = roundTimes(answerBy, 1);
    const bond = idOf(world.bonds.payerAppeal);
    const appeal = createDisputeAppealed(
      world.payer,
      { dispute, round: 1, bond, seedHeight: seedHeight + 1 },
      { clock: at(round0.revealsClose + 60) },
    );
    // Mined an hour before the appeal: its hash was known to the appellant.
    const early = regtestHeader(7, round0.revealsClose - 3_600);
    const seed0 = parseBlockHeader((drawn.body as unknown as DisputeDrawnBody).header).hash;
    const seed1 = parseBlockHeader(early).hash;
    const seedBlocks = (height: number) =>
      height === seedHeight ? seed0 : height === seedHeight + 1 ? seed1 : undefined;
    const ledger = await ledgerWith(verifier(), [...world.base, world.opened, answer, drawn, appeal]);
    try {
      const panel = await drawFor(ledger, dispute, 1, early);
      await ledger.append(
        createDisputeDrawn(
          world.payer,
          { dispute, round: 1, appeal: idOf(appeal), header: early, panel },
          { clock: at(round1.votesOpen + 60) },
        ),
      );
      expect((await readDispute(ledger, dispute, round1.votesOpen + 120, { seedBlocks })).status).toBe(
        'drawing',
      );
      const view = await readDispute(ledger, dispute, round1.votesClose + 3 * 3_600, { seedBlocks });
      expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(view.reason).toMatch(/seed block mined before/);
      expect(view.forfeited?.bond.lock).toBe(bond);
      const forBond = settlement(view)?.find((instruction) => instruction.lock === bond);
      expect(forBond).toMatchObject({ action: 'settle', staker: world.payer.id });
      expect(forBond?.payouts.every((payout) => payout.to !== world.payer.id)).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
