// A juror's proof replayed elsewhere: its seat proof names the dispute and round (the scope) and the sealed ballot,
// so the same proof carried into another dispute, or into a later round of the same one, no longer verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { createDisputeOpened, type DisputeVoteBody, roundTimes } from '../../src/disputes/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { at, buildWorld, disputeFlow, idOf, ledgerWith, type World } from '../disputes/fixture.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';
import { rejectedAgoraError } from '../helpers.js';

let verifier: Verifier;
let world: World;
let vote: LedgerEvent;
beforeAll(async () => {
  verifier = await panelVerifier();
  world = await buildWorld({ verifier, jurorCount: 8 });
  const prover = await panelProver();
  const flow = await disputeFlow(world, prover, verifier, ['upheld'], 5, { extras: false, attend: false });
  vote = flow.find((event) => event.type === 'dispute.vote') as LedgerEvent;
}, 300_000);
afterAll(() => releaseCurve());

const retarget = (changes: Partial<DisputeVoteBody>, created = vote.created): LedgerEvent => ({
  ...vote,
  created,
  body: { ...(vote.body as object), ...changes } as LedgerEvent['body'],
});

describe("a juror's seat proof replayed", () => {
  it('holds where it was made', async () => {
    const ledger = await ledgerWith(verifier, [...world.base, world.opened]);
    try {
      await ledger.append(vote);
      expect(ledger.stats().events).toBe(world.base.length + 2);
    } finally {
      await ledger.close();
    }
  });

  it('on another dispute is refused: the scope and ballot differ', async () => {
    // The provider opens its own dispute over the same receipt, with the same answer deadline (same voting window).
    const other = createDisputeOpened(
      world.provider,
      { ...world.openedBody, bond: idOf(world.bonds.providerAppeal) },
      { clock: at(world.opened.created) },
    );
    const ledger = await ledgerWith(verifier, [...world.base, world.opened, other]);
    try {
      await rejectedAgoraError(ledger.append(retarget({ dispute: idOf(other) })), ErrorCode.InvalidProof);
    } finally {
      await ledger.close();
    }
  });

  it('in a later round of the same dispute is refused, even dated in that round', async () => {
    const round1 = roundTimes(world.openedBody.answerBy, 1);
    const ledger = await ledgerWith(verifier, [...world.base, world.opened]);
    try {
      await rejectedAgoraError(
        ledger.append(retarget({ round: 1 }, round1.votesOpen + 10)),
        ErrorCode.InvalidProof,
      );
    } finally {
      await ledger.close();
    }
  });
});
