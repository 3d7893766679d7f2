import { ManualClock } from '../../src/core/index.js';
import { LdkNetwork } from '../../src/lightning/ldk/index.js';
import { stakeSuite } from './stake-suite.js';

stakeSuite('ldk', async () => {
  const clock = new ManualClock(Date.now());
  const network = await LdkNetwork.create({ clock });
  const staker = network.createNode('staker');
  const custodian = network.createNode('custodian');
  await network.connect(staker, custodian);
  await network.openChannel(staker, custodian, { capacitySat: 2_000_000 });
  return {
    clock,
    staker,
    custodian,
    mineBlocks: (count) => network.mineBlocks(count),
    close: async () => network.close(),
  };
});
