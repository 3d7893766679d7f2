// Seventh review of issue 20: with publication witnesses an answer counts when a witness shows it by the answer
// deadline plus 2 hours (`answerInTime`, the grace), yet `readDispute` decides an unanswered dispute by default at the
// deadline itself: from `answerBy` until the answer's listing arrives, every reader sees it `decided` for the claimant,
// `byDefault`, `decidedAt: answerBy` (and, when the opening was shown late, `void`, every bond released). An honest
// respondent answering in the last hour (a witness round and a block take time: its answer is listed after the
// deadline, as the rules allow) meets a dispute already final: the custodian's `agora dispute settle` releases the
// claimant's bond, `disputeLosses` counts the provider's loss and `blacklist-dispute-losers` fires on it; once the
// listing arrives the same dispute reads `drawing`, the bond it may lose already released, the blacklist undone.
// A final dispute's instructions changed after it was final. Fixed: an unanswered dispute is decided (or void) only
// once its deadline plus the grace has passed (`answering` until then), its `decidedAt` there, as every other
// deadline's verdict waits for its grace (and, on a ledger following a chain, for that chain's settled median time:
// dispute-final-before-shown).
import { describe, expect, it } from 'vitest';
import { HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import { createDisputeAnswered, disputeLosses, readDispute, settlement } from '../../src/disputes/index.js';
import { at, buildWorld, idOf } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe('an answer shown within the grace after its deadline', () => {
  it('finds its dispute not yet decided by default at the deadline', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    // The custodian is the one witness; it shows the opening an hour before the deadline (in time for a default).
    const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [...world.base, world.opened]);
    try {
      await witnessAt(ledger, world.custodian, answerBy - 3_600);
      // The provider answers a minute before the deadline; the witness's next round is after it.
      const answer = createDisputeAnswered(
        world.provider,
        { dispute, evidence: 'served as paid', bond: idOf(world.bonds.provider) },
        { clock: at(answerBy - 60) },
      );
      await ledger.append(answer);
      const justAfter = answerBy + 60;
      const read = await reading(ledger, justAfter);
      const early = await readDispute(ledger, dispute, justAfter, read);
      const losses = await disputeLosses(ledger, justAfter, read);
      // An hour after the deadline the witness lists the answer: it counts (shown within the grace).
      await witnessAt(ledger, world.custodian, answerBy + 3_600);
      const later = answerBy + HEADER_TIME_TOLERANCE + 60;
      const view = await readDispute(ledger, dispute, later, await reading(ledger, later));
      expect(view.answer?.id).toBe(idOf(answer));
      expect(view.status).toBe('drawing');
      // The attack was: a minute after the deadline the dispute read final, lost by default: the claimant's bond to
      // release (the custodian's `dispute settle` does), the provider's loss counted for the standing rules.
      expect(early.status).toBe('answering');
      expect(early.status).not.toBe('decided');
      expect(settlement(early)).toBeUndefined();
      expect(losses).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
