// Ninth review of issue 20 (the sixth review's fix, `freeBond`, and the fifth's appeal checks). `agora dispute open`,
// `answer` and `appeal` refuse a bond another dispute event owns, and `appeal` an unknown stake or one too small, "so
// that nothing is stored and signed for nothing, never counting". None checks that the stake is still locked: a bond
// counts only when `stakeState(stake, created)` is `locked` (`countedBond`), and the ingest rule checks the lock's
// promised `until`, not its ending. A stake its custodian released (renewed by a newer lock, say: the staker picks the
// old lock id from its notes) passes every check: the appeal is stored, the command prints its id and exits 0, and
// the appeal never counts; the appellant's loss turns final when the window closes with nothing said. The same holds
// for `answer`, where the answer not counting is a default loss (`blacklist-dispute-losers` counts it). Low: the
// caller's own mistake, but the command exists to catch exactly that.
// Suggested fix: `freeBond` (or a helper beside it) reads the stake and refuses (`INVALID_STATE`) one not locked now
// (`stakeState(stake, now) !== 'locked'`, naming its state), and a lock `readStake` does not count (a rival lock holds
// its payment), before anything is signed.
// Fixed: `open`, `answer` and `appeal` read the stake as `readDispute` counts bonds (`bondStanding`: a counted lock,
// `locked` when the event is signed, the rule `countedBond` applies) and refuse (`INVALID_STATE`, naming its state)
// one that would not count, before anything is signed or stored; the event is dated the moment the stake was checked.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { homePaths, withHomeLedger } from '../../src/cli/home.js';
import { canonicalJson } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  createDisputeDrawn,
  drawFor,
  readDispute,
  roundTimes,
} from '../../src/disputes/index.js';
import { type AgentKey, saveAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { createStakeReleased } from '../../src/stake/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { at, buildWorld, custodialLock, idOf, ledgerWith, regtestHeader } from '../disputes/fixture.js';
import { panelVerifier } from '../fixtures/zk.js';

let dir: string;
let verifier: Verifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-dispute-bond-ended-'));
  verifier = await panelVerifier();
}, 120_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute appeal', () => {
  it('refuses a bond its custodian already released instead of storing an appeal that never counts', async () => {
    const world = await buildWorld({ verifier, jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy } = world.openedBody;
    const round0 = roundTimes(answerBy, 0);
    // The provider answers with 4,000 sats: an appeal needs 8,000.
    const answer = createDisputeAnswered(
      world.provider,
      { dispute, evidence: 'served as paid', bond: idOf(world.bonds.providerAppeal) },
      { clock: at(world.opened.created + 100) },
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
    // The payer's 8,000 sat stake, locked after the opening, released by its custodian on a renewal a day before the appeal.
    const old = custodialLock(world, world.payer, 8_000, world.opened.created + 10, 'renewed away');
    const released = createStakeReleased(
      world.custodian,
      { lock: idOf(old), reason: 'renewed' },
      { clock: at(round0.revealsClose - 86_400) },
    );
    const home = join(dir, 'payer');
    expect((await agora(['init', '--name', 'payer', '--network', 'regtest', '--home', home])).code).toBe(0);
    await saveAgentKey(homePaths(home).key, world.payer, { overwrite: true });
    const events = [...world.base, old, world.opened, answer, drawn, released];
    await writeFile(join(dir, 'payer.jsonl'), events.map((e) => canonicalJson(e)).join('\n'));
    expect((await agora(['ledger', 'import', join(dir, 'payer.jsonl'), '--home', home])).code).toBe(0);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((round0.revealsClose + 60) * 1000);
    let result: Awaited<ReturnType<typeof agora>>;
    try {
      result = await agora([
        'dispute',
        'appeal',
        dispute,
        '--bond',
        idOf(old),
        '--seed-height',
        '900100',
        '--home',
        home,
      ]);
    } finally {
      vi.useRealTimers();
    }
    const stored = await withHomeLedger(home, async (ledger) => {
      let count = 0;
      for await (const _ of ledger.events({ type: 'dispute.appealed' })) count++;
      const final = await readDispute(ledger, dispute, round0.appealsClose + 60);
      return { count, final };
    });
    // Stored or not, the appeal does not count: the payer's loss is final once the window closes.
    expect(stored.final).toMatchObject({ status: 'decided', winner: 'respondent', appeals: [] });
    // The attack (on the appellant): the command stored an appeal that can never count and exited 0.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/released, not locked.*\[INVALID_STATE\]/);
    expect(stored.count).toBe(0);
  }, 120_000);
});

