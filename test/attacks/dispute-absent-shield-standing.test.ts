// Fifth review of issue 20: the absent penalty's shield (`absentPenalties`, `shielded`) frees a stake that backs a
// bond committed before the round opened, "its bond settles it". Nothing checks that the bond's dispute can settle
// it. A juror that is a party to any receipt (it paid some provider once) signs, right after locking its stake, a
// `dispute.opened` on that receipt naming the stake as its bond, and has it published. The stake is then shielded in
// every round of every dispute it is ever drawn for: its own dispute costs it nothing (here its electorate's total is
// wrong: `invalid` for ever, never decided, so no instruction ever takes or even releases the stake, which stays
// locked, weighing in later electorates; an unanswered one, won by default, would cost nothing either). Committing the bond first is not the fix of the fourth review's after-the-fact
// dodge: a standing dodge made once works for ever. A stake should be shielded only while its bond's dispute can
// still take it (undecided at the round's close, or decided against its staker), or pay the penalty regardless.
import { describe, expect, it } from 'vitest';
import {
  absentJurors,
  absentPenalties,
  createDisputeOpened,
  type DisputeDrawnBody,
  type DisputeRound,
  readDispute,
  roundTimes,
  settlement,
} from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { at, buildWorld, custodialLock, disputeFlow, idOf, T } from '../disputes/fixture.js';
import { receiptAt } from '../fixtures/receipts.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe("an absent juror's stake named, beforehand, as the bond of its own idle dispute", () => {
  it('still pays the absent penalty', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    // Nobody votes: the whole panel is absent.
    const [answer, drawn] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
      extras: false,
    })) as [LedgerEvent, LedgerEvent];
    const panel = (drawn.body as unknown as DisputeDrawnBody).panel;
    const juror = world.jurors.find((j) => j.id === panel[0]) as AgentKey;
    // The juror's stake, locked after the electorate's moment and long before the round: 1 % of it is owed.
    const stake = custodialLock(world, juror, 100_000, T + 70, `standing shield ${juror.id}`);
    // The standing dodge, made at once: a receipt the juror holds as payer, a dispute on it with the stake as bond.
    const node = new SimNetwork({ seed: 'disputes' }).createNode('provider-node');
    const receipt = await receiptAt(world.provider, node, juror, T + 30, 20_000);
    const idle = createDisputeOpened(
      juror,
      {
        ...world.openedBody,
        receipt: idOf(receipt),
        bond: idOf(stake),
        claim: 'nothing, really',
        // A total the electorate does not have: the dispute is `invalid`, never decided, its bond never touched.
        jurors: { ...world.electorate, total: '1' },
      },
      { clock: at(T + 100) },
    );
    const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [
      ...world.base,
      stake,
      receipt,
      idle,
      world.opened,
      answer,
    ]);
    try {
      // Everything so far shown two hours before the deadline (the round opens at it), the draw just after.
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      await ledger.append(drawn);
      await witnessAt(ledger, world.custodian, answerBy + 600);
      const later = roundTimes(answerBy, 0).appealsClose + 30 * 86_400;
      const options = await reading(ledger, later);
      const view = await readDispute(ledger, dispute, later, options);
      expect(view.status).toBe('decided');
      expect(absentJurors(view.rounds[0] as DisputeRound)).toContain(juror.id);
      // The idle dispute settles nothing, ever: no instruction takes (or releases) the stake it names.
      const own = await readDispute(ledger, idOf(idle), later, options);
      expect(own.bond?.lock).toBe(idOf(stake));
      expect(own.status).toBe('invalid');
      expect(settlement(own)).toBeUndefined();
      // The attack: the stake pays nothing for the juror's absence.
      expect(await absentPenalties(ledger, view, options)).toContainEqual(
        expect.objectContaining({ lock: idOf(stake), staker: juror.id, action: 'settle' }),
      );
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
