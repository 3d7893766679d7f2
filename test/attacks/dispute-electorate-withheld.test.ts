// Fourth review of issue 20: a dispute's electorate checkpoint may list events nobody has (`checkCheckpointParts`
// checks its `snapshot.sources` parts are stored, not the events they list), and a dispute whose listed events are
// missing is `pending` (`checkElectorate`) for ever: never drawn, never decided, nothing owed, no deadline. The
// claimant lists one event of its own (here a `delegation.set` of no weight, dated before `asOf`) and keeps it. It
// alone holds the electorate, so once the seed block is mined it alone knows the panel; it publishes the event
// when the panel suits it and never otherwise. An unfavourable draw costs it nothing (its bond is never settled,
// the respondent's counter-bond stays locked to the horizon) and it opens again on the same receipt with another
// seed height: a free re-roll of the panel, and a respondent held hostage. A dispute whose electorate is not whole
// by its deadline should end (against the claimant, whose checkpoint it is).
import { describe, expect, it } from 'vitest';
import {
  createDisputeAnswered,
  createDisputeOpened,
  disputeHorizon,
  draftElectorate,
  readDispute,
} from '../../src/disputes/index.js';
import { createDelegation, createSnapshotSources } from '../../src/governance/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { at, buildWorld, idOf, ledgerWith, T } from '../disputes/fixture.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe('a dispute whose electorate lists an event the claimant keeps', () => {
  it('does not stay pending for ever', async () => {
    const world = await buildWorld({ verifier: verifier() });
    const ledger = await ledgerWith(verifier(), world.base);
    try {
      const asOf = T + 50;
      const { ids, declared } = await draftElectorate(ledger, { mode: 'stake', asOf });
      // The claimant's own delegation, of no weight (it holds no stake at asOf): the electorate's root is unchanged.
      const kept: LedgerEvent = createDelegation(world.payer, world.provider.id, { clock: at(asOf - 5) });
      const sources = createSnapshotSources(world.payer, [...ids, idOf(kept)], { clock: at(T + 90) });
      const opened = createDisputeOpened(
        world.payer,
        {
          ...world.openedBody,
          jurors: { ...declared, events: ids.length + 1, sources: sources.map(idOf) },
        },
        { clock: at(T + 100) },
      );
      const dispute = idOf(opened);
      const answer = createDisputeAnswered(
        world.provider,
        { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.provider) },
        { clock: at(T + 200) },
      );
      // Stored: the opening verifies though the delegation it lists is nowhere.
      await ledger.appendBatch([...sources, opened, answer]);
      const after = disputeHorizon(world.openedBody.answerBy) + 86_400;
      const view = await readDispute(ledger, dispute, after);
      // The attack: long after the last possible round, the dispute is still pending, bonds in limbo.
      expect(view.status).not.toBe('pending');
      // (Had the claimant liked the panel, publishing the delegation would have made the electorate valid.)
      await ledger.append(kept);
      expect((await readDispute(ledger, dispute, after)).electorate).toBe('valid');
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
