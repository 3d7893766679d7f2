import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/core/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { freePort } from '../helpers.js';
import { lndCertificate, startLndRestServer } from '../lightning/lnd-rest-server.js';
import { agora } from './harness.js';
import { lockArgs, type StakeFlow, startStakeFlow } from './stake-fixture.js';

const MACAROON = '0201036c6e6402f801030a10'.padEnd(64, 'a');

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-stake-'));
  await writeFile(join(dir, 'admin.macaroon'), fromHex(MACAROON));
  await writeFile(join(dir, 'tls.cert'), lndCertificate);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agora stake', () => {
  it('locks a stake from LND with a custodian serving over HTTP, shows it on both sides, and releases it when due', async () => {
    const network = new SimNetwork();
    const stakerNode = network.createNode('staker');
    const hub = network.createNode('hub');
    const custodianNode = network.createNode('custodian');
    network.openChannel(stakerNode, hub, { capacitySat: 1_000_000 });
    network.openChannel(hub, custodianNode, { capacitySat: 1_000_000 });
    const stakerLnd = await startLndRestServer(stakerNode, { macaroonHex: MACAROON });
    const custodianLnd = await startLndRestServer(custodianNode, { macaroonHex: MACAROON });
    const lnd = (url: string) => [
      '--lnd-url',
      url,
      '--lnd-macaroon',
      join(dir, 'admin.macaroon'),
      '--lnd-cert',
      join(dir, 'tls.cert'),
    ];
    let flow: StakeFlow | undefined;
    try {
      flow = await startStakeFlow(dir, ['--interval', '1', ...lnd(custodianLnd.url)]);
      const { staker, custodian, url, client, serving, stop } = flow;

      // Far enough ahead for the lock to be made first on a busy machine, near enough to watch the release.
      const until = Math.floor(Date.now() / 1000) + 15;
      const locked = await agora([...lockArgs(staker, url, 20_000, until), ...lnd(stakerLnd.url)]);
      expect(locked).toMatchObject({ code: 0, stderr: '' });
      const stake = JSON.parse(locked.stdout);
      expect(stake).toMatchObject({ custodian: client.id, amountSat: 20_000, until, mode: 'non-custodial' });
      expect((await stakerNode.balance()).inFlightMsat).toBeGreaterThanOrEqual(20_000_000);

      const mine = JSON.parse((await agora(['stake', 'status', '--home', staker, '--json'])).stdout);
      expect(mine).toMatchObject({ id: stake.lock, state: 'locked', custodian: client.id });

      // The custodian's loop releases it once `until` has passed; the sats go back to the staker.
      for (let waited = 0; (await stakerNode.balance()).inFlightMsat > 0; waited += 100) {
        if (waited > 60_000) throw new Error('the stake was not released');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      stop.abort();
      const served = await serving;
      // Stopped by its signal, as Ctrl-C would: exit 130 (docs/cli.md).
      expect(served.code).toBe(130);
      expect(served.stdout).toContain(`custodian ${client.id} at ${url}`);
      expect(served.stderr).toContain('"reason":"released"');

      const held = await agora(['stake', 'status', '--home', custodian, '--held']);
      expect(held.stdout).toContain(`${stake.lock}  released`);
      expect(held.stdout).toContain('1 stakes, 0 sat locked now');
      // Released already: a second release is refused with a typed error.
      const again = await agora([
        'stake',
        'release',
        stake.lock,
        '--home',
        custodian,
        ...lnd(custodianLnd.url),
      ]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('[INVALID_STATE]');
      expect(
        (await agora(['stake', 'release', '--due', '--home', custodian, ...lnd(custodianLnd.url)])).stdout,
      ).toBe('nothing to release\n');
    } finally {
      flow?.stop.abort();
      await Promise.all([stakerLnd.close(), custodianLnd.close()]);
    }
  }, 180_000);

  it('gives usage errors without LND settings and a typed error for an unreachable custodian', async () => {
    const home = join(dir, 'lonely');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    const noLnd = await agora([
      'stake',
      'lock',
      '--home',
      home,
      '--custodian',
      'http://127.0.0.1:9',
      '--amount',
      '1',
      '--until',
      '9999999999',
    ]);
    expect(noLnd.code).toBe(2);
    expect(noLnd.stderr).toContain('--lnd-url');
    const release = await agora(['stake', 'release', '--home', home]);
    expect(release.code).toBe(2);
    const unreachable = await agora([
      'stake',
      'lock',
      '--home',
      home,
      '--custodian',
      `http://127.0.0.1:${await freePort()}`,
      '--amount',
      '1',
      '--until',
      '9999999999',
      '--lnd-url',
      'https://127.0.0.1:1',
      '--lnd-macaroon',
      join(dir, 'admin.macaroon'),
      '--lnd-cert',
      join(dir, 'tls.cert'),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('[BACKEND_UNREACHABLE]');
    expect((await agora(['stake', 'status', '--home', home])).stdout).toBe('0 stakes, 0 sat locked now\n');
  });
});
