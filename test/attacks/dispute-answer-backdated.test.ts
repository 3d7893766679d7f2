// A respondent that let a dispute lapse publishes, days after its deadline, an answer it dates inside the answer
// period (its counter-bond locked back then): counted on its claimed time, the answer undoes the default loss after
// the fact, and the round it opens has its windows behind it: no juror can vote, and a claim nobody upheld fails.
// Fixed: once the opening is anchored in time, an answer counts only once anchored by 2 hours after the deadline
// (`answerInTime`).
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

describe('an answer dated inside the answer period and published after the voting windows', () => {
  it('does not undo the default loss of a dispute whose opening was anchored in time', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: agoraRegistry({ network: 'regtest', verifier }),
    });
    try {
      const anchor = regtestAnchorOf(
        world.custodian,
        dispute,
        disputeEventCommitment(dispute),
        answerBy - DISPUTE_TERMS.minAnswerPeriod,
        { height: 900_000, bytes: (label) => sha256(utf8(label)) },
      );
      await ledger.importLines([...world.base, world.opened, ...anchor.events].map((e) => JSON.stringify(e)));
      const final = roundTimes(answerBy, 0).appealsClose;
      const read = async () =>
        readDispute(ledger, dispute, final, { anchors: await disputeAnchors(ledger, final) });
      expect(await read()).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: true });

      // Days later, the provider's answer, dated a minute after the opening.
      const late = createDisputeAnswered(
        world.provider,
        { dispute, evidence: 'served as paid', bond: idOf(world.bonds.provider) },
        { clock: at(world.opened.created + 60) },
      );
      await ledger.append(late);
      expect(await read()).toMatchObject({ status: 'decided', winner: 'claimant', byDefault: true });
      expect(await disputeLosses(ledger, final, { anchors: await disputeAnchors(ledger, final) })).toEqual([
        { agent: world.provider.id, dispute, at: answerBy },
      ]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
