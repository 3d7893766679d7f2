// Tenth review of issue 20 (the newest fix, 7ef5d78: of a round's appeals by its loser the first published counts).
// Attack: the loop counts the first appeal in publication order *whose bond counts*, and whether a bond counts is read
// afresh on every read from the stake's endings by their claimed `created` (`bondLocked`: `locked` at the appeal's
// `created`). Nothing binds the stake's custodian to a network custodian: any agent signs `stake.locked` as the
// custodian its own statement names, so a loser can be the custodian of its own appeal bond (a "hold" of nothing).
// It appeals early in the window with such a bond (A1, listed by an honest witness), waits for A1's seed block and sees
// the appeal round's panel. If it likes it, it does nothing: A1 counts. If not, it signs, as its own custodian, a
// `stake.released` of that bond dated between the lock and A1's `created`, and a second appeal A2 (any counted bond,
// here one with the honest custodian) naming a fresh height, all published within the window. On every later read
// A1's bond was "released" before A1 was signed, so A1 stops counting and A2, the next in publication order, opens the
// round: the loser re-rolls the panel after seeing it, the very thing 7ef5d78 set out to stop, and a verdict read
// earlier (round 1 drawn from A1's block) is reversed by later events. The same backdated release also takes a first
// appeal that fails `unseeded` or `undrawn` out of its forfeit (its bond never counted), and the forfeit of a
// self-held bond is carried out by the loser itself, i.e. never. Second case: a claimant that opened with a self-held
// bond and lost, a month after its dispute was decided, "releases" that bond dated before the opening: the dispute
// turns `invalid` on every replica, the provider's win and the claimant's loss (reputation, `disputeLosses`) undone.
// Impact: a loser chooses the appeal round's panel among two or three draws per window (more allies among 11 or 23
// jurors), with witnesses configured and every witness honest; the winner's bonds and the outcome ride on it; any
// party undoes a decided loss at will, and no bond it puts up binds it. High.
// Suggested fix: count a dispute bond only under a network custodian (`acceptedStakes`, as stake weights do; on
// `bitcoin` none without `custodians` configured) and never a stake held by its own staker; and/or judge a bond's
// standing for a dispute event by the endings published (witness-listed) before that event was, so an ending dated
// back and shown later never unmakes a counted bond. The self-held custodian can also sign a rival lock of the same
// payment hash ground below the first (`readStake` then counts that one, not the bond): a rule on endings alone
// leaves that path open; the custodian rule closes both.
// Fixed: a dispute bond counts only under a custodian the network accepts (`acceptsCustodian`, the rule stake weights
// use: any but the staker itself under the development default, none on `bitcoin` without configured custodians,
// else the configured ones) and never when its custodian is its own staker, so a self-held bond never counts (its
// opening is `invalid` from the start, its appeal never opens a round). And where witnesses show publication, a bond's
// standing for a dispute event reads only the endings shown by that event's listing: a release an accepted custodian
// dates back and publishes later never unmakes a counted appeal or opening (the cases below with the network's
// custodian releasing). What a custodian can still do is in docs/security.md (threat model).
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { anchorEventTypes, witnessBatchType } from '../../src/anchor/index.js';
import { checkNetworkConfig, doubleSha256, toHex, utf8 } from '../../src/core/index.js';
import {
  createDisputeAppealed,
  createDisputeOpened,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { createStakeLocked, createStakeReleased, createStakeStatement } from '../../src/stake/index.js';
import {
  at,
  buildWorld,
  custodialLock,
  disputeFlow,
  disputeRegistry,
  idOf,
  T,
  type World,
} from '../disputes/fixture.js';
import { drawListedAppeal, reading, witnessAt } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/**
 * A ledger of `events` on a network that names the world's custodian (the only one it accepts) and that custodian as
 * its publication witness.
 */
async function custodiedLedger(world: World, events: readonly LedgerEvent[]): Promise<Ledger> {
  const base = disputeRegistry(verifier());
  const registry = new EventRegistry(
    [
      ...base.types().map((type) => base.get(type)),
      ...anchorEventTypes('regtest'),
      witnessBatchType([world.custodian.id]),
    ],
    checkNetworkConfig({
      chain: 'regtest',
      custodians: [world.custodian.id],
      witnesses: [world.custodian.id],
    }),
  );
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry });
  await ledger.importLines(events.map((e) => JSON.stringify(e)));
  return ledger;
}

