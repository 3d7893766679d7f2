import { ManualClock } from '../../src/core/index.js';
import { LdkNetwork } from '../../src/lightning/ldk/index.js';
import { startRelay } from '../ledger/nostr-relay.js';
import { drivenPair, lightningConformance } from './conformance.js';
import { ownWallet } from './nwc-world.js';

// Real LDK nodes behind agora402's NIP-47 wallet service: agents on NWC clients use them as they would Alby Hub.
lightningConformance(
  'nwc (agora402 wallet service in front of embedded LDK nodes)',
  async () => {
    const relay = await startRelay();
    const clock = new ManualClock(Date.now());
    const network = await LdkNetwork.create({ clock });
    const payerNode = network.createNode('payer');
    const payeeNode = network.createNode('payee');
    await network.connect(payerNode, payeeNode);
    await network.openChannel(payerNode, payeeNode, { capacitySat: 2_000_000 });
    const payer = await ownWallet(relay, payerNode, clock);
    const payee = await ownWallet(relay, payeeNode, clock);
    return drivenPair({ clock, network, payer: payer.client, payee: payee.client }, async () => {
      await payer.close();
      await payee.close();
      await network.close();
      await relay.close();
    });
  },
  { holdDeadline: true, inFlightFees: false },
);
