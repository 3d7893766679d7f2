import { ManualClock } from '../../src/core/index.js';
import { startRelay } from '../ledger/nostr-relay.js';
import { ownWallet, simLine } from '../lightning/nwc-world.js';
import { stakeSuite } from './stake-suite.js';

// Staker and custodian each reach their sim node through agora402's NIP-47 wallet service, over a local relay.
stakeSuite('nwc', async () => {
  const relay = await startRelay();
  const clock = new ManualClock(1_800_000_000_000);
  const { network, payer, payee } = simLine(clock, ['staker', 'custodian']);
  const staker = await ownWallet(relay, payer, clock);
  const custodian = await ownWallet(relay, payee, clock);
  return {
    clock,
    staker: staker.client,
    custodian: custodian.client,
    mineBlocks: async (count) => network.mineBlocks(count),
    close: async () => {
      await staker.close();
      await custodian.close();
      await relay.close();
    },
  };
});
