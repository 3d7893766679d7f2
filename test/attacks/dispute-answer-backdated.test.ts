// A respondent that let a dispute lapse publishes, days after its deadline, an answer it dates inside the answer
// period (its counter-bond locked back then): counted on its claimed time, the answer undoes the default loss after
// the fact, and the round it opens has its windows behind it: no juror can vote, and a claim nobody upheld fails.
// Fixed: once the opening is anchored in time, an answer counts only once anchored by 2 hours after the deadline
// (`answerInTime`).
//
// Second review of the time rule: the anchor proves the answer existed by the deadline, not that anyone saw it. The
// respondent anchors its answer before the deadline and keeps both to itself; the claimant wins by default, the
// bonds are settled; after the appeal window the respondent publishes answer and anchor, and the final default loss
// was undone (the dispute back to drawing a panel whose windows are behind it). Fixed: where the network names
// publication witnesses, an answer counts only if a witness shows it by 2 hours after the deadline. And the mirror:
// an opening anchored early but shown to nobody until its deadline is not lost by default (its answer period runs
// from its publication).
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeAnchors, disputeEventCommitment, publicationTimes } from '../../src/anchor/index.js';
import { HEADER_TIME_TOLERANCE, utf8 } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  DISPUTE_TERMS,
  disputeLosses,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve, Verifier } from '../../src/zk/index.js';
import { at, buildWorld, idOf } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await Verifier.load();
}, 60_000);

afterAll(() => releaseCurve());

const bytes = (label: string) => sha256(utf8(label));

/**
 * A dispute whose opening is anchored in time and that nobody answered: lost by default, final. `run` gets
 * `publish`, which adds events after its appeal window, and `stillLost`, which checks the default loss stands.
 */
async function lostByDefault(
  run: (
    world: Awaited<ReturnType<typeof buildWorld>>,
    late: {
      publish: (events: LedgerEvent[]) => Promise<void>;
      stillLost: () => Promise<void>;
    },
  ) => Promise<void>,
) {
  const world = await buildWorld({ verifier, jurorCount: 2 });
  const dispute = idOf(world.opened);
  const { answerBy } = world.openedBody;
  // The custodian is the network's publication witness.
  const ledger = await witnessedDisputeLedger(verifier, world.custodian);
  try {
    const anchor = regtestAnchorOf(
      world.custodian,
      dispute,
      disputeEventCommitment(dispute),
      answerBy - DISPUTE_TERMS.minAnswerPeriod,
      { height: 900_000, bytes },
    );
    await ledger.importLines([...world.base, world.opened, ...anchor.events].map((e) => JSON.stringify(e)));
    // The witness shows the opening in the same block as its anchor.
    await witnessAt(ledger, world.custodian, answerBy - DISPUTE_TERMS.minAnswerPeriod);
    const final = roundTimes(answerBy, 0).appealsClose;
    const stillLost = async () => {
      const anchors = { ...(await reading(ledger, final)), anchors: await disputeAnchors(ledger, final) };
      expect(await readDispute(ledger, dispute, final, anchors)).toMatchObject({
        status: 'decided',
        winner: 'claimant',
        byDefault: true,
      });
      expect(await disputeLosses(ledger, final, anchors)).toEqual([
        { agent: world.provider.id, dispute, at: answerBy + HEADER_TIME_TOLERANCE },
      ]);
    };
    await stillLost();
    await run(world, {
      publish: async (events) => {
        await ledger.importLines(events.map((e) => JSON.stringify(e)));
        // The witness shows what it sees, when it sees it.
        await witnessAt(ledger, world.custodian, final + 3_600);
      },
      stillLost,
    });
  } finally {
    await ledger.close();
  }
}

/** The provider's answer, dated a minute after the opening. */
const answerOf = (world: Awaited<ReturnType<typeof buildWorld>>) =>
  createDisputeAnswered(
    world.provider,
    { dispute: idOf(world.opened), evidence: 'served as paid', bond: idOf(world.bonds.provider) },
    { clock: at(world.opened.created + 60) },
  );

describe('an answer dated inside the answer period and published after the voting windows', () => {
  it('does not undo the default loss of a dispute whose opening was anchored in time', async () => {
    await lostByDefault(async (world, late) => {
      // Days later, the provider's answer, unanchored.
      await late.publish([answerOf(world)]);
      await late.stillLost();
    });
  }, 120_000);

  it('anchored before the deadline but withheld until then, does not undo a final default loss', async () => {
    await lostByDefault(async (world, late) => {
      const answer = answerOf(world);
      const id = idOf(answer);
      // Anchored an hour before the deadline, published after the appeal window (the bonds settled by then).
      const anchor = regtestAnchorOf(
        world.provider,
        id,
        disputeEventCommitment(id),
        world.openedBody.answerBy - 3_600,
        {
          height: 900_010,
          bytes: (label) => bytes(`answer ${label}`),
        },
      );
      await late.publish([answer, ...anchor.events]);
      // The attack: the default loss, final and paid out, is undone.
      await late.stillLost();
    });
  }, 120_000);
});

/** The claimant's anchor of its opening, in a block dated twice the least answer period before the deadline. */
const earlyAnchor = (world: Awaited<ReturnType<typeof buildWorld>>) =>
  regtestAnchorOf(
    world.payer,
    idOf(world.opened),
    disputeEventCommitment(idOf(world.opened)),
    world.openedBody.answerBy - 2 * DISPUTE_TERMS.minAnswerPeriod,
    { height: 900_000, bytes },
  );

describe('an opening anchored early, shown to nobody until its deadline', () => {
  it('is not lost by default: its answer period runs from its publication', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const ledger = await witnessedDisputeLedger(verifier, world.custodian, world.base);
    try {
      await witnessAt(ledger, world.custodian, answerBy - 2 * DISPUTE_TERMS.minAnswerPeriod);
      // The claimant anchors its opening well before the deadline, and publishes both a minute before it.
      const anchor = earlyAnchor(world);
      await ledger.importLines([world.opened, ...anchor.events].map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, answerBy - 60);
      const final = roundTimes(answerBy, 0).appealsClose;
      const read = { ...(await reading(ledger, final)), anchors: await disputeAnchors(ledger, final) };
      // The attack: the provider, who could not see it, loses by default and is blacklisted.
      expect(await readDispute(ledger, dispute, final, read)).toMatchObject({ status: 'void' });
      expect(await disputeLosses(ledger, final, read)).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('nor on a network without witnesses, whatever its anchors', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ network: 'regtest', verifier }),
    });
    try {
      const anchor = earlyAnchor(world);
      await ledger.importLines([...world.base, world.opened, ...anchor.events].map((e) => JSON.stringify(e)));
      const final = roundTimes(answerBy, 0).appealsClose;
      const read = {
        anchors: await disputeAnchors(ledger, final),
        publication: await publicationTimes(ledger, final),
      };
      expect(await readDispute(ledger, dispute, final, read)).toMatchObject({ status: 'unanchored' });
      expect(await disputeLosses(ledger, final, read)).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
