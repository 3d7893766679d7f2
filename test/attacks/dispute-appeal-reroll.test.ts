// Ninth review of issue 20 (found while reviewing the forfeit fixes; the rule itself predates them). Of several
// appeals of one round by its loser, `readDispute` counts the one with the lowest id (`of('dispute.appealed')` in id
// order, the first whose bond counts). The appeal window lasts a day (`appealPeriod`), and an appeal's seed block only
// has to be dated `seedBlockDelay` (4 h) after the appeal's publication: a loser appealing early in the window sees its
// seed block mined, and with it the round's panel (`drawFor`: a function of the block hash, the dispute and the round),
// hours before the window closes. If the panel does not suit it, it locks a second bond (only liquidity: the first
// appeal stops counting, so its bond gets no instruction and is released), signs a second appeal ground for an id below
// the first (a couple of tries by its `created`) naming a fresh height, and publishes it within the window. The second
// appeal counts, the first is forgotten: the loser re-rolls the appeal round's panel after seeing it, two or three times
// within one window, and keeps the draw it likes. "Choose the panel (drawn from a block hash)" is what the threat model
// says a party cannot do. Impact: an appellant with allies in the electorate raises its odds of a friendly majority on
// an 11- or 23-juror panel; the winner's bonds and the outcome ride on a panel the loser picked. Medium.
// Suggested fix: the appeal that counts for a round is the first published (by its witness listing, as `bondOwner`
// orders bond uses; then the earliest `created`, then the lowest id), so an appeal published after another one's seed
// block could be known never replaces it; without witnesses, the earliest `created` (claimed, as elsewhere).
// Fixed: of the loser's appeals of a round, `readDispute` counts the first published, in the one order `bondOwner`
// orders a bond's uses by (`publishedFirst`: witness listing, then `created`, then id). The later appeal counts for
// nothing (its bond gets no instruction); the first keeps its round, its panel and its bond (forfeit included).
import { describe, expect, it } from 'vitest';
import { createDisputeAppealed, readDispute, roundTimes } from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { at, buildWorld, custodialLock, disputeFlow, idOf } from '../disputes/fixture.js';
import { drawListedAppeal, reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe('a loser who has seen its appeal round panel', () => {
  it('cannot replace its appeal by a later one with a lower id and a fresh seed height', async () => {
    const world = await buildWorld({ verifier: verifier(), jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    const round1 = roundTimes(answerBy, 1);
    // Round 0: nobody votes, the claim is unproved: the payer (claimant) lost it.
    const [answer, ...rest] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [
      ...world.base,
      world.opened,
      answer,
    ]);
    try {
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      await ledger.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesClose + 600);

      // An honest-looking appeal, a minute into the window, listed 30 minutes later.
      const signed = round0.revealsClose + 60;
      const first = createDisputeAppealed(
        world.payer,
        { dispute, round: 1, bond: idOf(world.bonds.payerAppeal), seedHeight: 900_500 },
        { clock: at(signed) },
      );
      await ledger.append(first);
      await witnessAt(ledger, world.custodian, signed + 1_800);
      // Its seed block comes 5 hours after the listing (well past the delay), 18 hours before the window closes.
      const { panel: seen, seedTime: firstSeedTime } = await drawListedAppeal(
        ledger,
        world,
        dispute,
        1,
        first,
        signed + 1_800,
        41,
      );
      const drawnFirst = await readDispute(ledger, dispute, firstSeedTime + 1_800, {
        ...(await reading(ledger, firstSeedTime + 1_800)),
      });
      expect(drawnFirst.rounds[1]?.panel).toEqual(seen);

      // The payer has seen the panel and dislikes it: a second bond, a second appeal ground below the first's id.
      const reroll = firstSeedTime + 2 * 3_600;
      expect(reroll).toBeLessThan(round0.appealsClose);
      const bond = custodialLock(world, world.payer, 4_000, world.opened.created + 10, 'appeal reroll');
      await ledger.append(bond);
      let second: LedgerEvent | undefined;
      for (let k = 0; second === undefined; k++) {
        const candidate = createDisputeAppealed(
          world.payer,
          { dispute, round: 1, bond: idOf(bond), seedHeight: 900_600 },
          { clock: at(reroll + k) },
        );
        if (idOf(candidate) < idOf(first)) second = candidate;
      }
      await ledger.append(second);
      await witnessAt(ledger, world.custodian, second.created + 1_800);
      await drawListedAppeal(ledger, world, dispute, 1, second, second.created + 1_800, 42);

      const during = round1.votesOpen + 3 * 3_600;
      const view = await readDispute(ledger, dispute, during, await reading(ledger, during));
      expect(view.status).toBe('voting');
      // The attack: the later appeal counts, its panel drawn from a block mined after the payer saw the first panel.
      expect(view.appeals.map((appeal) => appeal.id)).toEqual([idOf(first)]);
      expect(view.rounds[1]?.openedBy).toBe(idOf(first));
      expect(view.rounds[1]?.panel).toEqual(seen);
    } finally {
      await ledger.close();
    }
  }, 240_000);
});
