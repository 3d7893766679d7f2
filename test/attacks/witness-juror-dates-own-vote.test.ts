// Fourth review of issue 20: a witness's batches do not date the events it signed (`publicationTimes`, the third
// review's fix), but a juror's vote is anonymous and its reveal is signed by a one-time payout key: neither has the
// witness as author. Under the default witnesses (custodians and seeds, the agents most likely to hold the weight a
// panel is drawn by) a witness drawn as a juror votes and reveals, lists both in its own batch anchored in time, and
// keeps them to itself. Once the round is final, it publishes them when it suits it (here: a month later, turning a
// claimant's 1-0 win into a 1-1 tie the respondent wins), and nobody else ever had to see them. A witness should not
// date, alone, the pieces of a round it sits on (its seat is public: it is on the drawn panel).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicationTimes } from '../../src/anchor/index.js';
import { HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import { type DisputeDrawnBody, disputeLosses, readDispute, roundTimes } from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { buildWorld, disputeFlow, idOf } from '../disputes/fixture.js';
import { witnessed } from '../fixtures/decision-anchor.js';
import { witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('a witness drawn as a juror', () => {
  it('cannot date its own withheld vote and reveal after the round was final', async () => {
    const world = await buildWorld({ verifier });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    // Seat 0 upholds the claim, seat 1 (a witness of the network) rejects it; nobody attests.
    const [answer, drawn, vote0, vote1, reveal0, reveal1] = (await disputeFlow(
      world,
      prover,
      verifier,
      ['upheld', 'rejected'],
      1,
      { extras: false, attend: false },
    )) as LedgerEvent[] as [LedgerEvent, LedgerEvent, LedgerEvent, LedgerEvent, LedgerEvent, LedgerEvent];
    const panel = (drawn.body as unknown as DisputeDrawnBody).panel;
    const juror = world.jurors.find((j) => j.id === panel[1]) as AgentKey;
    const ledger = await witnessedDisputeLedger(verifier, world.custodian, [], [juror.id]);
    const add = (events: readonly LedgerEvent[]) => ledger.importLines(events.map((e) => JSON.stringify(e)));
    try {
      await add([...world.base, world.opened, answer]);
      await add(await witnessed(ledger, world.custodian, answerBy - 7_200, 970_000));
      // Both witnesses list what they see (each dates the other's events: the custodian's stakes among them).
      await add(await witnessed(ledger, juror, answerBy - 7_200, 970_005));
      await add([drawn, vote0, reveal0]);
      await add(await witnessed(ledger, world.custodian, round0.votesClose + 600, 970_010));
      // The juror-witness lists its own vote and reveal in its batch, anchored in time, and shows nobody the events.
      await add(await witnessed(ledger, juror, round0.votesClose + 900, 970_020, [vote1, reveal1]));
      const later = round0.appealsClose + 30 * 86_400;
      const won = async () => {
        const read = { publication: await publicationTimes(ledger, later) };
        expect(await readDispute(ledger, dispute, later, read)).toMatchObject({
          status: 'decided',
          winner: 'claimant',
        });
        expect(await disputeLosses(ledger, later, read)).toEqual([
          { agent: world.provider.id, dispute, at: round0.appealsClose + HEADER_TIME_TOLERANCE },
        ]);
      };
      await won();
      // A month after the dispute was final, it publishes them.
      await add([vote1, reveal1]);
      // The attack: its own listing dates them in time; the round is now a tie, the claimant's win undone.
      await won();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
