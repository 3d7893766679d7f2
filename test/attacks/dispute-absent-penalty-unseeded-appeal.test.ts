// Sixth review of issue 20: the fifth review's fix orders an absent juror's one penalty by the moment each dispute
// became final (`decidedAt`), claiming a dispute still open when another became final "can only become final later".
// Not so for an appeal that fails because its seed block was mined too early (`unseeded`): the dispute is then decided
// with `decidedAt` = the appealed round's appeals close, a moment in the past, whenever the failing draw arrives (any
// time up to the appeal round's voting close). A juror absent in dispute A (round 0, appealed) and in dispute B: B
// is final first and instructs the stake settled; then anyone publishes A's appeal-round draw from an early block, A
// reads as decided a day before B, and the penalty moves out of B, final and acted on. `decidedAt` of a failed
// appeal should be when the failure became known (at least the draw's deadline, like `undrawn`), or the order should
// use a moment no later event can set in the past.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  absentPenalties,
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeDrawn,
  createDisputeOpened,
  type DisputeDrawnBody,
  drawFor,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
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
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await panelVerifier();
}, 120_000);

afterAll(() => releaseCurve());

describe("an absent juror's one penalty", () => {
  it("does not move out of a final dispute when an earlier dispute's appeal round fails unseeded", async () => {
    // 17 jurors: an appeal round of 11 can be drawn besides the first round's 5.
    const world = await buildWorld({ verifier, jurorCount: 17 });
    const a = idOf(world.opened);
    const answerByA = world.openedBody.answerBy;
    // Dispute A: answered and drawn; nobody votes, the claim fails, the payer appeals.
    const [answerA, drawnA] = (await disputeFlow(world, await panelProver(), verifier, [], 1, {
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
    const ledger = await ledgerWith(verifier, [
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
      // A's appeal round is drawn, in time, from a block dated before the appeal was public: the appeal fails.
      const header = regtestHeader(100, T + 1_000);
      const panel1 = await drawFor(ledger, a, 1, header);
      await ledger.append(
        createDisputeDrawn(
          world.custodian,
          { dispute: a, round: 1, appeal: idOf(appeal), header, panel: panel1 },
          { clock: at(roundTimes(answerByA, 1).votesOpen + 1) },
        ),
      );
      const viewA = await readDispute(ledger, a, finalB);
      expect(viewA).toMatchObject({
        status: 'decided',
        reason: expect.stringContaining('seed block mined before'),
      });
      // A is decided now, dated before B was: the order puts A first.
      expect(viewA.decidedAt).toBeLessThan((await readDispute(ledger, b, finalB)).decidedAt as number);
      // The attack: B's instructions, final before, now leave those stakes to A.
      expect(await penaltiesOfB()).toEqual(whenFinal);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
