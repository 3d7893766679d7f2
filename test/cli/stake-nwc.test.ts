import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { NwcWalletService } from '../../src/lightning/index.js';
import { startRelay } from '../ledger/nostr-relay.js';
import { simLine } from '../lightning/nwc-world.js';
import { agora } from './harness.js';
import { lockArgs, type StakeFlow, startStakeFlow } from './stake-fixture.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-cli-stake-nwc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('agora stake over Nostr Wallet Connect', () => {
  it('a custodian serving with --nwc takes a stake locked from $AGORA_NWC_URI', async () => {
    const relay = await startRelay();
    const { payer: stakerNode, payee: custodianNode } = simLine(new ManualClock(Date.now()), [
      'staker',
      'custodian',
    ]);
    const stakerWallet = await NwcWalletService.start({ relays: [relay.url], backend: stakerNode });
    const custodianWallet = await NwcWalletService.start({ relays: [relay.url], backend: custodianNode });
    let flow: StakeFlow | undefined;
    try {
      flow = await startStakeFlow(dir, ['--nwc', custodianWallet.connect()]);
      const { staker, custodian, url, client, serving, stop } = flow;
      const until = Math.floor(Date.now() / 1000) + 3_600;
      const locked = await agora(lockArgs(staker, url, 20_000, until), {
        env: { AGORA_NWC_URI: stakerWallet.connect() },
      });
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
      flow?.stop.abort();
      stakerWallet.close();
      custodianWallet.close();
      await relay.close();
    }
  }, 60_000);
});
