// Sixth review of issue 20: `agora dispute appeal` now refuses what the ledger "would store but never count" by the
// appellant and the bond's amount, but not by the bond's owner: a bond belongs to its first use (`bondOwner`), and an
// appeal naming a stake the caller already committed to another dispute (an opening on the same receipt, say) is
// stored, its id printed, exit 0, and never counts: the round the caller lost becomes final when the window closes,
// with nothing telling it why. The command should refuse (a typed error naming the event that owns the bond) before
// appending, as it does for a bond too small.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { homePaths, withHomeLedger } from '../../src/cli/home.js';
import { canonicalJson } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  createDisputeDrawn,
  createDisputeOpened,
  drawFor,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { saveAgentKey } from '../../src/identity/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { at, buildWorld, idOf, ledgerWith, regtestHeader } from '../disputes/fixture.js';
import { panelVerifier } from '../fixtures/zk.js';

let dir: string;
let verifier: Verifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-dispute-appeal-taken-'));
  verifier = await panelVerifier();
}, 120_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute appeal', () => {
  it('refuses a bond another dispute event already owns instead of storing an appeal that never counts', async () => {
    const world = await buildWorld({ verifier });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    // The provider answers with a 2,000 sat bond: an appeal needs 4,000, what the payer's second bond holds.
    const answer = createDisputeAnswered(
      world.provider,
      { dispute, evidence: 'served as paid', bond: idOf(world.bonds.provider) },
      { clock: at(world.opened.created + 100) },
    );
    // That second bond already backs another opening of the payer on the same receipt, signed just before.
    const other = createDisputeOpened(
      world.payer,
      { ...world.openedBody, bond: idOf(world.bonds.payerAppeal), claim: 'and it was late' },
      { clock: at(world.opened.created - 5) },
    );
    const scratch = await ledgerWith(verifier, [...world.base, world.opened, answer]);
    const header = regtestHeader(1);
    const panel = await drawFor(scratch, dispute, 0, header);
    await scratch.close();
    // Nobody votes: the claim is unproved, the payer (claimant) lost round 0.
    const drawn = createDisputeDrawn(
      world.custodian,
      { dispute, round: 0, appeal: null, header, panel },
      { clock: at(answerBy + 1) },
    );
    const home = join(dir, 'payer');
    expect((await agora(['init', '--name', 'payer', '--network', 'regtest', '--home', home])).code).toBe(0);
    await saveAgentKey(homePaths(home).key, world.payer, { overwrite: true });
    const events = [...world.base, world.opened, other, answer, drawn]
      .map((e) => canonicalJson(e))
      .join('\n');
    await writeFile(join(dir, 'payer.jsonl'), events);
    const imported = await agora(['ledger', 'import', join(dir, 'payer.jsonl'), '--home', home]);
    expect(imported.code).toBe(0);
    const round0 = roundTimes(answerBy, 0);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((round0.revealsClose + 60) * 1000);
    let result: { code: number; stderr: string };
    try {
      result = await agora([
        'dispute',
        'appeal',
        dispute,
        '--bond',
        idOf(world.bonds.payerAppeal),
        '--seed-height',
        '900100',
        '--home',
        home,
      ]);
    } finally {
      vi.useRealTimers();
    }
    // Stored or not, the appeal does not count: the payer's loss is final once the window closes.
    const final = await withHomeLedger(home, (ledger) =>
      readDispute(ledger, dispute, round0.appealsClose + 60),
    );
    expect(final).toMatchObject({ status: 'decided', winner: 'respondent', appeals: [] });
    // The attack (on the appellant): the command stored an appeal that can never count and exited 0.
    expect(result.code).toBe(1);
    expect(
      await withHomeLedger(home, async (ledger) => {
        let count = 0;
        for await (const _ of ledger.events({ type: 'dispute.appealed' })) count++;
        return count;
      }),
    ).toBe(0);
  }, 120_000);
});
