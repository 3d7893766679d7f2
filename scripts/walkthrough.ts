// The ledger walkthrough (npm run walkthrough): three agents, each with its own key and ledger, exchange their signed
// registrations as JSON lines; a tampered line is caught and named. (The demo, npm run demo, is the simulator.)
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../src/cli/run.js';

async function agora(args: string[], { quiet = false } = {}): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  if (!quiet) process.stdout.write(`\n$ agora ${args.join(' ')}\n`);
  const code = await run(args, { stdout, stderr: process.stdout, stdin: process.stdin, env: process.env });
  if (!quiet) process.stdout.write(text);
  return { code, stdout: text };
}

const root = await mkdtemp(join(tmpdir(), 'agora-demo-'));
try {
  process.stdout.write('agora402 ledger walkthrough: three agents, three ledgers, one verified history\n');
  const homes = Object.fromEntries(
    ['alice', 'bob', 'carol'].map((name) => [name, join(root, name)]),
  ) as Record<'alice' | 'bob' | 'carol', string>;
  for (const [name, home] of Object.entries(homes)) {
    await agora(['init', '--home', home, '--name', name]);
  }
  await agora(['id', 'show', '--home', homes.alice]);

  const exports: Record<string, string> = {};
  for (const [name, home] of Object.entries(homes)) {
    exports[name] = join(root, `${name}.jsonl`);
    await agora(['ledger', 'export', '--home', home, '--out', exports[name] as string], { quiet: true });
  }
  process.stdout.write(
    '\nEach agent exported its ledger as canonical JSON lines. Bob verifies and imports the others:\n',
  );
  await agora(['ledger', 'import', exports.alice as string, '--home', homes.bob]);
  await agora(['ledger', 'import', exports.carol as string, '--home', homes.bob]);
  await agora(['ledger', 'import', exports.alice as string, '--home', homes.bob]);
  await agora(['ledger', 'stats', '--home', homes.bob]);

  process.stdout.write("\nMallory rewrites the name in Bob's export and offers it to Carol:\n");
  await agora(['ledger', 'export', '--home', homes.bob, '--out', join(root, 'bob-all.jsonl')], {
    quiet: true,
  });
  const lines = (await readFile(join(root, 'bob-all.jsonl'), 'utf8')).trimEnd().split('\n');
  const forged = lines.map((line) => line.replace('"name":"alice"', '"name":"mallory"'));
  await writeFile(join(root, 'forged.jsonl'), `${forged.join('\n')}\n`);
  const refused = await agora(['ledger', 'import', join(root, 'forged.jsonl'), '--home', homes.carol]);
  await agora(['ledger', 'stats', '--home', homes.carol]);
  if (refused.code === 0) throw new Error('the forged line was accepted');
  process.stdout.write(
    '\nThe forged registration was refused; every line before it was imported, none after.\n',
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