/** A home for `key` holding `events`, its ledger read at `now` by the CLI. */
async function homeWith(name: string, key: AgentKey, events: readonly LedgerEvent[]): Promise<string> {
  const home = join(dir, name);
  expect((await agora(['init', '--name', name, '--network', 'regtest', '--home', home])).code).toBe(0);
  await saveAgentKey(homePaths(home).key, key, { overwrite: true });
  await writeFile(join(dir, `${name}.jsonl`), events.map((e) => canonicalJson(e)).join('\n'));
  expect((await agora(['ledger', 'import', join(dir, `${name}.jsonl`), '--home', home])).code).toBe(0);
  return home;
}

async function agoraAt(now: number, argv: string[]) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now * 1000);
  try {
    return await agora(argv);
  } finally {
    vi.useRealTimers();
  }
}

const countOf = (home: string, type: string) =>
  withHomeLedger(home, async (ledger) => {
    let count = 0;
    for await (const _ of ledger.events({ type })) count++;
    return count;
  });

describe('agora dispute answer and open', () => {
  it('refuse a released bond before anything is signed, and take a locked one', async () => {
    const world = await buildWorld({ verifier, jurorCount: 5 });
    const dispute = idOf(world.opened);
    const answerAt = world.opened.created + 100;
    // The provider's 2,000 sat stake, released before its answer; a second one still locked.
    const old = custodialLock(world, world.provider, 2_000, world.opened.created + 10, 'answer released');
    const released = createStakeReleased(
      world.custodian,
      { lock: idOf(old), reason: 'renewed' },
      { clock: at(answerAt - 50) },
    );
    const provider = await homeWith('provider', world.provider, [...world.base, world.opened, old, released]);
    const answer = (bond: string) =>
      agoraAt(answerAt, [
        'dispute',
        'answer',
        dispute,
        '--evidence',
        'served as paid',
        '--bond',
        bond,
        '--home',
        provider,
      ]);
    const refused = await answer(idOf(old));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/released, not locked.*\[INVALID_STATE\]/);
    expect(await countOf(provider, 'dispute.answered')).toBe(0);
    // A stake still locked is taken, and the answer counts.
    const taken = await answer(idOf(world.bonds.provider));
    expect(taken.code).toBe(0);
    const view = await withHomeLedger(provider, (ledger) => readDispute(ledger, dispute, answerAt + 1));
    expect(view.answer?.id).toBe(taken.stdout.trim());

    // The payer opens a second dispute over the receipt with a released stake: refused before the sources are signed.
    const gone = custodialLock(world, world.payer, 2_000, world.opened.created + 10, 'open released');
    const freed = createStakeReleased(
      world.custodian,
      { lock: idOf(gone), reason: 'renewed' },
      { clock: at(answerAt - 50) },
    );
    const payer = await homeWith('payer-open', world.payer, [...world.base, gone, freed]);
    const before = await countOf(payer, 'snapshot.sources');
    const open = await agoraAt(answerAt, [
      'dispute',
      'open',
      '--receipt',
      idOf(world.receipt),
      '--claim',
      'garbage served',
      '--bond',
      idOf(gone),
      '--seed-height',
      '900000',
      '--jurors',
      'stake',
      '--home',
      payer,
    ]);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/released, not locked.*\[INVALID_STATE\]/);
    expect(await countOf(payer, 'dispute.opened')).toBe(0);
    expect(await countOf(payer, 'snapshot.sources')).toBe(before);
  }, 120_000);
});
