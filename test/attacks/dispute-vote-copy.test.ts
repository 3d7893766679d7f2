// Anyone copies a juror's sealed vote under another `created` (the proof does not bind it), grinding for a copy whose
// id is lower than the original's: the copy is the vote counted for that nullifier, and the juror's reveal names the
// original. Without the fix the vote counted no reveal, so a respondent could void every juror's vote and win any
// dispute on a tie; with it, a reveal of any copy opens the vote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DisputeRound, readDispute, roundTimes } from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { buildWorld, disputeFlow, idOf, ledgerWith, type World } from '../disputes/fixture.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let verifier: Verifier;
let world: World;
let flow: LedgerEvent[];
beforeAll(async () => {
  verifier = await panelVerifier();
  world = await buildWorld({ verifier, jurorCount: 8 });
  const prover = await panelProver();
  flow = await disputeFlow(world, prover, verifier, ['upheld', 'upheld', 'upheld'], 9, {
    extras: false,
    attend: false,
  });
}, 300_000);
afterAll(() => releaseCurve());

/** A copy of `vote` dated elsewhere in its voting window whose id sorts before the original's. */
function lowerCopy(vote: LedgerEvent): LedgerEvent {
  const times = roundTimes(world.openedBody.answerBy, 0);
  const original = idOf(vote);
  for (let created = times.votesOpen; created < times.votesClose; created++) {
    const copy = { ...vote, created };
    if (idOf(copy) < original) return copy;
  }
  throw new Error('no lower copy in the window');
}

describe("a copy of a juror's vote with a lower id", () => {
  it('does not leave the vote unrevealed: the claim is still upheld', async () => {
    const copies = flow.filter((event) => event.type === 'dispute.vote').map(lowerCopy);
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, ...flow, ...copies]);
    try {
      const view = await readDispute(ledger, idOf(world.opened), Number.MAX_SAFE_INTEGER);
      const round = view.rounds[0] as DisputeRound;
      expect(round.votes).toBe(3);
      expect(round.upheld).toBe(3);
      expect(view.winner).toBe('claimant');
    } finally {
      await ledger.close();
    }
  });
});
