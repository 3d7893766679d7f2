// `agora dispute settle` and `agora dispute claim` on real homes: a custodian's home holds the bonds (hold invoices
// on a simulated Lightning network reached over LND REST), a dispute the provider wins (the panel sits, nobody
// votes: the claim is not proved), the custodian settles it from the CLI, and the provider's home claims its shares
// from the custodian serving over HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHomeKey, withHomeLedger } from '../../src/cli/home.js';
import { fromHex, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { StakeCustodian } from '../../src/stake/index.js';
import { bondedDispute, bondedNetwork } from '../disputes/bonded-dispute.js';
import { freePort } from '../helpers.js';
import { lndCertificate, startLndRestServer } from '../lightning/lnd-rest-server.js';
import { agora } from './harness.js';

const MACAROON = '0201036c6e6402f801030a10'.padEnd(64, 'a');
// Ten days back: the dispute is final before the test runs, and every event predates the CLI's own.
const T0 = Math.floor(Date.now() / 1000) - 10 * 86_400;
const clock = new ManualClock(T0 * 1000);
const { custodianNode, payerNode, providerNode, jurors } = bondedNetwork(clock, 'cli-dispute-settle');
const payer = generateAgentKey();

let dir: string;
let custodianHome: string;
let providerHome: string;
let dispute: string;
let answerBy: number;
let lnd: { custodian: string[]; provider: string[] };
const servers: { close(): Promise<void> }[] = [];

/** `agora dispute claim` from the provider's home, of the custodian at `url`. */
const claim = (url: string, ...flags: string[]) =>
  agora(['dispute', 'claim', dispute, '--custodian', url, ...flags, '--home', providerHome, ...lnd.provider]);

/** Every event of `from`'s ledger imported into `to`'s, as a sync would bring them. */
async function copyLedger(from: string, to: string): Promise<void> {
  const lines: string[] = [];
  await withHomeLedger(from, async (ledger) => {
    for await (const { event } of ledger.events()) lines.push(JSON.stringify(event));
  });
  await withHomeLedger(to, (ledger) => ledger.importLines(lines));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-dispute-settle-'));
  await writeFile(join(dir, 'admin.macaroon'), fromHex(MACAROON));
  await writeFile(join(dir, 'tls.cert'), lndCertificate);
  custodianHome = join(dir, 'custodian');
  providerHome = join(dir, 'provider');
  expect((await agora(['init', '--home', custodianHome, '--network', 'regtest'])).code).toBe(0);
  const init = await agora([
    'init',
    '--home',
    providerHome,
    '--network',
    'regtest',
    '--node-key',
    providerNode.nodeKey,
  ]);
  expect(init.code).toBe(0);
  const [custodianKey, provider] = await Promise.all([loadHomeKey(custodianHome), loadHomeKey(providerHome)]);
  await withHomeLedger(custodianHome, async (ledger) => {
    const custodian = await StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger, clock });
    const parties = {
      ledger,
      clock,
      custodian,
      custodianKey,
      payer: { key: payer, node: payerNode },
      provider: { key: provider, node: providerNode },
      jurors,
    };
    ({ dispute, answerBy } = await bondedDispute(parties, T0));
  });
  // From here on the network's clock is the machine's: the CLI's own events are dated now.
  clock.set(Date.now());
  const started = await Promise.all([
    startLndRestServer(custodianNode, { macaroonHex: MACAROON }),
    startLndRestServer(providerNode, { macaroonHex: MACAROON }),
  ]);
  servers.push(...started);
  const flags = (url: string) => [
    '--lnd-url',
    url,
    '--lnd-macaroon',
    join(dir, 'admin.macaroon'),
    '--lnd-cert',
    join(dir, 'tls.cert'),
  ];
  lnd = { custodian: flags(started[0].url), provider: flags(started[1].url) };
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('agora dispute settle and agora dispute claim', () => {
  it('refuse a dispute that is not final or not stored, and a claim with nothing owed, with typed errors', async () => {
    const early = await agora([
      'dispute',
      'settle',
      dispute,
      '--at',
      String(answerBy),
      '--home',
      custodianHome,
      ...lnd.custodian,
    ]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('[INVALID_STATE]');
    const unknown = await agora([
      'dispute',
      'settle',
      'ab'.repeat(32),
      '--home',
      custodianHome,
      ...lnd.custodian,
    ]);
    expect(unknown.stderr).toContain('[NOT_FOUND]');
    const bad = await agora(['dispute', 'settle', 'zz', '--home', custodianHome, ...lnd.custodian]);
    expect(bad.stderr).toContain('[INVALID_ARGUMENT]');
    const noCustodian = await agora(['dispute', 'claim', dispute, '--home', providerHome, ...lnd.provider]);
    expect(noCustodian.code).toBe(2);
    expect(noCustodian.stderr).toContain('--custodian is required');
  }, 60_000);

  it('settles the bonds as the ledger says, once, and pays the winner its shares on its claim', async () => {
    const settled = await agora([
      'dispute',
      'settle',
      dispute,
      '--json',
      '--home',
      custodianHome,
      ...lnd.custodian,
    ]);
    expect(settled.code, settled.stderr).toBe(0);
    const events = settled.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // The provider's bond back, the payer's settled to it, and the five absent jurors' penalties.
    expect(events.map((event) => event.type).sort()).toEqual([
      'stake.released',
      ...Array(6).fill('stake.settled'),
    ]);
    const again = await agora(['dispute', 'settle', dispute, '--home', custodianHome, ...lnd.custodian]);
    expect(again.stdout).toBe('nothing to settle: every bond you hold for it is done\n');

    // Nothing is owed to a home whose ledger has not the settlements yet.
    const unsynced = await claim('http://127.0.0.1:1');
    expect(unsynced.stderr).toContain('[NOT_FOUND]');
    await copyLedger(custodianHome, providerHome);

    const stop = new AbortController();
    const port = await freePort();
    const serving = agora(
      [
        'stake',
        'serve',
        '--home',
        custodianHome,
        '--port',
        String(port),
        '--interval',
        '3600',
        ...lnd.custodian,
      ],
      { signal: stop.signal },
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      const before = (await providerNode.balance()).spendableMsat;
      let claimed = await claim(url, '--json');
      // A busy machine may take a moment to start serving.
      for (let tries = 0; claimed.stderr.includes('BACKEND_UNREACHABLE') && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        claimed = await claim(url, '--json');
      }
      expect(claimed.code, claimed.stderr).toBe(0);
      const paid = claimed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(paid.map((event) => [event.type, event.body.sat])).toEqual(
        expect.arrayContaining([['stake.paid', '2000'], ...Array(5).fill(['stake.paid', '100'])]),
      );
      expect(paid).toHaveLength(6);
      expect((await providerNode.balance()).spendableMsat - before).toBe(2_500_000);
      const twice = await claim(url);
      expect(twice.stdout).toBe('all 6 shares paid already\n');
    } finally {
      stop.abort();
      await serving;
    }
  }, 120_000);
});
