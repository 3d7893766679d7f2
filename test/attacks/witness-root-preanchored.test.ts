// Review of publication witnesses (issue 20): a witness batch's anchor commits to the root of its ids alone, and
// nothing ties the anchoring block to the batch (its author, its id, its time: a block mined before the batch was
// signed dates it). The root of a list is computable by anyone who knows the ids. A claimant signs its opening, keeps
// it to itself, and puts early in a Bitcoin transaction the root of the list the honest witness's next round will
// sign (predictable whenever that round's fresh events are: here the witness's first round, the public events and the
// opening). It shows the opening a minute before the deadline; the witness lists it. The claimant then records an
// `anchor.committed` naming the witness's batch with its own early transaction, and that block's `anchor.confirmed`:
// the batch, signed after the deadline, is dated long before it existed. No witness colludes; the provider, who never
// saw the opening, loses by default. (Low in practice: a running witness's rounds list its own last anchors, whose
// ids are unknown in advance.) Fixed: a batch dates nothing before its own `created` (`publicationTimes` takes the
// later of its anchor's block time and that), so the early block dates the opening at the batch's signing.
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeAnchors, witnessBatchCommitment } from '../../src/anchor/index.js';
import { utf8 } from '../../src/core/index.js';
import { DISPUTE_TERMS, disputeLosses, readDispute, roundTimes } from '../../src/disputes/index.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve, Verifier } from '../../src/zk/index.js';
import { buildWorld, idOf } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await Verifier.load();
}, 60_000);

afterAll(() => releaseCurve());

// The claimant's own coin and block: nothing in the transaction depends on which batch it will later be said to anchor.
const attackerBlock = (label: string) =>
  sha256(utf8(label.startsWith('anchor coin/') ? 'claimant coin' : `claimant ${label}`));

describe('a witness batch dated by a block mined before the batch existed', () => {
  it('does not date a withheld opening: the answer period runs from its real publication', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    // The custodian is the network's one, honest, publication witness.
    const ledger = await witnessedDisputeLedger(verifier, world.custodian, world.base);
    try {
      const early = answerBy - 2 * DISPUTE_TERMS.minAnswerPeriod;
      // Early, the claimant anchors the root of the list the witness will sign when it next runs: what it holds (public)
      // and the opening (no event on any ledger names it yet).
      const ids = [...world.base.map(idOf), dispute].sort();
      const root = witnessBatchCommitment({ ids });
      const mined = regtestAnchorOf(world.payer, dispute, root, early, {
        height: 900_000,
        bytes: attackerBlock,
      });
      // A minute before the deadline the opening is published; the honest witness lists it (a batch of that one id).
      await ledger.importLines([JSON.stringify(world.opened)]);
      await witnessAt(ledger, world.custodian, answerBy - 60);
      const batches: string[] = [];
      for await (const { id, event } of ledger.events({ type: 'witness.batch' }))
        if ((event.body as unknown as { ids: string[] }).ids.includes(dispute)) batches.push(id);
      expect(batches).toHaveLength(1);
      const batch = batches[0] as string;
      // The claimant names that batch with its early transaction (the same one: its txid does not depend on the batch).
      const claimed = regtestAnchorOf(world.payer, batch, root, early, {
        height: 900_000,
        bytes: attackerBlock,
      });
      expect(claimed.txid).toBe(mined.txid);
      await ledger.importLines(claimed.events.map((e) => JSON.stringify(e)));
      const final = roundTimes(answerBy, 0).appealsClose;
      const read = { ...(await reading(ledger, final)), anchors: await disputeAnchors(ledger, final) };
      // The opening counts as published when the witness listed it, not in the early block: nobody loses by default.
      expect(read.publication?.at(dispute)?.blockTime).toBeGreaterThan(
        answerBy - DISPUTE_TERMS.minAnswerPeriod,
      );
      expect(await readDispute(ledger, dispute, final, read)).toMatchObject({ status: 'void' });
      expect(await disputeLosses(ledger, final, read)).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
