import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgoraError, ManualClock } from '../../src/core/index.js';
import { NwcWalletService } from '../../src/lightning/index.js';
import { StakeCustodianClient } from '../../src/stake/index.js';
import { freePort } from '../helpers.js';
import { startRelay } from '../ledger/nostr-relay.js';
import { simLine } from '../lightning/nwc-world.js';
import { agora } from './harness.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-stake-nwc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function reachable(url: string): Promise<StakeCustodianClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await StakeCustodianClient.connect(url, { timeoutMs: 1_000 });
    } catch (error) {
      if (!isAgoraError(error) || attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('agora stake over Nostr Wallet Connect', () => {
  it('a custodian serving with --nwc takes a stake locked from $AGORA_NWC_URI', async () => {
    const relay = await startRelay();
    const { payer: stakerNode, payee: custodianNode } = simLine(new ManualClock(Date.now()), [
      'staker',
      'custodian',
    ]);
    const stakerWallet = await NwcWalletService.start({ relays: [relay.url], backend: stakerNode });
    const custodianWallet = await NwcWalletService.start({ relays: [relay.url], backend: custodianNode });
    const staker = join(dir, 'staker');
    const custodian = join(dir, 'custodian');
    const stop = new AbortController();
    try {
      expect((await agora(['init', '--home', staker])).code).toBe(0);
      expect((await agora(['init', '--home', custodian])).code).toBe(0);
      const port = await freePort();
      const serving = agora(
        ['stake', 'serve', '--home', custodian, '--port', String(port), '--nwc', custodianWallet.connect()],
        { signal: stop.signal },
      );
      const url = `http://127.0.0.1:${port}`;
      const client = await reachable(url);
      const until = Math.floor(Date.now() / 1000) + 3_600;
      const locked = await agora(
        [
          'stake',
          'lock',
          '--home',
          staker,
          '--custodian',
          url,
          '--amount',
          '20000',
          '--until',
          String(until),
          '--json',
        ],
        { env: { AGORA_NWC_URI: stakerWallet.connect() } },
      );
      expect(locked).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(locked.stdout)).toMatchObject({ custodian: client.id, amountSat: 20_000, until });
      expect((await stakerNode.balance()).inFlightMsat).toBeGreaterThanOrEqual(20_000_000);
      stop.abort();
      // Stopped by its signal, as Ctrl-C would: exit 130 (docs/cli.md).
      expect((await serving).code).toBe(130);
      const bad = await agora([
        'stake',
        'release',
        '--due',
        '--home',
        custodian,
        '--nwc',
        'nostr+walletconnect://x',
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('[INVALID_ARGUMENT]');
    } finally {
      stop.abort();
      stakerWallet.close();
      custodianWallet.close();
      await relay.close();
    }
  }, 60_000);
});