/** A custodial "lock" `staker` signs as its own custodian: a hold of nothing, no payment held by anybody. */
function selfHeld(staker: AgentKey, amountSat: number, created: number, tag: string): LedgerEvent {
  return createStakeLocked(
    staker,
    {
      statement: createStakeStatement(
        staker,
        {
          custodian: staker.id,
          mode: 'custodial',
          paymentHash: toHex(doubleSha256(utf8(tag))),
          amountSat,
          until: T + 10_000_000,
          sequence: 7_000,
        },
        { clock: at(created) },
      ),
      expiryHeight: 10_000,
    },
    { clock: at(created) },
  );
}

/**
 * A's first appeal bond: `self`, a lock the payer signs as its own custodian (a hold of nothing); `custodian`, a lock
 * of the network's custodian, which later signs the backdated release for the payer (a colluding custodian).
 */
type Holder = 'self' | 'custodian';

describe.each<Holder>(['self', 'custodian'])('a loser whose appeal bond is held by %s', (holder) => {
  it('cannot unmake its first appeal, once it has seen that panel, by a release dated back', async () => {
    const world = await buildWorld({ verifier: verifier(), jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    const round1 = roundTimes(answerBy, 1);
    const [answer, ...rest] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    const ledger = await custodiedLedger(world, [...world.base, world.opened, answer]);
    try {
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      await ledger.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesClose + 600);

      // Round 0: nobody voted, the claim is unproved: the payer lost it. Its appeal bond: a "lock" it signs as its
      // own custodian (no payment anybody holds).
      const selfLock =
        holder === 'self'
          ? selfHeld(world.payer, 4_000, world.opened.created + 10, 'a hold of nothing')
          : custodialLock(world, world.payer, 4_000, world.opened.created + 10, 'a hold to be released');
      await ledger.append(selfLock);
      const signed = round0.revealsClose + 60;
      const first = createDisputeAppealed(
        world.payer,
        { dispute, round: 1, bond: idOf(selfLock), seedHeight: 900_500 },
        { clock: at(signed) },
      );
      await ledger.append(first);
      await witnessAt(ledger, world.custodian, signed + 1_800);
      const { seedTime: firstSeedTime } = await drawListedAppeal(
        ledger,
        world,
        dispute,
        1,
        first,
        signed + 1_800,
        51,
      );
      const drawnFirst = await readDispute(
        ledger,
        dispute,
        firstSeedTime + 1_800,
        await reading(ledger, firstSeedTime + 1_800),
      );
      // What every replica reads once the panel is known: A1 opens round 1, drawn from the block the payer saw.
      const counted = drawnFirst.appeals.map((appeal) => appeal.id);
      const panel = drawnFirst.rounds[1]?.panel;

      // The payer dislikes the panel: a second appeal with an honest bond, and its own bond "released" before A1.
      const reroll = firstSeedTime + 2 * 3_600;
      expect(reroll).toBeLessThan(round0.appealsClose);
      const bond = custodialLock(world, world.payer, 4_000, world.opened.created + 20, 'backdated reroll');
      const second = createDisputeAppealed(
        world.payer,
        { dispute, round: 1, bond: idOf(bond), seedHeight: 900_600 },
        { clock: at(reroll) },
      );
      const release = createStakeReleased(
        holder === 'self' ? world.payer : world.custodian,
        { lock: idOf(selfLock), reason: 'released' },
        { clock: at(signed - 1) },
      );
      await ledger.appendBatch([bond, second, release]);
      await witnessAt(ledger, world.custodian, reroll + 1_800);
      await drawListedAppeal(ledger, world, dispute, 1, second, reroll + 1_800, 52);

      const during = round1.votesOpen + 3 * 3_600;
      const view = await readDispute(ledger, dispute, during, await reading(ledger, during));
      expect(view.status).toBe('voting');
      // Whatever the fix, an appeal round read drawn must not move to a draw made after the loser saw it: the appeals
      // counted and the panel stay those read before the release and the second appeal were published (today A1
      // stops counting and A2's fresh panel sits). Where a self-held bond never counts (a fix by accepted
      // custodians), A1 never opened the round and A2, the first appeal whose bond counts, rightly does.
      if (counted.length > 0) {
        expect(view.appeals.map((appeal) => appeal.id)).toEqual(counted);
        expect(view.rounds[1]?.panel).toEqual(panel);
      } else expect(view.appeals.map((appeal) => appeal.id)).toEqual([idOf(second)]);
      // A self-held bond never counts; a bond of the network's custodian does, and its late release changes nothing.
      expect(counted).toEqual(holder === 'self' ? [] : [idOf(first)]);
    } finally {
      await ledger.close();
    }
  }, 240_000);
});

describe('a claimant who is the custodian of its own opening bond', () => {
  it('opens nothing: the dispute is invalid from the start, and stays so', async () => {
    const plain = await buildWorld({ verifier: verifier() });
    const selfLock = selfHeld(plain.payer, 2_000, T + 60, 'an opening held by its claimant');
    const openedBody = { ...plain.openedBody, bond: idOf(selfLock) };
    const opened = createDisputeOpened(plain.payer, openedBody, { clock: at(plain.opened.created) });
    const world: World = { ...plain, base: [...plain.base, selfLock], opened, openedBody };
    const dispute = idOf(opened);
    const ledger = await custodiedLedger(world, [...world.base, opened]);
    try {
      await witnessAt(ledger, world.custodian, opened.created + 600);
      const read = await readDispute(
        ledger,
        dispute,
        opened.created + 1_200,
        await reading(ledger, opened.created + 1_200),
      );
      expect(read.status).toBe('invalid');
      expect(read.bond).toBeUndefined();
      // A month on, the payer "releases", as its own custodian, the bond it opened with, dated before the opening.
      const later = openedBody.answerBy + 30 * 86_400;
      await ledger.append(
        createStakeReleased(plain.payer, { lock: idOf(selfLock), reason: 'released' }, { clock: at(T + 61) }),
      );
      await witnessAt(ledger, world.custodian, later + 600);
      const after = await readDispute(ledger, dispute, later + 3_600, await reading(ledger, later + 3_600));
      expect(after.status).toBe('invalid');
    } finally {
      await ledger.close();
    }
  }, 240_000);
});

describe('a claimant whose opening bond the network custodian releases dated back, a month after its loss', () => {
  it('cannot undo the decided dispute', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const dispute = idOf(world.opened);
    const { openedBody, opened } = world;
    const round0 = roundTimes(openedBody.answerBy, 0);
    // Round 0: nobody votes, the claim is unproved; the payer does not appeal: the provider wins.
    const [answer, ...rest] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    const ledger = await custodiedLedger(world, [...world.base, opened, answer]);
    try {
      await witnessAt(ledger, world.custodian, openedBody.answerBy - 7_200);
      await ledger.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesClose + 600);
      const later = round0.appealsClose + 30 * 86_400;
      const decided = await readDispute(ledger, dispute, later, await reading(ledger, later));
      expect(decided).toMatchObject({ status: 'decided', winner: 'respondent' });

      // A month on, the custodian (for the payer) "releases" the opening bond, dated before the opening.
      await ledger.append(
        createStakeReleased(
          world.custodian,
          { lock: openedBody.bond, reason: 'released' },
          { clock: at(world.bonds.payer.created + 1) },
        ),
      );
      await witnessAt(ledger, world.custodian, later + 600);
      const after = await readDispute(ledger, dispute, later + 3_600, await reading(ledger, later + 3_600));
      expect(after).toMatchObject({
        status: 'decided',
        winner: 'respondent',
        decidedAt: decided.decidedAt,
      });
      expect(after.bond?.lock).toBe(openedBody.bond);
    } finally {
      await ledger.close();
    }
  }, 240_000);
});
