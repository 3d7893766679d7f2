// Fourth review of issue 20: the least weight to sit on a panel is the claimant's to choose (`jurors.minWeight`, any
// value from 1), not the network's. Setting it at the fifth largest weight among those who are not parties, the
// claimant leaves exactly five eligible jurors: the first panel is those five whatever block is mined, known when it
// opens (the draw from a block hash decides only their order). With allies among the heaviest holders, it chooses
// its panel; and an electorate that small cannot staff an appeal (see dispute-appeal-unstaffed.test.ts). The least
// weight should be the network's, or the electorate at least large enough that the block decides who sits.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  createDisputeOpened,
  DISPUTE_TERMS,
  draftElectorate,
  drawFor,
  readDispute,
} from '../../src/disputes/index.js';
import { createSnapshotSources } from '../../src/governance/index.js';
import { at, buildWorld, idOf, ledgerWith, regtestHeader, T } from '../disputes/fixture.js';
import { usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

describe("a claimant's least juror weight", () => {
  it('does not fix the panel before the seed block is mined', async () => {
    // Eight jurors staking 100, 200, ... 800 sats.
    const world = await buildWorld({ verifier: verifier() });
    const ledger = await ledgerWith(verifier(), world.base);
    try {
      const { ids, declared } = await draftElectorate(ledger, {
        mode: 'stake',
        asOf: T + 50,
        minWeight: 400n,
      });
      expect(declared.members).toBe(5);
      const sources = createSnapshotSources(world.payer, ids, { clock: at(T + 90) });
      const opened = createDisputeOpened(
        world.payer,
        { ...world.openedBody, jurors: { ...declared, sources: sources.map(idOf) } },
        { clock: at(T + 100) },
      );
      const dispute = idOf(opened);
      const answer = createDisputeAnswered(
        world.provider,
        { dispute, evidence: 'served 200 with the forecast', bond: idOf(world.bonds.provider) },
        { clock: at(T + 200) },
      );
      await ledger.appendBatch([...sources, opened, answer]);
      // The attack drew eight different blocks to one panel (the five heaviest holders), known at the opening. Now the
      // least weight is the network's: the claimant's floor makes its electorate, and its opening, invalid.
      expect(DISPUTE_TERMS.minJurorWeight).toBe(1);
      expect(await readDispute(ledger, dispute, T + 300)).toMatchObject({
        status: 'invalid',
        reason: expect.stringContaining("the least juror weight is the network's"),
      });
      await expect(drawFor(ledger, dispute, 0, regtestHeader(1))).rejects.toMatchObject({
        code: ErrorCode.InvalidState,
      });
      // At the network's floor, the same blocks draw several panels from the eight holders.
      const fair = await draftElectorate(ledger, { mode: 'stake', asOf: T + 50 });
      const fairOpened = createDisputeOpened(
        world.payer,
        {
          ...world.openedBody,
          claim: 'the forecast served was garbage, at the network floor',
          jurors: { ...fair.declared, sources: sources.map(idOf) },
        },
        { clock: at(T + 100) },
      );
      await ledger.append(fairOpened);
      const panels = new Set<string>();
      for (let tag = 1; tag <= 8; tag++)
        panels.add([...(await drawFor(ledger, idOf(fairOpened), 0, regtestHeader(tag)))].sort().join());
      expect(panels.size).toBeGreaterThan(1);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
