// Sixth review of issue 20: an appeal whose round is not drawn by its voting close plus the grace fails (`undrawn`),
// the appealed round stands, and "the appeal is not counted, so its bond gets no instruction": released. The height is
// the appellant's own choice, bounded by `maxAppealSeedHeight` at twice the blocks Bitcoin's target would mine by
// then, so at normal block rates a height near the bound is mined days after the draw can count. The loser of a round
// appeals with such a height: the appeal counts, the round it lost is held open a whole voting period more (the
// winner's bonds with it), decided only at the appeal round's voting close, and the appeal bond, the deterrent the
// rule asks for, is handed back. An appeal that fails by its appellant's choice of height should cost its bond (or the
// bound should be tight enough that it cannot be chosen to fail).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBlockHeader } from '../../src/anchor/index.js';
import {
  createDisputeAppealed,
  type DisputeDrawnBody,
  maxAppealSeedHeight,
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

describe('an appeal naming the highest seed height allowed', () => {
  it('costs its appellant the appeal bond when its round cannot be drawn in time', async () => {
    const world = await buildWorld({ verifier, jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy, seedHeight } = world.openedBody;
    // Nobody votes: the claim is unproved, the payer (claimant) lost round 0.
    const [answer, drawn] = (await disputeFlow(world, await panelProver(), verifier, [], 1, {
      extras: false,
    })) as [LedgerEvent, LedgerEvent];
    const seed = parseBlockHeader((drawn.body as unknown as DisputeDrawnBody).header).hash;
    // The followed chain: round 0's block settled; at normal block rates the bound's height is days away.
    const seedBlocks = (height: number) => (height === seedHeight ? seed : undefined);
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
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, answer, drawn, appeal]);
    try {
      // The appeal counts: the round the payer lost is held open past its appeal window.
      expect((await readDispute(ledger, dispute, round0.appealsClose + 60, { seedBlocks })).status).toBe(
        'drawing',
      );
      const view = await readDispute(ledger, dispute, round1.votesClose + 60, { seedBlocks });
      expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
      const forBond = settlement(view)?.find((instruction) => instruction.lock === bond);
      // The attack: the appeal bond is released to the payer, the delay free.
      expect(forBond?.action).toBe('settle');
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
