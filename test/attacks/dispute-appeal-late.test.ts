// Review of the dispute time rule: an appeal's window was its claimed time (`dispute.appealed` was checked on
// `created` alone). The respondent loses the panel's round, locks its appeal bond within the appeal window (the
// custodian dates the lock) and keeps the appeal to itself. The dispute becomes final, is counted by
// `blacklist-dispute-losers` and settled; later the respondent publishes the appeal, dated inside the window: the
// dispute reopened on a round whose windows, counted from the deadline, were all behind it, so no juror could sit, and
// a claim nobody upheld in the appeal failed: the loss turned into a win. Likewise a juror's vote (and its reveal)
// withheld until the dispute was final changed the round's outcome. Fixed: where the network names publication
// witnesses, an appeal, a juror vote and a reveal count only if a witness shows them by their window's close plus 2
// hours (`ReadDisputeOptions.publication`). Juror proofs: listed in SLOW_FILES.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import {
  createDisputeAppealed,
  type DisputeRevealedBody,
  disputeLosses,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeFlow, idOf } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

/**
 * A dispute whose round the claimant wins, on a ledger whose custodian is the network's witness: the witness shows the
 * opening and answer before the deadline, the votes and reveals (all but `withheld`) ten minutes after voting closed.
 */
async function wonRound(
  choices: readonly ('upheld' | 'rejected')[],
  withheld: (events: LedgerEvent[]) => LedgerEvent[],
) {
  const world = await buildWorld({ verifier });
  const dispute = idOf(world.opened);
  const round0 = roundTimes(world.openedBody.answerBy, 0);
  const flow = await disputeFlow(world, prover, verifier, choices, 1, { extras: false });
  const [answer, ...rest] = flow as [LedgerEvent, ...LedgerEvent[]];
  const ledger = await witnessedDisputeLedger(verifier, world.custodian, [
    ...world.base,
    world.opened,
    answer,
  ]);
  await witnessAt(ledger, world.custodian, world.openedBody.answerBy - 7_200);
  const kept = withheld(rest);
  await ledger.importLines(rest.filter((e) => !kept.includes(e)).map((e) => JSON.stringify(e)));
  await witnessAt(ledger, world.custodian, round0.votesClose + 600);
  const later = round0.appealsClose + 30 * 86_400;
  const stillWon = async () => {
    const read = await reading(ledger, later);
    expect(await readDispute(ledger, dispute, later, read)).toMatchObject({
      status: 'decided',
      winner: 'claimant',
    });
    expect(await disputeLosses(ledger, later, read)).toEqual([
      { agent: world.provider.id, dispute, at: round0.appealsClose + HEADER_TIME_TOLERANCE },
    ]);
  };
  await stillWon();
  return { world, dispute, round0, ledger, later, kept, stillWon };
}

describe('a dispute piece dated inside its window, published after the dispute was final', () => {
  it('an appeal does not reopen the dispute', async () => {
    const { world, dispute, round0, ledger, later, stillWon } = await wonRound(
      ['upheld', 'upheld'],
      () => [],
    );
    try {
      // A month after the dispute became final, the provider publishes an appeal dated inside the appeal window; the
      // witness shows it as soon as it sees it.
      await ledger.append(
        createDisputeAppealed(
          world.provider,
          { dispute, round: 1, bond: idOf(world.bonds.providerAppeal), seedHeight: 900_100 },
          { clock: at(round0.revealsClose + 10) },
        ),
      );
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the final loss is reopened (drawing; once anyone records the draw, no juror can vote in windows
      // already past and the respondent wins).
      await stillWon();
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('a juror vote and its reveal do not change the round', async () => {
    // The second juror votes against the claim in time but keeps its vote and reveal: alone, the upheld vote wins.
    const second = (events: LedgerEvent[]) => {
      const vote = events.filter((e) => e.type === 'dispute.vote')[1] as LedgerEvent;
      const reveal = events.find(
        (e) =>
          e.type === 'dispute.revealed' && (e.body as unknown as DisputeRevealedBody).vote === idOf(vote),
      ) as LedgerEvent;
      return [vote, reveal];
    };
    const { world, ledger, later, kept, stillWon } = await wonRound(['upheld', 'rejected'], second);
    try {
      expect(kept).toHaveLength(2);
      // A month later it publishes both (the tie would leave the claim unproved); the witness shows them then.
      await ledger.importLines(kept.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, later - 3_600);
      await stillWon();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
