// Review of publication witnesses (issue 20): by default the witnesses are the network's custodians and seeds, and
// one suffices (`witnessQuorum` 1). A custodian is an agent like any other: it pays providers and opens disputes. It
// signs its opening, lists its id in its own witness batch (an id tells nobody anything), anchors the batch well
// before the deadline, and keeps the opening to itself until the answer period is over. The provider never saw it;
// the other, honest, custodian shows it only once it is published: the provider loses by default anyway, on the
// claimant's own word that it was public. Documented as "a colluding witness vouches for a hidden event", but under
// the default configuration the colluding witness is the party itself, in every dispute it opens. Fixed: a
// witness's listing does not date its own events (they need another witness's listing).
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorEventTypes, disputeAnchors, witnessBatchType, witnessRound } from '../../src/anchor/index.js';
import { checkNetworkConfig, ManualClock, networkWitnesses, utf8 } from '../../src/core/index.js';
import { DISPUTE_TERMS, disputeLosses, readDispute, roundTimes } from '../../src/disputes/index.js';
import { EventRegistry, Ledger } from '../../src/ledger/index.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve, Verifier } from '../../src/zk/index.js';
import { buildWorld, disputeRegistry, idOf } from '../disputes/fixture.js';
import { reading, witnessAt } from '../fixtures/witness.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await Verifier.load();
}, 60_000);

afterAll(() => releaseCurve());

describe('a custodian that opens a dispute, under the default witnesses', () => {
  it('cannot date its own withheld opening by listing it itself', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    // The default configuration: no `witnesses`, two custodians (the bonds' and the claimant, which runs one too).
    const config = checkNetworkConfig({ chain: 'regtest', custodians: [world.custodian.id, world.payer.id] });
    expect(networkWitnesses(config)).toContain(world.payer.id);
    const base = disputeRegistry(verifier);
    const registry = new EventRegistry(
      [
        ...base.types().map((type) => base.get(type)),
        ...anchorEventTypes('regtest'),
        witnessBatchType(networkWitnesses(config)),
      ],
      config,
    );
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry });
    try {
      await ledger.importLines(world.base.map((e) => JSON.stringify(e)));
      const early = answerBy - 2 * DISPUTE_TERMS.minAnswerPeriod;
      await witnessAt(ledger, world.custodian, early);
      // The claimant lists its own opening (not published) and anchors the batch early; the batch is public.
      const [batch] = await witnessRound(ledger, world.payer, {
        clock: new ManualClock(early * 1000),
        pending: [world.opened],
      });
      if (batch === undefined) throw new Error('the claimant has something to witness');
      const anchor = regtestAnchorOf(world.payer, batch.id, batch.commitment, early, {
        height: 900_000,
        bytes: (label) => sha256(utf8(`claimant ${label}`)),
      });
      await ledger.importLines([batch.event, ...anchor.events].map((e) => JSON.stringify(e)));
      // An hour after the deadline the opening is published; the honest custodian shows it then.
      await ledger.importLines([JSON.stringify(world.opened)]);
      await witnessAt(ledger, world.custodian, answerBy + 3_600);
      const final = roundTimes(answerBy, 0).appealsClose;
      const read = { ...(await reading(ledger, final)), anchors: await disputeAnchors(ledger, final) };
      // The attack: the provider, who could not see the opening, loses by default.
      expect(await readDispute(ledger, dispute, final, read)).not.toMatchObject({ byDefault: true });
      expect(await disputeLosses(ledger, final, read)).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
