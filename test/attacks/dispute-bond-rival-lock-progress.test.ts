// Twelfth review of issue 20 (the newest fix, d9563f2: a bond's rival lock unmakes it for a dispute event only if
// listed no later than the event; `bondProgress` follows the counted lock's own ending).
// Attack: a dispute counts bond L (a lock of custodian C); the claimant loses and `settlement` tells C to settle L.
// C, colluding with the loser, then signs a rival `stake.locked` L' of the same payment ground below L's id (listed
// after the opening, so L still counts: the fix) and releases L' (`stake.released`): the hold is canceled, the sats go
// back to the loser. `bondProgress` reads only L's own endings, finds none and reports the instruction `owed` for ever,
// never `deviates`, though the one payment behind L has ended otherwise than instructed. `StakeCustodian.settle(L)`
// (and `settleDisputeBonds`) meanwhile refuses L with `NOT_FOUND`: it reads `readStake`, which skips a lock with a
// lower-id rival, so even an honest custodian process cannot carry out the settlement the ledger owes, and the loop
// stops before that custodian's other instructions of the dispute. Settlement, `bondProgress` and the custodian's
// settle thus disagree on one counted bond.
// Impact: low. It needs the custodian's equivocation (two locks for one payment hash, itself signed evidence, as the
// trust assumptions say), and a custodian may cancel any hold anyway; but the evidence `bondProgress` promises ("a
// custodian that moved sats otherwise shows as deviates") is evaded, the instruction reads as merely late.
// Suggested fix: have `bondProgress` read the endings of the payment (the counted lock's and its rivals', e.g. via
// `readLock` rivals and the payment index) and report `deviates` when the payment ended through another lock; have
// `StakeCustodian.settle`/`release({decided})` act on a lock a dispute counted even with a later rival (`readLock`),
// or make `settleDisputeBonds` report a refused instruction and go on with the others.
import { describe, expect, it } from 'vitest';
import { doubleSha256, toHex, utf8 } from '../../src/core/index.js';
import { bondProgress, createDisputeOpened, readDispute, roundTimes } from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import {
  createStakeLocked,
  createStakeReleased,
  createStakeStatement,
  readStake,
} from '../../src/stake/index.js';
import { at, buildWorld, disputeFlow, idOf, T, type World } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

const PAYMENT = toHex(doubleSha256(utf8('one payment, two locks')));

/** A custodial lock of `staker`'s, signed by `holder` as its custodian, for PAYMENT. */
function lockOf(holder: AgentKey, staker: AgentKey, created: number, sequence: number): LedgerEvent {
  return createStakeLocked(
    holder,
    {
      statement: createStakeStatement(
        staker,
        {
          custodian: holder.id,
          mode: 'custodial',
          paymentHash: PAYMENT,
          amountSat: 2_000,
          until: T + 10_000_000,
          sequence,
        },
        { clock: at(created) },
      ),
      expiryHeight: 10_000,
    },
    { clock: at(created) },
  );
}

describe('a counted losing bond whose payment its custodian ends through a later rival lock', () => {
  it('shows in bondProgress as deviating, not owed for ever', async () => {
    const plain = await buildWorld({ verifier: verifier() });
    const custodian = plain.custodian;
    const bond = lockOf(custodian, plain.payer, T + 60, 1);
    const openedBody = { ...plain.openedBody, bond: idOf(bond) };
    const opened = createDisputeOpened(plain.payer, openedBody, { clock: at(plain.opened.created) });
    const world: World = { ...plain, base: [...plain.base, bond], opened, openedBody };
    const dispute = idOf(opened);
    const round0 = roundTimes(openedBody.answerBy, 0);
    // Round 0: nobody votes, the claim is unproved; the payer does not appeal: the provider wins.
    const [answer, ...rest] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    // The custodian is the network's sole witness here (the fixture's usual configuration): it dates its own events.
    const witness = custodian;
    const witnessed = await witnessedDisputeLedger(verifier(), witness, [...world.base, opened, answer]);
    try {
      await witnessAt(witnessed, witness, openedBody.answerBy - 7_200);
      await witnessed.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(witnessed, witness, round0.votesClose + 600);
      const later = round0.appealsClose + 30 * 86_400;
      const options = await reading(witnessed, later);
      const decided = await readDispute(witnessed, dispute, later, options);
      expect(decided).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(decided.bond?.lock).toBe(idOf(bond));
      const owedBefore = (await bondProgress(witnessed, decided, options)).find(
        (p) => p.instruction.lock === idOf(bond),
      );
      expect(owedBefore).toMatchObject({ status: 'owed', instruction: { action: 'settle' } });

      // The custodian signs a rival lock of the bond's payment, ground below the bond's id, and releases it.
      let rival: LedgerEvent | undefined;
      for (let sequence = 2; rival === undefined && sequence < 20_000; sequence++) {
        const candidate = lockOf(custodian, plain.payer, later, sequence);
        if (idOf(candidate) < idOf(bond)) rival = candidate;
      }
      if (rival === undefined) throw new Error('no rival lock ground below the bond');
      await witnessed.append(rival);
      await witnessed.append(
        createStakeReleased(custodian, { lock: idOf(rival), reason: 'released' }, { clock: at(later + 60) }),
      );
      await witnessAt(witnessed, witness, later + 600);
      const now = later + 3_600;
      const after = await readDispute(witnessed, dispute, now, await reading(witnessed, now));
      // The fix holds: the bond still counts and is still owed to the respondent's side.
      expect(after).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(after.bond?.lock).toBe(idOf(bond));
      // The read `StakeCustodian.settle` acts on no longer finds the bond: its settle would be NOT_FOUND.
      expect(await readStake(witnessed, idOf(bond))).toBeUndefined();
      const progress = (await bondProgress(witnessed, after, await reading(witnessed, now))).find(
        (p) => p.instruction.lock === idOf(bond),
      );
      // Today: `owed` (the bond's own lock has no ending), though its one payment was released.
      expect(progress?.status).toBe('deviates');
    } finally {
      await witnessed.close();
    }
  }, 240_000);
});
