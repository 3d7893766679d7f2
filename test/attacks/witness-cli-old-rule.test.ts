// Review of publication witnesses (issue 20): `governedState` read disputes with the witnesses' publication times,
// but the CLI's dispute commands (`agora dispute show`, `list`, `settle`, `claim`, the juror commands) read them with
// the openings' anchors alone (`readDispute(..., {anchors})`: the old rule). A claimant anchored its opening early,
// kept it to itself, and showed it a minute before its deadline: the library said nobody loses by default (the
// answer period runs from the publication), the custodian's `agora dispute show` and `agora dispute settle` said the
// provider lost by default, and settled its bond to the claimant. Fixed: every CLI reader takes `disputeTimes`.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputeAnchors, disputeEventCommitment, publicationTimes } from '../../src/anchor/index.js';
import { withHomeLedger } from '../../src/cli/home.js';
import { utf8 } from '../../src/core/index.js';
import { DISPUTE_TERMS, readDispute, roundTimes } from '../../src/disputes/index.js';
import { regtestAnchorOf } from '../../src/sim/commitment.js';
import { releaseCurve, Verifier } from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { buildWorld, idOf } from '../disputes/fixture.js';
import { witnessAt } from '../fixtures/witness.js';

let verifier: Verifier;
let dir: string;

beforeAll(async () => {
  verifier = await Verifier.load();
  dir = await mkdtemp(join(tmpdir(), 'agora-witness-cli-'));
}, 60_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute show on a network with publication witnesses', () => {
  it('reads an opening withheld until its deadline as the library does: not lost by default', async () => {
    const world = await buildWorld({ verifier, jurorCount: 2 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const home = join(dir, 'custodian');
    expect((await agora(['init', '--home', home, '--network', 'regtest'])).code).toBe(0);
    // The network names the custodian as its one publication witness.
    await writeFile(
      join(home, 'network'),
      `${JSON.stringify({ chain: 'regtest', witnesses: [world.custodian.id] })}\n`,
    );
    const final = roundTimes(answerBy, 0).appealsClose;
    const library = await withHomeLedger(home, async (ledger) => {
      await ledger.importLines(world.base.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, answerBy - 2 * DISPUTE_TERMS.minAnswerPeriod);
      // Anchored well before the deadline, the opening and its anchor are shown a minute before it.
      const anchor = regtestAnchorOf(
        world.payer,
        dispute,
        disputeEventCommitment(dispute),
        answerBy - 2 * DISPUTE_TERMS.minAnswerPeriod,
        { height: 900_000, bytes: (label) => sha256(utf8(label)) },
      );
      const imported = await ledger.importLines(
        [world.opened, ...anchor.events].map((e) => JSON.stringify(e)),
      );
      expect(imported.added).toBe(3);
      await witnessAt(ledger, world.custodian, answerBy - 60);
      return readDispute(ledger, dispute, final, {
        anchors: await disputeAnchors(ledger, final),
        publication: await publicationTimes(ledger, final),
      });
    });
    expect(library.status).toBe('void');
    const shown = await agora(['dispute', 'show', dispute, '--json', '--at', String(final), '--home', home]);
    expect(shown.code, shown.stderr).toBe(0);
    // The attack: the custodian's CLI reads the default loss the library refuses (and `dispute settle` pays it out).
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: 'void' });
  }, 120_000);
});
