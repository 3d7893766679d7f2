// Fifth review of issue 20: a stake pays one absent penalty, to "the first" round of a decided dispute in which its
// juror sat absent (`absentPenalties`, `earlierAbsences`). Whether another dispute counts as decided is read at
// `Number.MAX_SAFE_INTEGER` from whatever the ledger holds now, so it changes as that other dispute's later rounds
// arrive: a juror absent in dispute A (round 0) and then in dispute B, A appealed and its appeal round not drawn yet,
// reads as unpaid in A, and B (final, and acted on by its custodian) instructs the stake settled for B's majority.
// Once A's appeal round is drawn (an event in time, by anyone), A reads as decided there, the penalty moves to A, and
// B's instructions, for a dispute already final, lose it. The custodian that carried out B's cannot carry out A's
// (the stake is settled), and A's `bondProgress` shows it deviating; which side gets the penalty depends on when the
// custodian read. The instructions of a final dispute should never change: the stake's penalty should go to an order
// that later events cannot move (e.g. the first reveals close among disputes final by then, or each dispute its own
// part).
// Sixth review: the fix orders by `decidedAt`, but an appeal failing `unseeded` (its seed block mined before the appeal
// was public) decides its dispute with `decidedAt` = the appealed round's appeals close, in the past, whenever the
// failing draw arrives (up to the appeal round's voting close): A drawn so moves the penalty out of B all the same.
// `decidedAt` of such a failure should be when it became known (the draw's deadline, as for `undrawn`).
import { describe, expect, it } from 'vitest';
import {
  absentPenalties,
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeDrawn,
  createDisputeOpened,
  type DisputeDrawnBody,
  type DisputeView,
  drawFor,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import {
  at,
  buildWorld,
  custodialLock,
  disputeFlow,
  idOf,
  ledgerWith,
  regtestHeader,
  T,
} from '../disputes/fixture.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/**
 * Disputes A (round 0 appealed) and B (final first) sharing absent jurors; A's appeal round then drawn from `header`.
 * `checkA`: what A reads once so drawn, at B's finality. Asserts B's instructions stayed as when B was final.
 */
async function penaltyAfterAppealDraw(
  header: string,
  checkA: (view: DisputeView, viewB: DisputeView) => void = () => {},
): Promise<void> {
  // 17 jurors: an appeal round of 11 can be drawn besides the first round's 5.
  const world = await buildWorld({ verifier: verifier(), jurorCount: 17 });
  const a = idOf(world.opened);
  const answerByA = world.openedBody.answerBy;
  // Dispute A: answered and drawn; nobody votes, the claim fails, the payer appeals.
  const [answerA, drawnA] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
    extras: false,
  })) as [LedgerEvent, LedgerEvent];
  const round0 = roundTimes(answerByA, 0);
  const appeal = createDisputeAppealed(
    world.payer,
    { dispute: a, round: 1, bond: idOf(world.bonds.payerAppeal), seedHeight: 900_100 },
    { clock: at(round0.revealsClose + 60) },
  );
  // Dispute B, on the same receipt with other bonds, a day behind A: final before A's appeal round closes.
  const bondB = custodialLock(world, world.payer, 2_000, T + 60, 'bond of dispute B');
  const answerByB = answerByA + 86_400;
  const openedB = createDisputeOpened(
    world.payer,
    { ...world.openedBody, bond: idOf(bondB), answerBy: answerByB, claim: 'and it was late' },
    { clock: at(T + 200) },
  );
  const b = idOf(openedB);
  const answerB = createDisputeAnswered(
    world.provider,
    { dispute: b, evidence: 'served it', bond: idOf(world.bonds.providerAppeal) },
    { clock: at(T + 300) },
  );
  const ledger = await ledgerWith(verifier(), [
    ...world.base,
    bondB,
    world.opened,
    answerA,
    drawnA,
    appeal,
    openedB,
    answerB,
  ]);
  try {
    // B's seed block: the first whose panel shares a juror with A's first panel (both sit absent).
    const panelA = (drawnA.body as unknown as DisputeDrawnBody).panel;
    let drawnB: LedgerEvent | undefined;
    for (let tag = 2; drawnB === undefined; tag++) {
      const header = regtestHeader(tag);
      const panel = await drawFor(ledger, b, 0, header);
      if (panel.some((juror) => panelA.includes(juror)))
        drawnB = createDisputeDrawn(
          world.custodian,
          { dispute: b, round: 0, appeal: null, header, panel },
          { clock: at(answerByB + 1) },
        );
    }
    await ledger.append(drawnB);
    const shared = (drawnB.body as unknown as DisputeDrawnBody).panel.filter((j) => panelA.includes(j));
    const finalB = roundTimes(answerByB, 0).appealsClose + 1;
    // B is final while A's appeal round is still open (A's round 1 reveals close two days later).
    expect(finalB).toBeLessThan(roundTimes(answerByA, 1).revealsClose);
    const penaltiesOfB = async () => {
      const view = await readDispute(ledger, b, finalB);
      expect(view.status).toBe('decided');
      return ((await absentPenalties(ledger, view)) ?? []).filter((p) => shared.includes(p.staker));
    };
    const whenFinal = await penaltiesOfB();
    // B, final, instructs the shared jurors' stakes settled: A (appealed, its round 1 not drawn) is not decided.
    expect(whenFinal.length).toBeGreaterThan(0);
    // A's appeal round is drawn, in time, by the custodian.
    const panel1 = await drawFor(ledger, a, 1, header);
    await ledger.append(
      createDisputeDrawn(
        world.custodian,
        { dispute: a, round: 1, appeal: idOf(appeal), header, panel: panel1 },
        { clock: at(roundTimes(answerByA, 1).votesOpen + 1) },
      ),
    );
    checkA(await readDispute(ledger, a, finalB), await readDispute(ledger, b, finalB));
    // The attack: B's instructions, final before, now leave those stakes to A.
    expect(await penaltiesOfB()).toEqual(whenFinal);
  } finally {
    await ledger.close();
  }
}

describe("an absent juror's one penalty", () => {
  it('does not move out of a final dispute when an earlier dispute draws its appeal round', async () => {
    await penaltyAfterAppealDraw(regtestHeader(100));
  }, 120_000);

  it("does not move out of a final dispute when an earlier dispute's appeal round fails unseeded", async () => {
    // A block dated before the appeal was public: A's appeal round fails `unseeded`. The failure is dated at that
    // round's voting close plus the grace (the last moment its draw could arrive), as an undrawn round's is: A is not
    // final before B, whenever the draw came.
    await penaltyAfterAppealDraw(regtestHeader(100, T + 1_000), (viewA) => {
      expect(viewA.rounds[1]?.status).toBe('unseeded');
      expect(viewA.status).not.toBe('decided');
    });
  }, 120_000);
});
