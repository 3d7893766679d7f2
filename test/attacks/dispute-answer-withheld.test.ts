// Review of the dispute time rule: an answer counts once anchored by 2 hours after the deadline, but an anchor proves
// the answer existed then, not that anyone saw it. The respondent signs its answer in time, anchors it in a block
// before the deadline, and keeps both to itself. The claimant wins by default, the custodian settles the bonds; after
// the voting and appeal windows the respondent publishes the answer and its anchor: the default loss is undone (the
// dispute is back to drawing a panel whose windows, counted from the deadline, are behind it). One anchor transaction
// reopens any final default loss, after the payout. Open: `it.fails` (it passes while the attack
// works; run as a plain `it`, it fails on the attack assertion).
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeAnchors, disputeEventCommitment } from '../../src/anchor/index.js';
import { utf8 } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  DISPUTE_TERMS,
  disputeLosses,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { agoraRegistry } from '../../src/registry.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve, Verifier } from '../../src/zk/index.js';
import { at, buildWorld, idOf } from '../disputes/fixture.js';

let verifier: Verifier;

beforeAll(async () => {
  verifier = await Verifier.load();
}, 60_000);

afterAll(() => releaseCurve());

describe('an answer anchored in time but withheld until after the appeal window', () => {
  it.fails('does not undo a default loss already final', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ network: 'regtest', verifier }),
    });
    const bytes = (label: string) => sha256(utf8(label));
    try {
      const opening = regtestAnchorOf(
        world.custodian,
        dispute,
        disputeEventCommitment(dispute),
        answerBy - DISPUTE_TERMS.minAnswerPeriod,
        { height: 900_000, bytes },
      );
      await ledger.importLines(
        [...world.base, world.opened, ...opening.events].map((e) => JSON.stringify(e)),
      );
      const final = roundTimes(answerBy, 0).appealsClose;
      const read = async () =>
        readDispute(ledger, dispute, final, { anchors: await disputeAnchors(ledger, final) });
      expect(await read()).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: true });

      // The provider's answer, signed within the answer period and anchored an hour before the deadline, unpublished.
      const answer = createDisputeAnswered(
        world.provider,
        { dispute, evidence: 'served as paid', bond: idOf(world.bonds.provider) },
        { clock: at(world.opened.created + 60) },
      );
      const answerId = idOf(answer);
      const answerAnchor = regtestAnchorOf(
        world.provider,
        answerId,
        disputeEventCommitment(answerId),
        answerBy - 3_600,
        {
          height: 900_010,
          bytes: (label) => bytes(`answer ${label}`),
        },
      );

      // After the appeal window (the bonds settled by then), the provider publishes both.
      await ledger.importLines([answer, ...answerAnchor.events].map((e) => JSON.stringify(e)));
      // The attack: the default loss, final and paid out, is undone.
      expect(await read()).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: true });
      expect(await disputeLosses(ledger, final, { anchors: await disputeAnchors(ledger, final) })).toEqual([
        { agent: world.provider.id, dispute, at: answerBy },
      ]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
