// Fifth review of issue 20: a witness round (`witnessRound`) lists only the ids no batch of that witness ever listed,
// whether that batch dated them or not. Two ordinary mishaps of an honest witness then leave events undated by it for
// ever, its later rounds never listing them again:
//   - a batch appended but never anchored (anchoring is a second step, `agora anchor commit <batch id>`, whose
//     transaction can fail, be dropped, or be forgotten);
//   - a batch signed while the witness's clock ran far ahead: since a batch dates nothing before its own `created`,
//     its events are published, as far as that witness shows, at that wrong moment (docs/security.md says "delays its
//     own listings by as much"; the clock mended, they stay there).
// With one witness (the usual q = 1 network of a custodian) an answer so listed never counts (its respondent loses by
// default), a vote never counts, and a bond's first use can be taken by a later one. A round should list again every
// id that no batch of its own dates yet (anchored, on the heaviest chain, created no later than now).

import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { createAnchorCommitted, publicationTimes, witnessRound } from '../../src/anchor/index.js';
import { ManualClock, utf8 } from '../../src/core/index.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { at, buildWorld, idOf } from '../disputes/fixture.js';
import { witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/** A world's events up to its opening on a ledger whose one witness is its custodian, and the opening's id. */
async function witnessedWorld() {
  const world = await buildWorld({ verifier: verifier() });
  const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [...world.base, world.opened]);
  return { world, ledger, opening: idOf(world.opened), answerBy: world.openedBody.answerBy };
}

describe("a witness's listing that dates nothing", () => {
  it('is listed again by its next round when its batch was never anchored', async () => {
    const { world, ledger, opening, answerBy } = await witnessedWorld();
    try {
      // A round whose batches are appended, their anchoring never done (the transaction was dropped).
      const lost = await witnessRound(ledger, world.custodian, {
        clock: new ManualClock((answerBy - 9_000) * 1000),
      });
      await ledger.appendBatch(lost.map((batch) => batch.event));
      // The next round, anchored as it should be, two hours before the deadline.
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      const publication = await publicationTimes(ledger, answerBy + 86_400);
      // The attack: the opening is never dated (its respondent can never lose by default, nor its bond be owned).
      expect(publication.at(opening)?.blockTime).toBe(answerBy - 7_200);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('is listed again once the clock that signed it far ahead is mended', async () => {
    const { world, ledger, opening, answerBy } = await witnessedWorld();
    try {
      // One round signed with a clock a year ahead, anchored in a block of the right time.
      const blockTime = answerBy - 9_000;
      const ahead = await witnessRound(ledger, world.custodian, {
        clock: new ManualClock((blockTime + 365 * 86_400) * 1000),
      });
      for (const [i, batch] of ahead.entries()) {
        const source = {
          height: 990_000 + 2 * i,
          bytes: (label: string) => sha256(utf8(`ahead ${batch.id} ${label}`)),
        };
        await ledger.appendBatch([
          batch.event,
          ...regtestAnchorOf(world.custodian, batch.id, batch.commitment, blockTime, source).events,
        ]);
      }
      // Dated a year ahead: as far as its only witness shows, the opening is not public by its deadline.
      expect((await publicationTimes(ledger, answerBy)).at(opening)?.blockTime).toBeGreaterThan(answerBy);
      // The clock mended, the next round two hours before the deadline.
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      const publication = await publicationTimes(ledger, answerBy + 86_400);
      // The attack: the opening stays dated a year ahead by its only witness.
      expect(publication.at(opening)?.blockTime).toBe(answerBy - 7_200);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});

// Sixth review of issue 20: a witness round lists again the ids of a batch of its own that dates nothing
// (`witnessRound`): a batch without `anchor.committed` within `WITNESS_COMMIT_GRACE` (10 minutes) is taken as lost,
// one with an `anchor.committed` gets `WITNESS_CONFIRM_GRACE` (a day) to confirm. Anyone may sign an `anchor.committed`
// (the ingest rule names no author), and the round counts every one naming the batch's commitment, whoever signed it,
// whatever its transaction. A witness's batch whose anchoring failed (the very mishap the relisting mends) is named
// by a third party's `anchor.committed` with a transaction that never confirms: the witness's next rounds, for a day,
// do not list its ids again, and with one witness (the usual q = 1 network) an opening or answer in it stays undated
// past its deadline (2 hours of grace). Only the witness's own commits (or a confirmed anchor) should extend the grace.
describe("a witness's lost batch", () => {
  it('is listed again although a third party signed an anchor.committed naming it', async () => {
    const { world, ledger, opening, answerBy } = await witnessedWorld();
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
