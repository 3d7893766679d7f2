import { ManualClock } from '../../src/core/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { stakeSuite } from './stake-suite.js';

stakeSuite('sim', async () => {
  const clock = new ManualClock(1_800_000_000_000);
  const network = new SimNetwork({ clock });
  const staker = network.createNode('staker');
  const hub = network.createNode('hub');
  const custodian = network.createNode('custodian');
  network.openChannel(staker, hub, { capacitySat: 1_000_000 });
  network.openChannel(hub, custodian, { capacitySat: 1_000_000 });
  return {
    clock,
    staker,
    custodian,
    mineBlocks: async (count) => network.mineBlocks(count),
    close: async () => {},
  };
});
