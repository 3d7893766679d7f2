import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandIndex } from '../../src/cli/command-index.js';
import { commandHelp } from '../../src/cli/run.js';
import { parseTime } from '../../src/cli/time.js';
import { needsTool } from '../optional-tool.js';
import { agora } from './harness.js';
import { agoraProcess, requireBuiltCli, STACK_FRAME } from './spawn.js';

let dir: string;
let home: string;
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(join(tmpdir(), 'agora-contract-'));
  home = join(dir, 'alice');
  expect((await agora(['init', '--home', home, '--name', 'alice'])).code).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One error line with its code, nothing else on stderr, no stack. */
function expectOneLineError(stderr: string, code: string): void {
  expect(stderr).not.toMatch(STACK_FRAME);
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^agora: .+ \\[${code}\\]$`));
}

describe('the CLI contract', () => {
  it('--version, help <command> and an examples section in every command help', async () => {
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8'));
    const [version, vote, ledger, unknown] = await Promise.all([
      agoraProcess(['--version']),
      agoraProcess(['help', 'vote']),
      agoraProcess(['help', 'ledger']),
      agoraProcess(['help', 'nope']),
    ]);
    expect(version).toMatchObject({ code: 0, stdout: `agora ${pkg.version}\n` });
    expect(vote.code).toBe(0);
    expect(vote.stdout).toMatch(/^usage: agora vote /);
    expect(vote.stdout).toMatch(/\nexamples:\n {2}agora vote /);
    expect(ledger.stdout).toMatch(/agora ledger import/);
    expect(unknown.code).toBe(2);
    expectOneLineError(unknown.stderr, 'USAGE');
    for (const entry of commandIndex) {
      const command = await entry.load();
      expect(command.examples.length).toBeGreaterThan(0);
      // Examples may show the commands used with it (dev lightning, then stake lock), itself among them.
      expect(command.examples.some((example) => example.includes(`agora ${command.name}`))).toBe(true);
      for (const example of command.examples) expect(example).toMatch(/^agora /);
      expect(commandHelp(command)).toContain('\nexamples:\n');
    }
  }, 180_000);

  it('every bad input exits 1 (refused) or 2 (usage) with one line naming its code, and no stack trace', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const garbage = join(dir, 'garbage.bin');
    await writeFile(garbage, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0xfe, 0x07, 0x41, 0x0d, 0x0a]));
    const txid = 'ab'.repeat(32);
    const id = 'cd'.repeat(32);
    const h = ['--home', home];
    const cases: [string[], number, string, RegExp?][] = [
      [
        ['proposal', 'create', '--title', 't', '--weight-mode', 'foo', ...h],
        2,
        'USAGE',
        /--weight-mode is one of/,
      ],
      [['proposal', 'create', '--title', 't', '--counting', 'foo', ...h], 2, 'USAGE'],
      [
        ['anchor', 'commit', id, '--dry-run', '--utxo', `${txid}:0:99999999999999999999`, ...h],
        2,
        'USAGE',
        /out of range/,
      ],
      [['ledger', 'export', '--out', dir, ...h], 1, 'IO', /is a directory/],
      [
        ['ledger', 'export', '--out', '/nonexistent-dir/x.jsonl', ...h],
        1,
        'NOT_FOUND',
        /\/nonexistent-dir does not exist/,
      ],
      [['ledger', 'import', dir, ...h], 1, 'IO', /is a directory/],
      [['ledger', 'stats', '--home', join(dir, 'typo')], 1, 'NOT_FOUND', /agora init --home/],
      [['ledger', 'stats', '--home', ''], 2, 'USAGE'],
      [['init', '--home', '/proc/nope'], 1, 'NOT_FOUND'],
      [['init', '--home', '/sys/nope'], 1, 'IO', /operation not permitted/],
      [
        ['proposal', 'create', '--title', 't', '--closes', '1790000000000', ...h],
        2,
        'USAGE',
        /out of range.*milliseconds/,
      ],
      [
        ['proposal', 'create', '--title', 't', '--quorum', '99999999999999999999', ...h],
        2,
        'USAGE',
        /out of range/,
      ],
      [
        ['proposal', 'create', '--title', 't', '--opens', '+2d', '--closes', '+3d', ...h],
        2,
        'USAGE',
        /could never take effect: its snapshot was taken 2 days before voting opened/,
      ],
      [
        ['proposal', 'create', '--title', 't', '--opens', '+2h', '--closes', '+1h', ...h],
        2,
        'USAGE',
        /not after/,
      ],
      // The weight of a vote is no longer chosen (pieces of the private rule): the old option is refused.
      [['vote', id, 'for', '--voting-weight', '0', ...h], 2, 'USAGE', /voting-weight/],
      [['rep', 'show', id, ...h], 1, 'NOT_FOUND', /no agent/],
      [['ledger', 'import', garbage, ...h], 1, 'IMPORT_FAILED'],
      [['rate', id, '7', ...h], 2, 'USAGE'],
      [['fetch', 'ftp://x', ...h], 2, 'USAGE'],
      [['frobnicate'], 2, 'USAGE'],
    ];
    // One command at a time holds a home's ledger: the import (it writes) runs after the others, which may read it,
    // or on a loaded machine it meets one of them and is refused as busy.
    const writes = (args: readonly string[]) => args[0] === 'ledger' && args[1] === 'import';
    const outcomes = await Promise.all(
      cases.map(([args]) => (writes(args) ? undefined : agoraProcess(args))),
    );
    for (const [i, [args]] of cases.entries()) if (writes(args)) outcomes[i] = await agoraProcess(args);
    outcomes.forEach((spawned, i) => {
      const outcome = spawned as NonNullable<typeof spawned>;
      const [args, code, errorCode, message] = cases[i] as (typeof cases)[number];
      expect({ args, code: outcome.code }).toEqual({ args, code });
      expectOneLineError(outcome.stderr, errorCode);
      if (message !== undefined) expect(outcome.stderr).toMatch(message);
    });
    // Raw bytes from the file never reach the terminal: escape sequences and control characters come escaped.
    const imported = outcomes[cases.findIndex(([args]) => args.includes(garbage))];
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be printed.
    expect(imported?.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(imported?.stderr).toMatch(/the other 0 lines were imported/);
  }, 300_000);

  it('a missing home is never created by a command other than init', async () => {
    const typo = join(dir, 'nohome');
    expect((await agora(['ledger', 'stats', '--home', typo])).code).toBe(1);
    expect((await agora(['agents', '--home', typo])).code).toBe(1);
    await expect(readFile(join(typo, 'ledger', 'CURRENT'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('AGORA_DEBUG=1 adds the stack of an unexpected error', async () => {
    const noisy = await agoraProcess(['ledger', 'export', '--out', dir, '--home', home], {
      env: { AGORA_DEBUG: '1' },
    });
    expect(noisy.code).toBe(1);
    expect(noisy.stderr).toMatch(STACK_FRAME);
  });

  it('a ledger in use by another command gets one clear line', async () => {
    const { openHomeLedger } = await import('../../src/cli/home.js');
    const holder = await openHomeLedger(home);
    try {
      const busy = await agoraProcess(['ledger', 'stats', '--home', home]);
      expect(busy.code).toBe(1);
      expectOneLineError(busy.stderr, 'STORE_UNAVAILABLE');
      expect(busy.stderr).toMatch(/in use by another agora command/);
    } finally {
      await holder.close();
    }
  });

  // Root ignores permissions, and tests run as root here and in CI: there the CLI runs as nobody (setpriv), for whom
  // root's files are read-only. Another user gets a copy it cannot write (mode 0555).
  it('a read-only home can be read, and nothing can be created in it', async (context) => {
    const root = process.getuid?.() === 0;
    if (root) {
      const probe = await agoraProcess(['--version'], { asNobody: true });
      needsTool(
        context,
        probe.code === 0,
        `needs setpriv (util-linux) and a user nobody who can read the built CLI: ${probe.stderr.trim()}`,
      );
    }
    const { cp, chmod } = await import('node:fs/promises');
    // The temporary directory is the owner's alone (0700): nobody must be able to walk into it.
    await chmod(dir, 0o755);
    const copy = join(dir, 'readonly');
    await cp(home, copy, { recursive: true });
    const lock = async (mode: number) => {
      for (const path of [join(copy, 'ledger'), copy]) await chmod(path, mode);
    };
    await lock(0o555);
    try {
      const as = { asNobody: root };
      const stats = await agoraProcess(['ledger', 'stats', '--json', '--home', copy], as);
      expect(stats.stderr).toBe('');
      expect(stats.code).toBe(0);
      expect(JSON.parse(stats.stdout).events).toBe(1);
      const list = await agoraProcess(['proposal', 'list', '--home', copy], as);
      expect(list.code).toBe(0);
      // Writing is refused in one line: a home under a parent it cannot write.
      const init = await agoraProcess(['init', '--home', join(copy, 'inner'), '--name', 'x'], as);
      expect(init.code).toBe(1);
      expectOneLineError(init.stderr, 'IO');
      expect(init.stderr).toMatch(/permission denied/);
    } finally {
      await lock(0o755);
      await chmod(dir, 0o700);
    }
  });
});

describe('times on the command line', () => {
  const now = 1_790_000_000;
  it('takes unix seconds, ISO 8601 dates and durations; refuses milliseconds and bad dates', () => {
    expect(parseTime('1790000000', '--t', now)).toBe(1_790_000_000);
    expect(parseTime('2026-12-01', '--t', now)).toBe(Date.UTC(2026, 11, 1) / 1000);
    expect(parseTime('2026-12-01T12:30Z', '--t', now)).toBe(Date.UTC(2026, 11, 1, 12, 30) / 1000);
    expect(parseTime('2026-12-01T12:30:00+02:00', '--t', now)).toBe(Date.UTC(2026, 11, 1, 10, 30) / 1000);
    expect(parseTime('+3d', '--t', now)).toBe(now + 3 * 86_400);
    expect(parseTime('1h', '--t', now)).toBe(now + 3_600);
    expect(parseTime('-30m', '--t', now)).toBe(now - 1_800);
    for (const bad of ['1790000000000', '2026-02-31', '2026-13-01', 'tomorrow', '3 days', '', '1e9'])
      expect(() => parseTime(bad, '--t', now)).toThrow(/--t/);
  });
});
