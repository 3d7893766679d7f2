// `agora ledger import` of another replica's export stopped at the first refused line and dropped every later event,
// related or not: a file in another order, or with one forged line, lost valid events.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration, type LedgerEvent } from '../../src/ledger/index.js';
import { createStakeReleased } from '../../src/stake/index.js';
import { agora } from '../cli/harness.js';
import { stakedElectorate, type Voter } from '../fixtures/electorate.js';

const PAST = 1_700_000_000;
let dir: string;
let events: LedgerEvent[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-attack-import-'));
  const electorate = await stakedElectorate([100n, 50n], PAST, PAST - 10);
  const proposal = electorate.propose(electorate.voters[0] as Voter, PAST, {
    title: 'Order does not matter',
  });
  events = [...electorate.registrations, proposal];
}, 60_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

async function importInto(name: string, lines: string[]) {
  const home = join(dir, name);
  expect((await agora(['init', '--home', home])).code).toBe(0);
  const file = join(dir, `${name}.jsonl`);
  await writeFile(file, lines.map((line) => `${line}\n`).join(''));
  const imported = await agora(['ledger', 'import', file, '--home', home]);
  const stats = JSON.parse((await agora(['ledger', 'stats', '--home', home, '--json'])).stdout);
  return { imported, stats };
}

describe('ledger import', () => {
  it('stores every event of an export read backwards (what refers to something comes first)', async () => {
    const { imported, stats } = await importInto(
      'backwards',
      [...events].reverse().map((e) => canonicalJson(e)),
    );
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    // Its own registration, and every imported event.
    expect(stats.events).toBe(events.length + 1);
  });

  it('goes on past a forged line and an orphan, stores the rest and names them', async () => {
    const forged = { ...(events[0] as LedgerEvent), created: 1 };
    const orphan = createStakeReleased(generateAgentKey(), { lock: 'ab'.repeat(32), reason: 'released' });
    const stranger = await createAgentRegistration(generateAgentKey());
    const lines = [
      canonicalJson(events.at(-1)),
      canonicalJson(forged),
      ...events.slice(0, -1).map((e) => canonicalJson(e)),
      canonicalJson(orphan),
      canonicalJson(stranger),
    ];
    const { imported, stats } = await importInto('forged', lines);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toMatch(/forged\.jsonl:\d+ waits for an event not in the input: stake.released/);
    expect(imported.stderr).toMatch(
      /agora: .*forged\.jsonl:2: bad signature .*\(and 1 more lines not imported\)/,
    );
    // Its own registration, every valid event of the file and the stranger's registration after the bad lines.
    expect(stats.events).toBe(events.length + 2);
  });
});
