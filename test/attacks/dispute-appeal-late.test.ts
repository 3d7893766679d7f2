// Review of the dispute time rule: the opening and the answer are measured on Bitcoin's clock, but an appeal's window
// is its claimed time (`dispute.appealed` is checked on `created` alone). The respondent loses the panel's round,
// locks its appeal bond within the appeal window (the custodian dates the lock) and keeps the appeal to itself. The
// dispute becomes final, is counted by `blacklist-dispute-losers` and settled; later the respondent publishes the
// appeal, dated inside the window: the dispute reopens on a round whose windows, counted from the deadline, are all
// behind it, so no juror can sit, and a claim nobody upheld in the appeal fails: the loss turns into a win.
// Open: `it.fails` (it passes while the attack works; run as a plain `it`, it fails on the attack assertion).
// Two juror proofs: listed in SLOW_FILES.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDisputeAppealed, disputeLosses, readDispute, roundTimes } from '../../src/disputes/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeFlow, idOf, ledgerWith } from '../disputes/fixture.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('an appeal dated inside its window, published after the dispute was final', () => {
  it.fails('does not reopen the dispute', async () => {
    const world = await buildWorld({ verifier });
    const dispute = idOf(world.opened);
    const round0 = roundTimes(world.openedBody.answerBy, 0);
    const flow = await disputeFlow(world, prover, verifier, ['upheld', 'upheld'], 1, { extras: false });
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, ...flow]);
    try {
      const later = round0.appealsClose + 30 * 86_400;
      expect(await readDispute(ledger, dispute, later)).toMatchObject({
        status: 'decided',
        winner: 'claimant',
      });
      expect(await disputeLosses(ledger, later)).toEqual([
        { agent: world.provider.id, dispute, at: round0.appealsClose },
      ]);

      // A month after the dispute became final, the provider publishes an appeal dated inside the appeal window.
      await ledger.append(
        createDisputeAppealed(
          world.provider,
          { dispute, round: 1, bond: idOf(world.bonds.providerAppeal), seedHeight: 900_100 },
          { clock: at(round0.revealsClose + 10) },
        ),
      );
      // The attack: the final loss is reopened (drawing; once anyone records the draw, no juror can vote in windows
      // already past and the respondent wins).
      expect(await readDispute(ledger, dispute, later)).toMatchObject({
        status: 'decided',
        winner: 'claimant',
      });
      expect(await disputeLosses(ledger, later)).toEqual([
        { agent: world.provider.id, dispute, at: round0.appealsClose },
      ]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
