// The smallest L402 market the attack tests need: a payer and a provider node with one channel between them, and a
// provider selling `weather` at a flat price.
import { L402Provider, MemoryRootKeyStore } from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';

export function market(priceMsat = 1_000) {
  const network = new SimNetwork();
  const payerNode = network.createNode('payer');
  const providerNode = network.createNode('provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 100_000 });
  const provider = new L402Provider({
    lightning: providerNode,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => priceMsat,
  });
  return { payerNode, providerNode, provider };
}
