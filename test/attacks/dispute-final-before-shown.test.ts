// Seventh review of issue 20: every deadline's verdict waits for its grace (2 hours, Bitcoin's header tolerance) and no
// longer, but a piece shown "by the deadline plus the grace" is dated by its witness batch's anchor block, and reaches
// a replica only after that: a witness round, the block, the anchor's confirmation (6 blocks, about an hour, on
// `bitcoin`) and sync take time. Readers at the grace's end read final a dispute whose in-time pieces they cannot hold
// yet. With the forfeit (an appeal round failing `undrawn` forfeits its bond, sixth review) this punishes an honest
// appellant: its round's draw, shown by a witness an hour and fifty minutes after voting closed, within the grace,
// has not arrived when the grace ends; the dispute reads `decided`, the appeal `forfeited`, the appellant's bonds
// settled to the winner and the appealed round's jurors (the custodian's `dispute settle` acts on it). Once the
// listing arrives the round is drawn, the appeal stands, and the same dispute, re-read, is decided the other way:
// every instruction of a dispute read final changes. The same holds for an appeal shown within its grace (the
// winner's bonds released first), and for the default loss (dispute-default-before-grace). Fix: a dispute becomes
// final only once a verdict's deadline plus the grace is behind the followed chain's settled tip (a settled block
// dated after it: every publication dated by then is then confirmed, if it ever is), or a margin covering a witness
// round and the confirmations; until then it reads as waiting.
import { describe, expect, it } from 'vitest';
import { HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import {
  createDisputeAppealed,
  createDisputeDrawn,
  drawFor,
  readDispute,
  roundTimes,
  settlement,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { at, buildWorld, disputeFlow, idOf, regtestHeader } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/**
 * The scenario above, read at the grace's end with `settled(now)` added to the reading (the followed chain's settled
 * median time, as `disputeTimes` gives it on a ledger with a checkpoint; nothing without one).
 */
async function drawShownWithinGrace(settled: (now: number) => { settledTime?: number }) {
  const world = await buildWorld({ verifier: verifier(), jurorCount: 17 });
  const dispute = idOf(world.opened);
  const { answerBy } = world.openedBody;
  const round0 = roundTimes(answerBy, 0);
  const round1 = roundTimes(answerBy, 1);
  // Round 0: three jurors uphold the payer's claim; the provider lost it.
  const [answer, ...rest] = (await disputeFlow(
    world,
    await panelProver(),
    verifier(),
    ['upheld', 'upheld', 'upheld'],
    1,
    { extras: false },
  )) as [LedgerEvent, ...LedgerEvent[]];
  const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [
    ...world.base,
    world.opened,
    answer,
  ]);
  try {
    await witnessAt(ledger, world.custodian, answerBy - 7_200);
    await ledger.importLines(rest.map((e) => JSON.stringify(e)));
    await witnessAt(ledger, world.custodian, round0.votesClose + 600);
    // The provider appeals at once, with the bond the rule asks and a height mined well inside the voting window.
    const appeal = createDisputeAppealed(
      world.provider,
      { dispute, round: 1, bond: idOf(world.bonds.providerAppeal), seedHeight: 900_100 },
      { clock: at(round0.revealsClose + 60) },
    );
    await ledger.append(appeal);
    await witnessAt(ledger, world.custodian, round0.revealsClose + 600);
    // Its seed block comes late in the window (blocks are random); the provider draws at once.
    const header = regtestHeader(7, round1.votesClose - 1_800);
    const panel = await drawFor(ledger, dispute, 1, header, await reading(ledger, round1.votesOpen));
    const drawn = createDisputeDrawn(
      world.provider,
      { dispute, round: 1, appeal: idOf(appeal), header, panel },
      { clock: at(round1.votesClose - 1_500) },
    );
    await ledger.append(drawn);
    // Ten minutes after the grace: the witness's listing of the draw (its anchor's block dated 1 h 50 after
    // voting closed, within the grace) is not in this ledger yet (its confirmations are still coming).
    const end = round1.votesClose + HEADER_TIME_TOLERANCE + 600;
    const early = await readDispute(ledger, dispute, end, {
      ...(await reading(ledger, end)),
      ...settled(end),
    });
    const earlyBonds = settlement(early);
    await witnessAt(ledger, world.custodian, round1.votesClose + HEADER_TIME_TOLERANCE - 600);
    const later = roundTimes(answerBy, 2).appealsClose + 86_400;
    const view = await readDispute(ledger, dispute, later, {
      ...(await reading(ledger, later)),
      ...settled(later),
    });
    // Shown in time, the draw counts: the appeal round was drawn (nobody voted: the claim unproved, the provider
    // wins) and the appeal was never forfeited.
    expect(view).toMatchObject({ status: 'decided', winner: 'respondent' });
    expect(view.forfeited).toBeUndefined();
    // The attack: at the grace's end the dispute read final the other way, the provider's bonds (its appeal bond
    // forfeited) to settle to the payer and round 0's jurors.
    expect(early.status).not.toBe('decided');
    expect(earlyBonds).toBeUndefined();
  } finally {
    await ledger.close();
  }
}

describe("an appeal round's draw shown within the grace", () => {
  it('does not find its appeal forfeited and the dispute final before it could arrive, on a ledger following a chain', async () => {
    // The settled tip's median time an hour and more behind `now`, less than the grace's end ten minutes after it:
    // the listing's block (dated 10 minutes before the grace's end) is not settled yet. A month on, far past it.
    await drawShownWithinGrace((now) => ({ settledTime: now - HEADER_TIME_TOLERANCE - 3_600 }));
  }, 240_000);

  // Without a followed chain (a network without a checkpoint: development, the simulator) nothing tells a reader
  // that listings dated within the grace are still on their way: it reads the dispute final at the grace's end.
  // Open (docs/security.md, "Known and not yet fixed"): passes while the attack works.
  it.fails('does not find its appeal forfeited and the dispute final before it could arrive, without a chain', async () => {
    await drawShownWithinGrace(() => ({}));
  }, 240_000);
});
