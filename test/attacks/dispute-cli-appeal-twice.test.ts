// Tenth review of issue 20 (the newest fix, 7ef5d78: of a round's appeals by its loser the first published counts;
// `agora dispute appeal` refuses "an appeal that would never count"). Attack (on the appellant, by the command): with
// publication witnesses, `agora dispute appeal` reads the dispute with the witnesses' listings, and an appeal stored but
// not listed yet is not shown, so the dispute still reads `appealable`. A loser that runs the command a second time
// before the next witness round (it saw no change, or a script retried) is given a second appeal: a fresh bond, a
// fresh height, stored and printed, exit 0. Both are listed by the same witness round; the first published (the same
// listing, then the earlier `created`) counts, and the second never can: an event signed and stored for nothing, its
// bond tied to a use that gets no instruction. The command exists to refuse exactly that ("so that nothing is stored
// and signed for nothing"). Low: the caller's own repetition, no one else's loss; its second bond stays held until its
// custodian lets it go.
// Suggested fix: `agora dispute appeal` refuses (`INVALID_STATE`, naming it) when the ledger holds an appeal of that
// round by the caller whose bond counts (`countedBond` at its `created`), listed or not: under `publishedFirst` a later
// one of the caller's can never come before it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { homePaths, withHomeLedger } from '../../src/cli/home.js';
import { canonicalJson } from '../../src/core/index.js';
import { readDispute, roundTimes } from '../../src/disputes/index.js';
import { saveAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { buildWorld, custodialLock, disputeFlow, idOf } from '../disputes/fixture.js';
import { reading, witnessAt } from '../fixtures/witness.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let dir: string;
let verifier: Verifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-dispute-appeal-twice-'));
  verifier = await panelVerifier();
}, 120_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

async function agoraAt(now: number, argv: string[]) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now * 1000);
  try {
    return await agora(argv);
  } finally {
    vi.useRealTimers();
  }
}

describe('agora dispute appeal, run twice before a witness round', () => {
  it('refuses a second appeal of the round that can never count', async () => {
    const world = await buildWorld({ verifier, jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    // Round 0: nobody votes, the claim is unproved: the payer (claimant) lost it.
    const [answer, ...rest] = (await disputeFlow(world, await panelProver(), verifier, [], 1, {
      extras: false,
    })) as [LedgerEvent, ...LedgerEvent[]];
    const spare = custodialLock(world, world.payer, 4_000, world.opened.created + 10, 'second appeal');
    // The payer's home, on a network whose custodian is its publication witness.
    const home = join(dir, 'payer');
    const init = await agora([
      'init',
      '--name',
      'payer',
      '--network',
      'regtest',
      '--custodian',
      world.custodian.id,
      '--home',
      home,
    ]);
    expect(init.code).toBe(0);
    await saveAgentKey(homePaths(home).key, world.payer, { overwrite: true });
    const events = [...world.base, spare, world.opened, answer];
    await writeFile(join(dir, 'payer.jsonl'), events.map((e) => canonicalJson(e)).join('\n'));
    expect((await agora(['ledger', 'import', join(dir, 'payer.jsonl'), '--home', home])).code).toBe(0);
    await withHomeLedger(home, async (ledger) => {
      await witnessAt(ledger, world.custodian, answerBy - 7_200);
      await ledger.importLines(rest.map((e) => JSON.stringify(e)));
      await witnessAt(ledger, world.custodian, round0.votesClose + 600);
    });

    const appeal = (now: number, bond: string, height: string) =>
      agoraAt(now, ['dispute', 'appeal', dispute, '--bond', bond, '--seed-height', height, '--home', home]);
    const first = await appeal(round0.revealsClose + 7_260, idOf(world.bonds.payerAppeal), '900100');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // Ten minutes on, no witness round yet: the payer runs it again with its other stake.
    const second = await appeal(round0.revealsClose + 7_860, idOf(spare), '900110');

    // The witness round lists whatever is stored: the first appeal counts, a second one never can.
    const listed = round0.revealsClose + 9_000;
    const view = await withHomeLedger(home, async (ledger) => {
      await witnessAt(ledger, world.custodian, listed);
      return readDispute(ledger, dispute, listed + 600, await reading(ledger, listed + 600));
    });
    expect(view.appeals.map((a) => a.id)).toEqual([first.stdout.trim()]);
    const stored = await withHomeLedger(home, async (ledger) => {
      let count = 0;
      for await (const _ of ledger.events({ type: 'dispute.appealed' })) count++;
      return count;
    });
    // The attack (on the appellant): the command stored an appeal that can never count and exited 0.
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/\[INVALID_STATE\]/);
    expect(stored).toBe(1);
  }, 240_000);
});
