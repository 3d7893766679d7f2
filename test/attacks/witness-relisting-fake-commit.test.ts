// Sixth review of issue 20: a witness round lists again the ids of a batch of its own that dates nothing
// (`witnessRound`): a batch without `anchor.committed` within `WITNESS_COMMIT_GRACE` (10 minutes) is taken as lost,
// one with an `anchor.committed` gets `WITNESS_CONFIRM_GRACE` (a day) to confirm. Anyone may sign an `anchor.committed`
// (the ingest rule names no author), and the round counts every one naming the batch's commitment, whoever signed it,
// whatever its transaction. A witness's batch whose anchoring failed (the very mishap the relisting mends) is named
// by a third party's `anchor.committed` with a transaction that never confirms: the witness's next rounds, for a day,
// do not list its ids again, and with one witness (the usual q = 1 network) an opening or answer in it stays undated
// past its deadline (2 hours of grace). Only the witness's own commits (or a confirmed anchor) should extend the grace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnchorCommitted, publicationTimes, witnessRound } from '../../src/anchor/index.js';
import { ManualClock } from '../../src/core/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, idOf } from '../disputes/fixture.js';
import { witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelVerifier } from '../fixtures/zk.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await panelVerifier();
}, 120_000);

afterAll(() => releaseCurve());

describe("a witness's lost batch", () => {
  it('is listed again although a third party signed an anchor.committed naming it', async () => {
    const world = await buildWorld({ verifier });
    const ledger = await witnessedDisputeLedger(verifier, world.custodian, [...world.base, world.opened]);
    const opening = idOf(world.opened);
    const { answerBy } = world.openedBody;
    try {
      // A round whose batches are appended, their anchoring never done (the witness's transaction failed).
      const lost = await witnessRound(ledger, world.custodian, {
        clock: new ManualClock((answerBy - 9_000) * 1000),
      });
      await ledger.appendBatch(lost.map((batch) => batch.event));
      // The payer (or anyone) names each lost batch in an `anchor.committed` whose transaction is never mined.
      await ledger.appendBatch(
        lost.map((batch, i) =>
          createAnchorCommitted(
            world.payer,
            {
              proposal: batch.id,
              commitment: batch.commitment,
              txid: `${i}`.padStart(64, 'f'),
              chain: 'regtest',
            },
            { clock: at(answerBy - 8_900) },
          ),
        ),
      );
      // The next round, an hour later, anchored as it should be, two hours before the deadline.
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      const publication = await publicationTimes(ledger, answerBy + 86_400);
      // The attack: the opening is not dated by its deadline (nor for a day), its only witness holding it back.
      expect(publication.at(opening)?.blockTime).toBe(answerBy - 7_200);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
