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
// Fix: `bondProgress` also reads the endings of the other locks of the bond's payment (`otherLockEndings`, through
// the payment index) and reports `deviates` when any of them ended; `settleDisputeBonds` reports a counted bond that
// is no stake to its custodian (`refused`) and carries out the custodian's other instructions. The custodian itself
// still acts only on locks its stake reads count: widening what it may end was the larger, riskier change.
import { describe, expect, it } from 'vitest';
import { doubleSha256, ErrorCode, ManualClock, toHex, utf8 } from '../../src/core/index.js';
import {
  bondProgress,
  createDisputeOpened,
  readDispute,
  roundTimes,
  settleDisputeBonds,
} from '../../src/disputes/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import {
  createStakeLocked,
  createStakeReleased,
  createStakeStatement,
  readStake,
  StakeCustodian,
  type StakeRecord,
} from '../../src/stake/index.js';
import { bondedDispute, bondedNetwork } from '../disputes/bonded-dispute.js';
import { at, buildWorld, disputeFlow, idOf, lockBy, T, type World } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

const PAYMENT = toHex(doubleSha256(utf8('one payment, two locks')));

/** A custodial lock of `staker`'s, signed by `holder` as its custodian, for PAYMENT. */
const lockOf = (holder: AgentKey, staker: AgentKey, created: number, sequence: number): LedgerEvent =>
  lockBy(holder, staker, { paymentHash: PAYMENT, amountSat: 2_000, created, sequence });

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
      await witnessAt(witnessed, witness, later + 300);

      await witnessed.append(
        createStakeReleased(custodian, { lock: idOf(rival), reason: 'released' }, { clock: at(later + 960) }),
      );
      await witnessAt(witnessed, witness, later + 1_200);
      const now = later + 3_600;
      const after = await readDispute(witnessed, dispute, now, await reading(witnessed, now));
      // The fix holds: the bond still counts and is still owed to the respondent's side.
      expect(after).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(after.bond?.lock).toBe(idOf(bond));
      // The read `StakeCustodian.settle` acts on no longer finds the bond: its settle would be NOT_FOUND.
      expect(await readStake(witnessed, idOf(bond))).toBeUndefined();
      const progress = await bondProgress(witnessed, after, await reading(witnessed, now));
      // The bond's own lock has no ending, but its one payment was released through the rival: not owed, deviating.
      expect(progress.find((p) => p.instruction.lock === idOf(bond))?.status).toBe('deviates');
    } finally {
      await witnessed.close();
    }
  }, 240_000);

  it("is reported by the custodian's settlement, which still moves the dispute's other bonds", async () => {
    const clock = new ManualClock(T * 1000);
    const { custodianNode, payerNode, providerNode, jurors } = bondedNetwork(clock, 'rival-lock-progress');
    const [payer, provider, custodianKey] = [generateAgentKey(), generateAgentKey(), generateAgentKey()];
    // The custodian is the network's sole witness: it lists the opening and answer in time, then the draw.
    const ledger = await witnessedDisputeLedger(verifier(), custodianKey);
    try {
      const custodian = await StakeCustodian.open({
        key: custodianKey,
        backend: custodianNode,
        ledger,
        clock,
      });
      const { dispute, final, bonds } = await bondedDispute(
        {
          ledger,
          clock,
          custodian,
          custodianKey,
          payer: { key: payer, node: payerNode },
          provider: { key: provider, node: providerNode },
          jurors,
          witness: (blockTime) => witnessAt(ledger, custodianKey, blockTime),
        },
        T,
      );
      // A day after the dispute is final (past the grace in which a witness may still show an appeal), the custodian's
      // key signs a rival lock of the payer's bond, ground below it, listed after the dispute events.
      const later = final + 86_400;
      const held = (await readStake(ledger, bonds.payer)) as StakeRecord;
      let rival: LedgerEvent | undefined;
      for (let sequence = 1; rival === undefined && sequence < 20_000; sequence++) {
        const statement = createStakeStatement(payer, { ...held.statement, sequence }, { clock: at(later) });
        const candidate = createStakeLocked(
          custodianKey,
          { statement, expiryHeight: held.expiryHeight },
          { clock: at(later) },
        );
        if (idOf(candidate) < bonds.payer) rival = candidate;
      }
      if (rival === undefined) throw new Error('no rival lock ground below the bond');
      await ledger.append(rival);
      await witnessAt(ledger, custodianKey, later + 300);
      const now = later + 600;
      clock.set(now * 1000);
      const options = await reading(ledger, now);
      const view = await readDispute(ledger, dispute, now, options);
      expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(view.bond?.lock).toBe(bonds.payer);
      const owed = await bondProgress(ledger, view, options);
      expect(owed).toHaveLength(7);
      expect(owed.map((p) => p.status)).toEqual(owed.map(() => 'owed'));

      // Its process never acts on a lock its stake reads skip: the bond is reported, every other bond moves.
      const { recorded, refused } = await settleDisputeBonds(custodian, ledger, dispute, now, options);
      expect(refused.map(({ instruction, error }) => [instruction.lock, error.code])).toEqual([
        [bonds.payer, ErrorCode.NotFound],
      ]);
      expect(recorded).toHaveLength(owed.length - 1);
      const after = await bondProgress(ledger, view, options);
      expect(after.map((p) => [p.instruction.lock === bonds.payer, p.status])).toEqual(
        after.map((p) => (p.instruction.lock === bonds.payer ? [true, 'owed'] : [false, 'done'])),
      );
    } finally {
      await ledger.close();
    }
  }, 240_000);
});
