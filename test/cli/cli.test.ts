import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration } from '../../src/ledger/index.js';
import { agora } from './harness.js';
import { BUILT_CLI, requireBuiltCli } from './spawn.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agora CLI', () => {
  it('init creates a 0600 key and a ledger holding the agent registration; id show prints it', async () => {
    const home = join(dir, 'alice');
    const init = await agora(['init', '--home', home, '--name', 'alice', '--json']);
    expect(init).toMatchObject({ code: 0, stderr: '' });
    const created = JSON.parse(init.stdout);
    expect(created.id).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(join(home, 'key.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    const shown = await agora(['id', 'show', '--json'], { env: { AGORA_HOME: home } });
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: created.id, zkCommitment: created.zkCommitment });
    const text = await agora(['id', 'show', '--home', home]);
    expect(text.stdout).toContain(created.id);
    const stats = await agora(['ledger', 'stats', '--home', home, '--json']);
    expect(JSON.parse(stats.stdout)).toEqual({ events: 1, lastSeq: 1, types: { 'agent.registered': 1 } });
    const again = await agora(['init', '--home', home]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds an agent key \[ALREADY_EXISTS\]/);
  });

  it('export then import moves the events to another home; re-import adds nothing', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await agora(['init', '--home', a]);
    await agora(['init', '--home', b]);
    const exported = await agora(['ledger', 'export', '--home', a]);
    expect(exported.code).toBe(0);
    const file = join(dir, 'a.jsonl');
    expect((await agora(['ledger', 'export', '--home', a, '--out', file])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(exported.stdout);
    const imported = await agora(['ledger', 'import', file, '--home', b, '--json']);
    expect(JSON.parse(imported.stdout)).toEqual({
      lines: 1,
      added: 1,
      duplicates: 0,
      refused: [],
      waiting: [],
    });
    const fromStdin = await agora(['ledger', 'import', '-', '--home', b], { stdin: exported.stdout });
    expect(fromStdin.stdout).toMatch(/imported 0 new events from 1 lines \(1 already stored\)/);
    const stats = JSON.parse((await agora(['ledger', 'stats', '--home', b, '--json'])).stdout);
    expect(stats.events).toBe(2);
  });

  it('import of a file with one bad line reports that line, imports the others and exits 1', async () => {
    const home = join(dir, 'importer');
    await agora(['init', '--home', home]);
    const lines = await Promise.all(
      Array.from({ length: 3 }, async () =>
        JSON.stringify(await createAgentRegistration(generateAgentKey())),
      ),
    );
    const bad = JSON.parse(lines[1] as string);
    bad.body.name = 'mallory';
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${lines[0]}\n${JSON.stringify(bad)}\n${lines[2]}\n`);
    const outcome = await agora(['ledger', 'import', file, '--home', home]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /^agora: \S+bad.jsonl:2: bad signature .* the other 2 lines were imported \(2 new events\) \[IMPORT_FAILED\]\n$/,
    );
    const stats = JSON.parse((await agora(['ledger', 'stats', '--home', home, '--json'])).stdout);
    // Its own registration and the two good lines: nothing valid is dropped because another line is bad.
    expect(stats.events).toBe(3);
    const missing = await agora(['ledger', 'import', join(dir, 'nope.jsonl'), '--home', home]);
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toMatch(/\[NOT_FOUND\]/);
  });

  it('gives usage errors exit code 2 and --help on every command', async () => {
    expect((await agora(['frobnicate'])).code).toBe(2);
    expect((await agora(['ledger', 'stats', '--bogus'])).stderr).toMatch(
      /Unknown option '--bogus'\. \(run agora/,
    );
    expect((await agora(['ledger', 'import'])).code).toBe(2);
    // Several files are fine; missing ones are refused (exit 1) before anything is imported.
    const two = await agora(['ledger', 'import', 'a', 'b', '--home', join(dir, 'a')]);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/cannot read a: no such file \[NOT_FOUND\]/);
    expect((await agora(['ledger'])).code).toBe(2);
    expect((await agora(['--help'])).stdout).toMatch(/^agora \d+\.\d+\.\d+: governance/);
    for (const command of [
      ['init'],
      ['id', 'show'],
      ['ledger', 'stats'],
      ['ledger', 'export'],
      ['ledger', 'import'],
    ]) {
      const help = await agora([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`usage: agora ${command.join(' ')}`);
    }
  });

  it('reports a missing key as NOT_FOUND with exit code 1', async () => {
    const outcome = await agora(['id', 'show', '--home', join(dir, 'empty')]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/\[NOT_FOUND\]/);
  });

  it('runs as a real process: message on stderr and the exit code', () => {
    const home = join(dir, 'spawned');
    requireBuiltCli();
    const spawned = (args: string[]) =>
      spawnSync(process.execPath, [BUILT_CLI, ...args], {
        encoding: 'utf8',
        env: { ...process.env, AGORA_HOME: home },
      });
    const ok = spawned(['init', '--json']);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).home).toBe(home);
    const bad = spawned(['init']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/ALREADY_EXISTS/);
    expect(spawned(['nonsense']).status).toBe(2);
  }, 180_000);
});

describe('agora init failure', () => {
  it('leaves no key behind when the ledger cannot be opened (held by another process)', async () => {
    const home = join(dir, 'locked');
    const first = await agora(['init', '--home', home]);
    expect(first.code).toBe(0);
    await rm(join(home, 'key.json'));
    const { Ledger } = await import('../../src/ledger/index.js');
    const { defaultRegistry } = await import('../../src/cli/home.js');
    const holder = await Ledger.open(join(home, 'ledger'), { registry: defaultRegistry() });
    try {
      const second = await agora(['init', '--home', home]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/STORE_UNAVAILABLE/);
      await expect(stat(join(home, 'key.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await holder.close();
    }
  });
});

describe('agora rep', () => {
  it('shows scores, explanations and the top agents from the receipts in the home ledger', async () => {
    const { economy } = await import('../reputation/economy.js');
    const { openHomeLedger } = await import('../../src/cli/home.js');
    const home = join(dir, 'reputation');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    const { agents, registrations, receipts, ratings } = await economy();
    const ledger = await openHomeLedger(home);
    try {
      await ledger.appendBatch([...registrations, ...receipts, ...ratings]);
    } finally {
      await ledger.close();
    }
    const top = await agora(['rep', 'top', '--n', '3', '--home', home, '--json']);
    expect(top.code).toBe(0);
    const parsed = JSON.parse(top.stdout) as {
      top: { id: string; score: number }[];
      convergence: { converged: boolean };
    };
    expect(parsed.top).toHaveLength(3);
    expect(parsed.convergence.converged).toBe(true);
    const provider = agents[4]?.key.id as string;
    const shown = JSON.parse((await agora(['rep', 'show', provider, '--home', home, '--json'])).stdout);
    expect(shown.score).toBeGreaterThan(0);
    expect(shown.receipts.length).toBeGreaterThan(0);
    const text = await agora(['rep', 'show', provider, '--home', home]);
    expect(text.stdout).toMatch(/score {7}\d+ ppb of all trust/);
    expect((await agora(['rep', 'show', 'nope', '--home', home])).code).toBe(1);
    expect((await agora(['rep', 'top', '--n', '0', '--home', home])).code).toBe(2);
    for (const command of [
      ['rep', 'show'],
      ['rep', 'top'],
    ])
      expect((await agora([...command, '--help'])).stdout).toContain(`usage: agora ${command.join(' ')}`);
  });
});
