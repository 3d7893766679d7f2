// Fifth review of issue 20: an appeal counts only with a bond of at least `appealBondFactor` times the largest bond
// put up so far (answer included), but the ingest rule can only check the opening bond, and `agora dispute appeal`
// checks nothing besides the dispute being `appealable`. A claimant whose respondent answered with a larger
// counter-bond appeals with twice its own opening bond (what the ledger accepts, and what the command's help said
// until this release): the command stores the appeal and prints its id, exit 0; the appeal never counts and the round
// the claimant lost becomes final when the window closes, its bond paid out, with nothing telling it why. Likewise an
// appeal by the round's winner is stored and silently ignored. The command should refuse (a typed `INVALID_STATE`
// naming the least bond, or that the caller won) before appending what can never count.
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
  dir = await mkdtemp(join(tmpdir(), 'agora-dispute-appeal-'));
  verifier = await panelVerifier();
}, 120_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Round 0 of a dispute whose claimant (the payer) lost, on the home of `who` (a party), with its bonds. `taken`: the
 * provider answers with its 2,000 sat bond (an appeal needs 4,000, what the payer's second bond holds), and that second
 * bond already backs another opening of the payer on the same receipt, signed just before.
 */
async function lostRound(who: 'payer' | 'provider', taken = false) {
  const world = await buildWorld({ verifier });
  const dispute = idOf(world.opened);
  const { answerBy } = world.openedBody;
  // Else the provider answers with its 4,000 sat bond, twice the opening's 2,000: an appeal needs 8,000.
  const answer = createDisputeAnswered(
    world.provider,
    {
      dispute,
      evidence: 'served as paid',
      bond: idOf(taken ? world.bonds.provider : world.bonds.providerAppeal),
    },
    { clock: at(world.opened.created + 100) },
  );
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
  const name = taken ? `${who}-taken` : who;
  const home = join(dir, name);
  expect((await agora(['init', '--name', who, '--network', 'regtest', '--home', home])).code).toBe(0);
  await saveAgentKey(homePaths(home).key, world[who], { overwrite: true });
  const events = [...world.base, world.opened, ...(taken ? [other] : []), answer, drawn];
  await writeFile(join(dir, `${name}.jsonl`), events.map((e) => canonicalJson(e)).join('\n'));
  expect((await agora(['ledger', 'import', join(dir, `${name}.jsonl`), '--home', home])).code).toBe(0);
  return { world, dispute, home, round0: roundTimes(answerBy, 0) };
}

/** `agora dispute appeal` at a minute into round 0's appeal window: its exit code and stderr. */
async function appealAt(round0: { revealsClose: number }, args: string[]) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime((round0.revealsClose + 60) * 1000);
  try {
    return await agora(['dispute', 'appeal', ...args]);
  } finally {
    vi.useRealTimers();
  }
}

describe('agora dispute appeal', () => {
  it('refuses a bond too small to count instead of storing an appeal that never counts', async () => {
    const { world, dispute, home, round0 } = await lostRound('payer');
    // 4,000 sats: twice the opening bond, half what the appeal needs.
    const { code, stderr } = await appealAt(round0, [
      dispute,
      '--bond',
      idOf(world.bonds.payerAppeal),
      '--seed-height',
      '900100',
      '--home',
      home,
    ]);
    // Stored or not, the appeal does not count: the payer's loss is final once the window closes.
    const final = await withHomeLedger(home, (ledger) =>
      readDispute(ledger, dispute, round0.appealsClose + 60),
    );
    expect(final).toMatchObject({ status: 'decided', winner: 'respondent', appeals: [] });
    // The attack (on the appellant): the command said nothing and exited 0.
    expect(code).toBe(1);
    expect(stderr).toMatch(/needs at least 8000/);
    expect(await appealsStored(home)).toBe(0);
  }, 120_000);

  it('refuses an appeal by the winner of the round, storing nothing', async () => {
    const { world, dispute, home, round0 } = await lostRound('provider');
    const { code, stderr } = await appealAt(round0, [
      dispute,
      '--bond',
      idOf(world.bonds.providerAppeal),
      '--seed-height',
      '900100',
      '--home',
      home,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/did not lose round 0/);
    expect(await appealsStored(home)).toBe(0);
  }, 120_000);

  // Sixth review of issue 20: the command checked the appellant and the bond's amount, not the bond's owner. A bond
  // belongs to its first use (`bondOwner`): an appeal naming a stake the caller already committed to another dispute
  // event was stored, exit 0, and never counted. It is refused before appending, as a bond too small is.
  it('refuses a bond another dispute event already owns instead of storing an appeal that never counts', async () => {
    const { world, dispute, home, round0 } = await lostRound('payer', true);
    const { code } = await appealAt(round0, [
      dispute,
      '--bond',
      idOf(world.bonds.payerAppeal),
      '--seed-height',
      '900100',
      '--home',
      home,
    ]);
    const final = await withHomeLedger(home, (ledger) =>
      readDispute(ledger, dispute, round0.appealsClose + 60),
    );
    expect(final).toMatchObject({ status: 'decided', winner: 'respondent', appeals: [] });
    // The attack (on the appellant): the command stored an appeal that can never count and exited 0.
    expect(code).toBe(1);
    expect(await appealsStored(home)).toBe(0);
  }, 120_000);
});

/** How many `dispute.appealed` events a home's ledger holds. */
async function appealsStored(home: string): Promise<number> {
  return withHomeLedger(home, async (ledger) => {
    let count = 0;
    for await (const _ of ledger.events({ type: 'dispute.appealed' })) count++;
    return count;
  });
}
