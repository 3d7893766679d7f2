// Eighth review of issue 20: `agora dispute appeal` refuses a seed height above `maxAppealSeedHeight` and (where its
// ledger follows a chain) one within 36 blocks of the tip, and its help asks for "the tip plus 36 or more". The bound
// is twice the blocks Bitcoin's target mines from the opening to the appeal round's voting close: it is the most an
// appeal may name to count at all, and the sixth review showed a height near it is mined days after the round's draw
// can count. Since then such a round ends `undrawn` and the appeal is `forfeited`, its bond (twice the largest at
// stake) settled to the winner. The command still takes any height up to the bound, stores the appeal and exits 0:
// an appellant naming a height "well past the tip, to be safe", or the very bound the command's own error message
// names, loses its bond for certain, with nothing telling it. The fifth review's rule for this command was to refuse,
// before signing, what can never serve the appellant; a height the command can tell will be mined after the draw
// deadline is one. Fixed: the command refuses (INVALID_STATE) a height whose block, at Bitcoin's target pace from the tip the ledger
// follows (or, following none, from the opening's seed height and time), would not be mined, settled and drawn by the
// appeal round's voting close (with a day's margin, `reachableSeedHeight`), naming the highest height that would, and
// says so in its help.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { homePaths, withHomeLedger } from '../../src/cli/home.js';
import { canonicalJson } from '../../src/core/index.js';
import { maxAppealSeedHeight, readDispute, roundTimes, settlement } from '../../src/disputes/index.js';
import { saveAgentKey } from '../../src/identity/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { releaseCurve, type Verifier } from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { buildWorld, disputeFlow, idOf } from '../disputes/fixture.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let dir: string;
let verifier: Verifier;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-dispute-far-seed-'));
  verifier = await panelVerifier();
}, 120_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute appeal', () => {
  it('refuses a seed height mined only after its round can be drawn, instead of a certain forfeit', async () => {
    const world = await buildWorld({ verifier, jurorCount: 17 });
    const dispute = idOf(world.opened);
    const { answerBy, seedHeight } = world.openedBody;
    // Round 0: nobody votes, the claim is unproved: the payer (claimant) lost it.
    const events = (await disputeFlow(world, await panelProver(), verifier, [], 1, {
      extras: false,
    })) as LedgerEvent[];
    const home = join(dir, 'payer');
    expect((await agora(['init', '--name', 'payer', '--network', 'regtest', '--home', home])).code).toBe(0);
    await saveAgentKey(homePaths(home).key, world.payer, { overwrite: true });
    await writeFile(
      join(dir, 'payer.jsonl'),
      [...world.base, world.opened, ...events].map((e) => canonicalJson(e)).join('\n'),
    );
    expect((await agora(['ledger', 'import', join(dir, 'payer.jsonl'), '--home', home])).code).toBe(0);
    const round0 = roundTimes(answerBy, 0);
    const round1 = roundTimes(answerBy, 1);
    // The highest height the command takes: at Bitcoin's 10 minutes a block from the opening's seed height, it is
    // mined days after round 1's voting close (the last moment its draw may be published).
    const bound = maxAppealSeedHeight(seedHeight, world.opened.created, answerBy, 1);
    expect(world.opened.created + 4 * 3_600 + (bound - seedHeight) * 600).toBeGreaterThan(
      round1.votesClose + 3 * 86_400,
    );
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((round0.revealsClose + 60) * 1000);
    let code: number;
    try {
      ({ code } = await agora([
        'dispute',
        'appeal',
        dispute,
        '--bond',
        idOf(world.bonds.payerAppeal),
        '--seed-height',
        String(bound),
        '--home',
        home,
      ]));
    } finally {
      vi.useRealTimers();
    }
    const view = await withHomeLedger(home, (ledger) =>
      readDispute(ledger, dispute, round1.votesClose + 3_600),
    );
    const forBond = settlement(view)?.find((i) => i.lock === idOf(world.bonds.payerAppeal));
    // The attack (on the appellant) was: the command stored the appeal and exited 0; its round was never drawn, the
    // appeal forfeited and its 4,000 sats settled to the provider and round 0's jurors. It is refused, nothing stored.
    expect(view.appeals).toEqual([]);
    expect(view.forfeited).toBeUndefined();
    expect(forBond?.action).not.toBe('settle');
    expect(code).toBe(1);
  }, 180_000);
});
