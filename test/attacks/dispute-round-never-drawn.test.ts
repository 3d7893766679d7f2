// Fifth review of issue 20: a round without a counted draw is `awaiting-draw`, and the dispute `drawing`, with no end.
// Where witnesses show publication a draw counts only if published by its round's voting close plus the grace, so once
// that moment passed without one no draw can ever count; where the ledger follows a chain (`seedBlocks`) a round also
// waits while its seed height has no settled block, however long. Nothing turns such a dispute `void` or decides it:
// `settlement` stays undefined for ever and both bonds just sit until their hold invoices expire. The opening's
// `seedHeight` is the claimant's choice and is bounded by nothing (`isHeight`): naming a height a century away (or one
// whose headers nobody posts) it makes the provider lock a counter-bond (else it loses by default) for a claim that is
// never judged, at no risk to its own bond. A round whose draw can no longer count (or whose seed block is not
// settled by its voting close) should void the dispute (bonds released) at a fixed moment, and an opening's seed
// height be bounded above.
import { describe, expect, it } from 'vitest';
import { readDispute, roundTimes, settlement } from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { buildWorld, disputeFlow, idOf } from '../disputes/fixture.js';
import { reading, witnessAt, witnessedDisputeLedger } from '../fixtures/witness.js';
import { panelProver, usePanelVerifier } from '../fixtures/zk.js';

const verifier = usePanelVerifier();

/** An answered dispute shown two hours before its deadline, its round-0 draw given back unpublished. */
async function answered() {
  const world = await buildWorld({ verifier: verifier() });
  const dispute = idOf(world.opened);
  const { answerBy } = world.openedBody;
  const [answer, drawn] = (await disputeFlow(world, await panelProver(), verifier(), [], 1, {
    extras: false,
  })) as [LedgerEvent, LedgerEvent];
  const ledger = await witnessedDisputeLedger(verifier(), world.custodian, [
    ...world.base,
    world.opened,
    answer,
  ]);
  await witnessAt(ledger, world.custodian, answerBy - 7_200);
  const yearLater = roundTimes(answerBy, 2).appealsClose + 365 * 86_400;
  return { world, dispute, answerBy, ledger, drawn, yearLater };
}

describe('a round that is never drawn', () => {
  it('ends its dispute once no draw can count', async () => {
    const { dispute, ledger, yearLater } = await answered();
    try {
      // Nobody publishes a draw in time (the seed block is a century away, or nobody bothers).
      const view = await readDispute(ledger, dispute, yearLater, await reading(ledger, yearLater));
      expect(view.answer).toBeDefined();
      // The attack: a year after the last round could have closed, the dispute is still `drawing`, nothing settles.
      expect(view.status).toBe('void');
      expect(settlement(view)).toBeDefined();
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('ends its dispute when its seed block never settles on the followed chain', async () => {
    const { world, dispute, answerBy, ledger, drawn, yearLater } = await answered();
    try {
      // The draw is published in time, but the chain the ledger follows never holds a settled block at the height
      // (its headers are never posted, or the height is never reached).
      await ledger.append(drawn);
      await witnessAt(ledger, world.custodian, answerBy + 600);
      const options = { ...(await reading(ledger, yearLater)), seedBlocks: () => undefined };
      const view = await readDispute(ledger, dispute, yearLater, options);
      // The attack: the round waits for its seed block for ever.
      expect(view.status).toBe('void');
      expect(settlement(view)).toBeDefined();
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
