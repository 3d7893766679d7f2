// The time rule of default losses: an unanswered dispute is lost by default only once its opening is anchored in a
// block dated at least the least answer period before its deadline, and then an answer counts only once anchored by
// 2 hours after the deadline. Real anchor events on a regtest ledger, no proofs.
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeAnchors, disputeEventCommitment } from '../../src/anchor/index.js';
import { ErrorCode, HEADER_TIME_TOLERANCE, utf8 } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  DISPUTE_TERMS,
  disputeLosses,
  openingTiming,
  readDispute,
  settlement,
} from '../../src/disputes/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve, Verifier } from '../../src/zk/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { at, buildWorld, idOf, type World } from './fixture.js';

let verifier: Verifier;
let world: World;
let dispute: string;
let answerBy: number;
/** The last block time at which the opening's anchor lets its respondent lose by default. */
let latest: number;

beforeAll(async () => {
  verifier = await Verifier.load();
  world = await buildWorld({ verifier, jurorCount: 2 });
  dispute = idOf(world.opened);
  answerBy = world.openedBody.answerBy;
  latest = answerBy - DISPUTE_TERMS.minAnswerPeriod;
}, 120_000);
afterAll(() => releaseCurve());

const recorder = generateAgentKey();

/** The anchor events of `subject`'s `commitment` in a regtest block at `height` dated `blockTime`. */
const anchor = (
  blockTime: number,
  height: number,
  commitment = disputeEventCommitment(dispute),
  subject = dispute,
) =>
  regtestAnchorOf(recorder, subject, commitment, blockTime, {
    height,
    bytes: (label) => sha256(utf8(`${height} ${label}`)),
  }).events;

async function ledgerOf(events: readonly LedgerEvent[]): Promise<Ledger> {
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: agoraRegistry({ network: 'regtest', verifier }),
  });
  await ledger.importLines(events.map((event) => JSON.stringify(event)));
  return ledger;
}

/** When an unanswered dispute turns final: an answer anchored by 2 hours after the deadline still counts. */
const final = () => answerBy + HEADER_TIME_TOLERANCE;

async function viewOf(ledger: Ledger, now = final()) {
  return readDispute(ledger, dispute, now, { anchors: await disputeAnchors(ledger, now) });
}

describe('a dispute opening anchored', () => {
  it('in time makes an unanswered dispute lost by default, whatever order the events arrive in', async () => {
    const events = [...world.base, world.opened, ...anchor(latest, 900_100)];
    for (const order of [events, [...events].reverse()]) {
      const ledger = await ledgerOf(order);
      expect(await viewOf(ledger)).toMatchObject({
        status: 'decided',
        winner: 'claimant',
        byDefault: true,
        openingAnchor: { blockTime: latest, height: 900_100 },
      });
      expect((await viewOf(ledger, answerBy - 1)).status).toBe('answering');
      expect((await viewOf(ledger, final() - 1)).status).toBe('answering');
      expect(
        await disputeLosses(ledger, final(), { anchors: await disputeAnchors(ledger, final()) }),
      ).toEqual([{ agent: world.provider.id, dispute, at: final() }]);
      await ledger.close();
    }
  });

  it('too late, or never, leaves nobody lost by default: void for good, or unanchored until an anchor in time', async () => {
    const ledger = await ledgerOf([...world.base, world.opened]);
    expect(await viewOf(ledger)).toMatchObject({
      status: 'unanchored',
      reason: expect.stringContaining('not anchored'),
    });
    await ledger.appendBatch(anchor(latest + 1, 900_200));
    const late = await viewOf(ledger);
    expect(late).toMatchObject({ status: 'void', decidedAt: final() });
    expect(late.winner).toBeUndefined();
    // Void: the claimant's bond goes back, nobody is paid, no loss counts.
    expect(settlement(late)).toEqual([
      expect.objectContaining({ lock: idOf(world.bonds.payer), action: 'release' }),
    ]);
    expect(await disputeLosses(ledger, final(), { anchors: await disputeAnchors(ledger, final()) })).toEqual(
      [],
    );
    // The earliest verified anchor counts: one in time at a lower height makes the late one moot.
    await ledger.appendBatch(anchor(latest, 900_150));
    expect(await viewOf(ledger)).toMatchObject({ status: 'decided', byDefault: true });
    await ledger.close();
  });

  it('counts only with the commitment of the opening itself; an anchor naming a receipt is refused', async () => {
    const ledger = await ledgerOf([...world.base, world.opened]);
    // A transaction committing to another event id, recorded as the opening's anchor: it matches nothing.
    await ledger.appendBatch(anchor(latest, 900_300, disputeEventCommitment(idOf(world.receipt))));
    expect((await disputeAnchors(ledger, 900_400)).has(dispute)).toBe(false);
    expect((await viewOf(ledger)).status).toBe('unanchored');
    const [committed] = anchor(
      latest,
      900_400,
      disputeEventCommitment(idOf(world.receipt)),
      idOf(world.receipt),
    );
    const refused = await rejectedAgoraError(ledger.append(committed as LedgerEvent), ErrorCode.InvalidEvent);
    expect(refused.message).toMatch(/not a proposal, a dispute opening, an answer or a witness batch/);
    await ledger.close();
  });
});

describe('an answer to a dispute', () => {
  const answer = () =>
    createDisputeAnswered(
      world.provider,
      { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.provider) },
      { clock: at(world.opened.created + 100) },
    );

  it('whose opening is anchored in time counts once anchored by 2 hours after the deadline, not later', async () => {
    const answered = answer();
    const ledger = await ledgerOf([...world.base, world.opened, ...anchor(latest, 900_500), answered]);
    // Stored, not anchored: it might be dated back and published late, so the default stands.
    expect(await viewOf(ledger)).toMatchObject({
      status: 'decided',
      byDefault: true,
      reason: expect.stringContaining('not anchored'),
    });
    await ledger.appendBatch(
      anchor(
        answerBy + HEADER_TIME_TOLERANCE + 1,
        900_600,
        disputeEventCommitment(idOf(answered)),
        idOf(answered),
      ),
    );
    expect((await viewOf(ledger)).byDefault).toBe(true);
    await ledger.appendBatch(
      anchor(
        answerBy + HEADER_TIME_TOLERANCE,
        900_550,
        disputeEventCommitment(idOf(answered)),
        idOf(answered),
      ),
    );
    const view = await viewOf(ledger);
    expect(view).toMatchObject({ status: 'drawing', answer: { id: idOf(answered) } });
    expect(view.byDefault).toBeUndefined();
    await ledger.close();
  });

  it('whose opening is not anchored counts on its claimed time: nobody can lose such a dispute by default', async () => {
    const ledger = await ledgerOf([...world.base, world.opened, answer()]);
    expect((await viewOf(ledger)).status).toBe('drawing');
    await ledger.close();
  });
});

describe('openingTiming', () => {
  it('lets a default loss count exactly when the block is dated at least the least answer period before the deadline', () => {
    const at = (blockTime: number) => ({ blockTime, height: 1, confirmation: 'c' });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: -86_400, max: 86_400 }),
        (deadline, offset) => {
          const blockTime = deadline - DISPUTE_TERMS.minAnswerPeriod + offset;
          const timing = openingTiming(deadline, at(blockTime));
          expect(timing.status).toBe(offset <= 0 ? 'in-time' : 'void');
        },
      ),
    );
    expect(openingTiming(answerBy, undefined).status).toBe('waiting');
  });
});
