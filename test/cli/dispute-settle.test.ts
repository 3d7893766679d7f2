// `agora dispute settle` and `agora dispute claim` on real homes: a custodian's home holds the bonds (hold invoices
// on a simulated Lightning network reached over LND REST), a dispute the provider wins (the panel sits, nobody
// votes: the claim is not proved), the custodian settles it from the CLI, and the provider's home claims its shares
// from the custodian serving over HTTP.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHomeKey, withHomeLedger } from '../../src/cli/home.js';
import { fromHex, ManualClock, toHex } from '../../src/core/index.js';
import {
  createDisputeAnswered,
  createDisputeDrawn,
  createDisputeOpened,
  disputeHorizon,
  draftElectorate,
  drawFor,
} from '../../src/disputes/index.js';
import { createSnapshotSources } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, objectId } from '../../src/identity/index.js';
import type { Ledger, LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { lockStake, StakeCustodian } from '../../src/stake/index.js';
import { regtestHeader } from '../disputes/fixture.js';
import { receiptAt, registrationAt } from '../fixtures/receipts.js';
import { freePort } from '../helpers.js';
import { lndCertificate, startLndRestServer } from '../lightning/lnd-rest-server.js';
import { agora } from './harness.js';

const MACAROON = '0201036c6e6402f801030a10'.padEnd(64, 'a');
const idOf = (event: LedgerEvent) => toHex(objectId(event as never));
// Ten days back: the dispute is final before the test runs, and every event predates the CLI's own.
const T0 = Math.floor(Date.now() / 1000) - 10 * 86_400;
const clock = new ManualClock(T0 * 1000);
const network = new SimNetwork({ clock, seed: 'cli-dispute-settle' });
const hub = network.createNode('hub');
const node = (name: string) => {
  const created = network.createNode(name);
  network.openChannel(hub, created, { capacitySat: 1_000_000, pushSat: 500_000 });
  return created;
};
const custodianNode = node('custodian');
const payerNode = node('payer');
const providerNode = node('provider');
const jurors = Array.from({ length: 6 }, (_, i) => ({ key: generateAgentKey(), node: node(`juror-${i}`) }));
const payer = generateAgentKey();

let dir: string;
let custodianHome: string;
let providerHome: string;
let dispute: string;
let answerBy: number;
let lnd: { custodian: string[]; provider: string[] };
const servers: { close(): Promise<void> }[] = [];

async function lock(
  custodian: StakeCustodian,
  key: AgentKey,
  backend: SimNode,
  amountSat: number,
  until: number,
) {
  const { lock: event } = await lockStake({
    key,
    backend,
    custodian,
    amountSat,
    until,
    sequence: 0,
    mode: 'custodial',
    clock,
  });
  return idOf(event);
}

/** The world, built in the custodian's home ledger: registrations, stakes, the receipt, the bonds, the dispute. */
async function buildDispute(ledger: Ledger, custodianKey: AgentKey, provider: AgentKey): Promise<void> {
  const custodian = await StakeCustodian.open({ key: custodianKey, backend: custodianNode, ledger, clock });
  await ledger.appendBatch([
    await registrationAt(payer, T0),
    await registrationAt(provider, T0, [providerNode.nodeKey]),
    await registrationAt(custodianKey, T0),
    ...(await Promise.all(jurors.map(({ key }) => registrationAt(key, T0)))),
  ]);
  const receipt = await receiptAt(provider, providerNode, payer, T0 + 10, 50_000);
  await ledger.append(receipt);
  clock.set((T0 + 100) * 1000);
  for (const juror of jurors) await lock(custodian, juror.key, juror.node, 10_000, T0 + 13 * 86_400);
  clock.set((T0 + 200) * 1000);
  answerBy = T0 + 200 + 3_600;
  const horizon = disputeHorizon(answerBy);
  const payerBond = await lock(custodian, payer, payerNode, 2_000, horizon);
  const providerBond = await lock(custodian, provider, providerNode, 2_000, horizon);
  const { ids, declared } = await draftElectorate(ledger, { mode: 'stake', asOf: T0 + 150 });
  const sources = createSnapshotSources(payer, ids, { clock });
  await ledger.appendBatch(sources);
  const opened = createDisputeOpened(
    payer,
    {
      receipt: idOf(receipt),
      claim: 'garbage served',
      bond: payerBond,
      answerBy,
      seedHeight: 900_000,
      jurors: { ...declared, sources: sources.map(idOf) },
    },
    { clock },
  );
  dispute = (await ledger.append(opened)).id;
  await ledger.append(
    createDisputeAnswered(provider, { dispute, evidence: 'served as paid', bond: providerBond }, { clock }),
  );
  const header = regtestHeader(11);
  const panel = await drawFor(ledger, dispute, 0, header);
  await ledger.append(
    createDisputeDrawn(
      custodianKey,
      { dispute, round: 0, appeal: null, header, panel },
      { clock: new ManualClock((answerBy + 1) * 1000) },
    ),
  );
}

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
  await withHomeLedger(custodianHome, (ledger) => buildDispute(ledger, custodianKey, provider));
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
    const unsynced = await agora([
      'dispute',
      'claim',
      dispute,
      '--custodian',
      'http://127.0.0.1:1',
      '--home',
      providerHome,
      ...lnd.provider,
    ]);
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
      let claimed = await agora([
        'dispute',
        'claim',
        dispute,
        '--custodian',
        url,
        '--json',
        '--home',
        providerHome,
        ...lnd.provider,
      ]);
      // A busy machine may take a moment to start serving.
      for (let tries = 0; claimed.stderr.includes('BACKEND_UNREACHABLE') && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        claimed = await agora([
          'dispute',
          'claim',
          dispute,
          '--custodian',
          url,
          '--json',
          '--home',
          providerHome,
          ...lnd.provider,
        ]);
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
      const twice = await agora([
        'dispute',
        'claim',
        dispute,
        '--custodian',
        url,
        '--home',
        providerHome,
        ...lnd.provider,
      ]);
      expect(twice.stdout).toBe('all 6 shares paid already\n');
    } finally {
      stop.abort();
      await serving;
    }
  }, 120_000);
});
