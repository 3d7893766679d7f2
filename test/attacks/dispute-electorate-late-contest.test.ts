// Fourth review of issue 20: a dispute is `contested` (never drawn, never decided) when the ledger holds events of its
// electorate's kinds created by `asOf` that its checkpoint leaves out and that change it (`checkElectorate`), whenever
// they were published. Governance filters these by publication (`snapshotDispute(..., {published})`, the second
// review of the time rule); disputes do not. Any member of the electorate (an ally of the loser, or the loser itself
// when it holds weight) signs, a month after the dispute was final, a `delegation.set` dated before `asOf`: the
// witnesses show it then, the decided dispute turns `contested`, the provider's loss disappears from
// `disputeLosses` (the blacklist) and nothing is owed any more. An event published after the opening (or its
// window plus the grace) should not contest an electorate.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicationTimes } from '../../src/anchor/index.js';
import { HEADER_TIME_TOLERANCE } from '../../src/core/index.js';
import { disputeLosses, readDispute, roundTimes, settlement } from '../../src/disputes/index.js';
import { createDelegation } from '../../src/governance/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { type PanelProver, releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeFlow, idOf, T } from '../disputes/fixture.js';
import { witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelZk } from '../fixtures/zk.js';

let prover: PanelProver;
let verifier: Verifier;

beforeAll(async () => {
  ({ prover, verifier } = await panelZk());
}, 120_000);

afterAll(() => releaseCurve());

describe('an electorate event dated before asOf and published after the dispute was final', () => {
  it('does not undo the decided dispute', async () => {
    const world = await buildWorld({ verifier });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    // One juror upholds the claim: the provider loses on the panel.
    const [answer, ...rest] = (await disputeFlow(world, prover, verifier, ['upheld'], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    const ledger = await witnessedDisputeLedger(verifier, world.custodian);
    try {
      await ledger.importLines([...world.base, world.opened, answer].map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      await ledger.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesClose + 600);
      const later = round0.appealsClose + 30 * 86_400;
      const lost = async () => {
        const read = { publication: await publicationTimes(ledger, later) };
        const view = await readDispute(ledger, dispute, later, read);
        expect(view).toMatchObject({ status: 'decided', winner: 'claimant' });
        expect(settlement(view)).toContainEqual(
          expect.objectContaining({ lock: idOf(world.bonds.provider), action: 'settle' }),
        );
        expect(await disputeLosses(ledger, later, read)).toEqual([
          { agent: world.provider.id, dispute, at: round0.appealsClose + HEADER_TIME_TOLERANCE },
        ]);
      };
      await lost();
      // A month later, a juror of the electorate delegates its weight, dated before the electorate's moment.
      const [member, delegate] = world.jurors as [(typeof world.jurors)[0], (typeof world.jurors)[0]];
      expect(world.electorate.asOf).toBe(T + 50);
      await ledger.append(createDelegation(member, delegate.id, { clock: at(T + 45) }));
      await witnessAt(ledger, world.custodian, later - 3_600);
      // The attack: the dispute is `contested`, the provider's loss and the bonds it owes are gone.
      await lost();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
