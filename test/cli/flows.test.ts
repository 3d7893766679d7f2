import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeatherApi } from '../../examples/paid-apis.js';
import { DevLightningBackend, serveDevLightning } from '../../src/cli/dev-lightning.js';
import { isAgoraError } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration } from '../../src/ledger/index.js';
import { StakeCustodianClient } from '../../src/stake/index.js';
import { freePort } from '../helpers.js';
import { type Outcome, agora as run } from './harness.js';
import { STACK_FRAME } from './spawn.js';

let dir: string;
const printed: string[] = [];
/** Every command of these flows, its output kept to check that no stack trace appears anywhere. */
async function agora(argv: string[], options: Parameters<typeof run>[1] = {}): Promise<Outcome> {
  const outcome = await run(argv, options);
  printed.push(outcome.stdout, outcome.stderr);
  return outcome;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-flows-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  expect(printed.join('\n')).not.toMatch(STACK_FRAME);
});

async function reachable(url: string): Promise<StakeCustodianClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await StakeCustodianClient.connect(url, { timeoutMs: 1_000 });
    } catch (error) {
      if (!isAgoraError(error) || attempt > 300) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const json = (outcome: Outcome) => JSON.parse(outcome.stdout);
const lines = (outcome: Outcome) =>
  outcome.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('flows for a CLI user', () => {
  it('fetch pays an L402 API over the dev network and keeps the receipt; rate, agents and stake without LND', async () => {
    const network = await serveDevLightning({ port: 0, host: '127.0.0.1' });
    const providerKey = generateAgentKey();
    const providerNode = new DevLightningBackend(`${network.url}/provider`);
    const api = await startWeatherApi(providerNode, providerKey);
    const stop = new AbortController();
    let serving: Promise<Outcome> | undefined;
    try {
      const alice = join(dir, 'alice');
      const carol = join(dir, 'carol');
      const carolInit = await agora(['init', '--home', carol, '--name', 'carol', '--json']);
      expect(carolInit.code).toBe(0);
      // Alice's network accepts Carol as a custodian: stake weights need one on bitcoin.
      const carolId = json(carolInit).id as string;
      expect((await agora(['init', '--home', alice, '--name', 'alice', '--custodian', carolId])).code).toBe(
        0,
      );
      // The provider publishes its registration (with its node key); Alice's ledger gets it as from a relay.
      const registration = await createAgentRegistration(providerKey, {
        name: 'weather',
        nodeKeys: [(await providerNode.info()).nodeKey],
      });
      expect(
        (
          await agora(['ledger', 'import', '-', '--home', alice], {
            stdin: `${JSON.stringify(registration)}\n`,
          })
        ).code,
      ).toBe(0);
      const dev = ['--lightning-dev', `${network.url}/alice`];

      const fetched = await agora([
        'fetch',
        `${api.url}/forecast?city=Oslo`,
        '--max-cost',
        '5',
        ...dev,
        '--home',
        alice,
        '--json',
      ]);
      expect(fetched.code).toBe(0);
      const paid = json(fetched);
      expect(paid).toMatchObject({ status: 200, paidMsat: 2_000, provider: providerKey.id, stored: true });
      expect(JSON.parse(paid.body)).toMatchObject({ city: 'Oslo' });
      const text = await agora(['fetch', `${api.url}/forecast?city=Rome`, ...dev, '--home', alice]);
      expect(text.stdout).toContain('"city":"Rome"');
      expect(text.stderr).toMatch(/^paid 2 sat to [0-9a-f]{64}; receipt [0-9a-f]{64} stored/);
      // Above the limit: refused before paying.
      const dear = await agora(['fetch', `${api.url}/forecast`, '--max-cost', '1', ...dev, '--home', alice]);
      expect(dear.code).toBe(1);
      expect(dear.stderr).toMatch(/above the limit .*\[BUDGET_EXCEEDED\]\n$/);

      // A negative rating is an argument, not a flag.
      const rated = await agora(['rate', paid.receipt, '-2', '--home', alice, '--json']);
      expect(rated.code).toBe(0);
      expect(json(rated)).toMatchObject({ receipt: paid.receipt, value: -2 });
      const twice = await agora(['rate', paid.receipt, '1', '--home', alice]);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toMatch(/\[ALREADY_EXISTS\]/);

      const agents = lines(await agora(['agents', '--home', alice, '--json']));
      expect(agents.map((a) => a.name).sort()).toEqual(['alice', 'weather']);
      for (const agent of agents) {
        expect(agent.id).toMatch(/^[0-9a-f]{64}$/);
        expect(Number.isInteger(agent.registered)).toBe(true);
        expect(Number.isInteger(agent.reputation)).toBe(true);
      }
      const table = await agora(['agents', '--home', alice]);
      expect(table.stdout).toMatch(/^agent +name +registered \(UTC\) +reputation/);
      expect(table.stdout).toMatch(/ weather +\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z /);

      // Stake without LND: Carol keeps custody on the dev network, Alice locks sats with her.
      const port = await freePort();
      serving = agora(
        [
          'stake',
          'serve',
          '--home',
          carol,
          '--port',
          String(port),
          '--lightning-dev',
          `${network.url}/carol`,
        ],
        { signal: stop.signal },
      );
      const custodian = `http://127.0.0.1:${port}`;
      const client = await reachable(custodian);
      const locked = await agora([
        'stake',
        'lock',
        '--custodian',
        custodian,
        '--amount',
        '20000',
        '--until',
        '+2h',
        ...dev,
        '--home',
        alice,
        '--json',
      ]);
      expect(locked.code).toBe(0);
      expect(json(locked)).toMatchObject({ custodian: client.id, amountSat: 20_000, mode: 'non-custodial' });
      const status = await agora(['stake', 'status', '--home', alice]);
      expect(status.stdout).toMatch(/locked +20000 sat {2}until \d{4}-\d{2}-\d{2}T/);
      // The stake weighs in a stake-weighted proposal: before, there was no way to make one without LND.
      const proposal = await agora([
        'proposal',
        'create',
        '--title',
        'stake',
        '--weight-mode',
        'stake',
        '--closes',
        '+1h',
        '--home',
        alice,
      ]);
      expect({ code: proposal.code, stderr: proposal.stderr }).toEqual({ code: 0, stderr: '' });
      expect(proposal.stdout).toMatch(/snapshot 1 members, total weight 20000 sats locked in stake/);
    } finally {
      stop.abort();
      expect((await serving)?.code).toBe(130);
      await api.close();
      await network.close();
    }
  }, 300_000);

  it('three homes exchange ledgers, propose, vote and tally alike; the result waits for the window to close', async () => {
    const [alice, bob, carol] = ['alice3', 'bob3', 'carol3'].map((name) => join(dir, name)) as [
      string,
      string,
      string,
    ];
    for (const home of [alice, bob, carol]) expect((await agora(['init', '--home', home])).code).toBe(0);
    const file = (home: string) => `${home}.jsonl`;
    const exchange = async () => {
      for (const home of [alice, bob, carol])
        expect((await agora(['ledger', 'export', '--home', home, '--out', file(home)])).code).toBe(0);
      for (const home of [alice, bob, carol]) {
        const others = [alice, bob, carol].filter((h) => h !== home).map(file);
        expect((await agora(['ledger', 'import', ...others, '--home', home])).code).toBe(0);
      }
    };
    await exchange();
    // Cancelable only before the window opens, and once.
    const later = json(
      await agora(['proposal', 'create', '--title', 'later', '--opens', '+1h', '--home', alice, '--json']),
    );
    expect((await agora(['proposal', 'cancel', later.id, '--home', alice])).code).toBe(0);
    const again = await agora(['proposal', 'cancel', later.id, '--home', alice]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/canceled already .*\[ALREADY_EXISTS\]/);

    const created = await agora([
      'proposal',
      'create',
      '--title',
      'Buy maps',
      '--closes',
      '+150s',
      '--home',
      alice,
      '--json',
    ]);
    const { id, members } = json(created);
    expect(members).toBe(3);
    const tooLate = await agora(['proposal', 'cancel', id, '--home', alice]);
    expect(tooLate.stderr).toMatch(/opened at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z.*\[INVALID_STATE\]/);
    await exchange();
    const votes = await Promise.all([
      agora(['vote', id, 'for', '--home', bob]),
      agora(['vote', id, 'against', '--home', carol]),
      agora(['vote', id, 'for', '--home', alice]),
    ]);
    for (const vote of votes)
      expect({ code: vote.code, stderr: vote.stderr }).toEqual({ code: 0, stderr: '' });
    await exchange();
    const open = await agora(['tally', id, '--home', bob]);
    const closes = json(await agora(['tally', id, '--home', bob, '--json'])).closes as number;
    if (Date.now() / 1000 < closes) {
      expect(open.stdout).toMatch(/result {7}none yet: voting is open until \d{4}-/);
      expect(json(await agora(['tally', id, '--home', bob, '--json']))).toMatchObject({
        state: 'active',
        final: false,
      });
      const list = await agora(['proposal', 'list', '--home', carol]);
      expect(list.stdout).toMatch(/^proposal +state +counting/);
      expect(list.stdout).toMatch(/ active +single/);
      await new Promise((resolve) => setTimeout(resolve, (closes + 1) * 1000 - Date.now()));
    }
    const tallies = await Promise.all(
      [alice, bob, carol].map((home) => agora(['tally', id, '--home', home, '--json'])),
    );
    const results = tallies.map((t) => json(t));
    for (const result of results) {
      expect(result).toMatchObject({
        state: 'succeeded',
        final: true,
        tally: { totals: { for: '2', against: '1' } },
      });
      // The proposer is an agent id, as in proposal show.
      expect(result.proposal.proposer).toMatch(/^[0-9a-f]{64}$/);
    }
    const shown = json(await agora(['proposal', 'show', id, '--home', carol, '--json']));
    expect(shown.proposer).toBe(results[0].proposal.proposer);
    const late = await agora(['vote', id, 'for', '--home', alice]);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/voting on [0-9a-f]{64} is closed: the window is \d{4}-.* \[INVALID_STATE\]/);
  }, 600_000);

  it('simulate --home leaves a home the other commands read', async () => {
    const home = join(dir, 'sim');
    const simulated = await agora([
      'simulate',
      '--agents',
      '6',
      '--providers',
      '3',
      '--rounds',
      '5',
      '--voters',
      '2',
      '--home',
      home,
    ]);
    expect(simulated.code).toBe(0);
    expect(simulated.stdout).toContain(`home ${home}`);
    expect(simulated.stdout).toMatch(/members: /);
    const agents = lines(await agora(['agents', '--home', home, '--json']));
    expect(agents.length).toBe(6 + 3);
    expect(agents.map((a) => a.name)).toContain('provider-0');
    expect(agents.some((a) => a.reputation > 0)).toBe(true);
    const proposals = lines(await agora(['proposal', 'list', '--home', home, '--json']));
    expect(proposals).toHaveLength(2);
    for (const p of proposals) expect(['succeeded', 'defeated', 'anchored']).toContain(p.state);
    expect((await readdir(join(home, 'agents'))).sort()).toContain('agent-0.json');
    const me = json(await agora(['id', 'show', '--home', home, '--json']));
    expect(agents.map((a) => a.id)).toContain(me.id);
    const again = await agora(['simulate', '--rounds', '1', '--home', home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/holds a ledger already.*\[ALREADY_EXISTS\]/);
  }, 600_000);
});
