// Eleventh review of issue 20 (the newest fix, 83b221a: a dispute bond counts only under a custodian the network
// accepts and never under its own staker; with witnesses, a bond's standing reads only the endings listed no later
// than its event).
// Attack: on a network that configures no `custodians` (the development default, `acceptsCustodian` accepts every
// custodian but the staker) the "never its own staker" rule is met by any second key of the party: the claimant
// opens with a bond whose custodian is a throwaway key of its own (`shadow`), a "hold" of nothing. The network names
// publication witnesses (here the fixture's usual configuration: witnesses, no custodians), so a release `shadow`
// dates back and publishes later is ignored, as the fix intends. But a bond stops counting another way the fix does
// not date: `readStake` counts, per (custodian, payment hash), the lock of lowest id, whatever was published when. A
// month after losing, `shadow` signs a rival `stake.locked` of the same payment over a fresh statement of the
// claimant, ground below the bond's id (a few tries), and publishes it: on every later read the opening's bond is no
// stake, the decided dispute reads `invalid`, and the provider's win (reputation, `disputeLosses`, bond instructions)
// is undone. The tenth review's panel re-roll works the same way (a shadow-held first appeal made not to count after
// its panel is seen). The tenth review's own test says the custodian rule closes the rival-lock path; it does so only
// where custodians are configured.
// Impact: on networks without configured custodians (every chain but `bitcoin`: regtest, signet, testnet
// deployments that configure seeds or witnesses only) the tenth review's attack stands unchanged, witnesses or not,
// and no bond put up there binds its party. docs/security.md presents the development default as accepting "every
// custodian (a bond's custodian still not its staker)", which reads as a protection it does not give. Medium (a
// development/test-network default, but one the fix's rule claims to cover and that the test fixtures use).
// Suggested fix: under the development default count no dispute bond (as on `bitcoin`: disputes need configured
// custodians), or say plainly that bonds there bind nothing; and/or, where witnesses show publication, let a rival
// lock unmake a bond only when listed no later than the dispute event that put the bond up (read the payment's first
// lock by publication for bonds, as endings now are).
// Fixed: where witnesses show publication and list the dispute event, a bond's lock is judged as its endings are
// (`bondStanding`, one publication-bounded read for both): a lower-id rival lock of the same custodian and payment
// unmakes the bond for that event only if listed no later than it (`readLock` gives the rivals); one listed later, or
// not yet, changes nothing, so the decided dispute stays decided. Without witnesses the limit stands and is stated in
// docs/security.md: there, without configured custodians, a bond binds nothing.
import { describe, expect, it } from 'vitest';
import { doubleSha256, toHex, utf8 } from '../../src/core/index.js';
import { createDisputeOpened, readDispute, roundTimes } from '../../src/disputes/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { at, buildWorld, disputeFlow, idOf, lockBy, T, type World } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

const PAYMENT = toHex(doubleSha256(utf8('a hold of nothing by a second key')));

/** A custodial lock of `staker`'s, signed by `holder` as its custodian, for PAYMENT. */
const lockOf = (holder: AgentKey, staker: AgentKey, created: number, sequence: number): LedgerEvent =>
  lockBy(holder, staker, { paymentHash: PAYMENT, amountSat: 2_000, created, sequence });

describe('a claimant whose opening bond is held by a second key of its own, on a witnessed network', () => {
  it('cannot undo its decided loss a month on by a rival lock of the same payment', async () => {
    const plain = await buildWorld({ verifier: verifier() });
    const shadow = generateAgentKey();
    const bond = lockOf(shadow, plain.payer, T + 60, 1);
    const openedBody = { ...plain.openedBody, bond: idOf(bond) };
    const opened = createDisputeOpened(plain.payer, openedBody, { clock: at(plain.opened.created) });
    const world: World = { ...plain, base: [...plain.base, bond], opened, openedBody };
    const dispute = idOf(opened);
    const round0 = roundTimes(openedBody.answerBy, 0);
    // Round 0: nobody votes, the claim is unproved; the payer does not appeal: the provider wins.
    const [answer, ...rest] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [...world.base, opened, answer]);
    try {
      await witnessAt(ledger, world.custodian, openedBody.answerBy - 7_200);
      await ledger.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesClose + 600);
      const later = round0.appealsClose + 30 * 86_400;
      const decided = await readDispute(ledger, dispute, later, await reading(ledger, later));
      // The fix's rule accepts the bond: its custodian is not its staker, and the network configures no custodians.
      expect(decided).toMatchObject({ status: 'decided', winner: 'respondent' });
      expect(decided.bond?.lock).toBe(idOf(bond));

      // A month on, the second key signs a rival lock of the same payment, ground below the bond's id.
      let rival: LedgerEvent | undefined;
      for (let sequence = 2; rival === undefined && sequence < 20_000; sequence++) {
        const candidate = lockOf(shadow, plain.payer, later, sequence);
        if (idOf(candidate) < idOf(bond)) rival = candidate;
      }
      if (rival === undefined) throw new Error('no rival lock ground below the bond');
      await ledger.append(rival);
      await witnessAt(ledger, world.custodian, later + 600);
      const after = await readDispute(ledger, dispute, later + 3_600, await reading(ledger, later + 3_600));
      // Today: `invalid` (the opening's bond is no stake any more), the provider's win undone.
      expect(after).toMatchObject({ status: 'decided', winner: 'respondent', decidedAt: decided.decidedAt });
      expect(after.bond?.lock).toBe(idOf(bond));
    } finally {
      await ledger.close();
    }
  }, 240_000);
});
