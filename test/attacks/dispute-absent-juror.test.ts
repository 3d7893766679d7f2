// An absent juror attests that it voted, to keep its stake: votes are anonymous, so the lie cannot be pinned on it;
// more attestations than counted votes make the whole panel absent, so the lie saves its author nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  absentJurors,
  absentPenalties,
  createDisputeAttended,
  type DisputeDrawnBody,
  type DisputeRound,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeFlow, idOf, ledgerWith } from '../disputes/fixture.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let verifier: Verifier;
beforeAll(async () => {
  verifier = await panelVerifier();
});
afterAll(() => releaseCurve());

describe('an absent juror attesting that it voted', () => {
  it('is penalized with the whole panel', async () => {
    const world = await buildWorld({ verifier, jurorCount: 8 });
    // Two jurors vote and attest; a third, absent, attests too.
    const flow = await disputeFlow(world, await panelProver(), verifier, ['upheld', 'rejected'], 3, {
      extras: false,
    });
    const panel = ((flow[1] as LedgerEvent).body as unknown as DisputeDrawnBody).panel;
    const liar = world.jurors.find((j) => j.id === panel[2]) as AgentKey;
    const times = roundTimes(world.openedBody.answerBy, 0);
    const lie = createDisputeAttended(
      liar,
      { dispute: idOf(world.opened), round: 0 },
      { clock: at(times.votesClose + 50) },
    );
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, ...flow, lie]);
    try {
      const view = await readDispute(ledger, idOf(world.opened), Number.MAX_SAFE_INTEGER);
      const round = view.rounds[0] as DisputeRound;
      expect(round.votes).toBe(2);
      expect(round.attended).toHaveLength(3);
      expect(absentJurors(round)).toContain(liar.id);
      expect(absentJurors(round)).toHaveLength(5);
      expect((await absentPenalties(ledger, view))?.map((p) => p.staker)).toContain(liar.id);
    } finally {
      await ledger.close();
    }
  }, 300_000);
});
