// Fourth review of issue 20: `agora dispute ...` on bad input.
//   - `agora dispute open` appends the electorate's `snapshot.sources` before the opening is verified: an opening the
//     ledger refuses (here: the home's agent is no party to the receipt) leaves the signed sources stored (and synced)
//     for nothing.
//   - One damaged file in the home's `dispute-votes/` makes every `agora dispute reveal` and `attend` fail with an
//     `INTERNAL` "unexpected error" (the JSON parser's message), on every dispute: a juror cannot reveal any vote.
//   - `agora dispute list --at abc` exits 0 when the ledger holds no dispute: the option is read lazily.
//   - `agora dispute vote` appended the sealed vote before saving its salt and one-time payout key: a failed write
//     left a counted vote that could never be revealed (nor paid), the juror absent in all but name.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { homePaths, withHomeLedger } from '../../src/cli/home.js';
import { canonicalJson } from '../../src/core/index.js';
import type { DisputeDrawnBody } from '../../src/disputes/index.js';
import { type AgentKey, saveAgentKey } from '../../src/identity/index.js';
import { releaseCurve } from '../../src/zk/index.js';
import { agora } from '../cli/harness.js';
import { buildWorld, disputeFlow, idOf, type World } from '../disputes/fixture.js';
import { panelProver, panelVerifier } from '../fixtures/zk.js';

let dir: string;
let world: World;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-dispute-cli-bad-'));
  world = await buildWorld({ verifier: await panelVerifier(), jurorCount: 3 });
  await writeFile(join(dir, 'world.jsonl'), world.base.map((e) => canonicalJson(e)).join('\n'));
}, 120_000);

afterAll(async () => {
  releaseCurve();
  await rm(dir, { recursive: true, force: true });
});

const countEvents = (home: string) =>
  withHomeLedger(home, async (ledger) => {
    let n = 0;
    for await (const _ of ledger.events()) n++;
    return n;
  });

const countVotes = (home: string) =>
  withHomeLedger(home, async (ledger) => {
    let n = 0;
    for await (const _ of ledger.events({ type: 'dispute.vote' })) n++;
    return n;
  });

describe('agora dispute on bad input', () => {
  it('a refused opening leaves nothing in the ledger', async () => {
    const home = join(dir, 'outsider');
    expect((await agora(['init', '--name', 'outsider', '--network', 'regtest', '--home', home])).code).toBe(
      0,
    );
    expect((await agora(['ledger', 'import', join(dir, 'world.jsonl'), '--home', home])).code).toBe(0);
    const before = await countEvents(home);
    // At a moment the payer's bond is locked (the command refuses a stake not locked now before signing anything):
    // the refusal here is the ledger's, of an opening by no party to the receipt.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((world.opened.created + 60) * 1000);
    const open = await agora([
      'dispute',
      'open',
      '--receipt',
      idOf(world.receipt),
      '--claim',
      'not mine to dispute',
      '--bond',
      idOf(world.bonds.payer),
      '--seed-height',
      '900000',
      '--jurors',
      'stake',
      '--home',
      home,
    ]).finally(() => vi.useRealTimers());
    expect(open.code).not.toBe(0);
    expect(open.stderr).toMatch(/\[INVALID_EVENT\]/);
    // The attack (a sloppy write): the signed sources of the refused opening are stored.
    expect(await countEvents(home)).toBe(before);
  }, 60_000);

  it('a damaged saved vote gives a typed error naming the file, not an unexpected one', async () => {
    const home = join(dir, 'juror');
    expect((await agora(['init', '--name', 'juror', '--network', 'regtest', '--home', home])).code).toBe(0);
    await mkdir(join(home, 'dispute-votes'), { recursive: true });
    await writeFile(join(home, 'dispute-votes', 'damaged.json'), '{"dispute": "ab');
    const reveal = await agora(['dispute', 'reveal', 'ab'.repeat(32), '--home', home]);
    expect(reveal.code).not.toBe(0);
    expect(reveal.stderr).not.toMatch(/\[INTERNAL\]/);
  }, 60_000);

  it('dispute list refuses a bad --at on a ledger without disputes', async () => {
    const home = join(dir, 'empty');
    expect((await agora(['init', '--name', 'empty', '--network', 'regtest', '--home', home])).code).toBe(0);
    const list = await agora(['dispute', 'list', '--at', 'abc', '--home', home]);
    expect(list.stderr).toMatch(/\[USAGE\]/);
    expect(list.code).toBe(2);
  }, 60_000);

  it('a vote whose salt and payout key cannot be saved is not appended', async () => {
    const verifier = await panelVerifier();
    // A world with enough jurors for a panel of five.
    const world = await buildWorld({ verifier });
    const [answer, drawn] = await disputeFlow(world, await panelProver(), verifier, [], 1, {
      extras: false,
      attend: false,
    });
    const panel = ((drawn as (typeof world.base)[number]).body as unknown as DisputeDrawnBody).panel;
    const juror = world.jurors.find((key) => key.id === panel[0]) as AgentKey;
    const home = join(dir, 'seated');
    expect((await agora(['init', '--name', 'seated', '--network', 'regtest', '--home', home])).code).toBe(0);
    await saveAgentKey(homePaths(home).key, juror, { overwrite: true });
    const events = [...world.base, world.opened, answer, drawn].map((e) => canonicalJson(e)).join('\n');
    await writeFile(join(dir, 'seated.jsonl'), events);
    expect((await agora(['ledger', 'import', join(dir, 'seated.jsonl'), '--home', home])).code).toBe(0);
    // Where the saved votes go is taken by a plain file: nothing can be saved there.
    await writeFile(join(home, 'dispute-votes'), 'not a directory');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((world.openedBody.answerBy + 60) * 1000);
    try {
      const vote = await agora(['dispute', 'vote', idOf(world.opened), 'upheld', '--home', home]);
      expect(vote.code).not.toBe(0);
    } finally {
      vi.useRealTimers();
    }
    // The attack (a write in the wrong order): the vote is counted, and nothing can ever reveal it.
    expect(await countVotes(home)).toBe(0);
  }, 120_000);
});
