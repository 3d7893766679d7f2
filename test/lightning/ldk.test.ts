import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { decodeInvoice, LdkNetwork } from '../../src/lightning/index.js';
import { lightningConformance } from './conformance.js';

async function ldkPair() {
  const clock = new ManualClock(Date.now());
  const network = await LdkNetwork.create({ clock });
  const payer = network.createNode('payer');
  const payee = network.createNode('payee');
  await network.connect(payer, payee);
  await network.openChannel(payer, payee, { capacitySat: 2_000_000 });
  return { clock, network, payer, payee };
}

lightningConformance(
  'ldk (embedded LDK nodes)',
  async () => {
    const { clock, network, payer, payee } = await ldkPair();
    return {
      payer,
      payee,
      advanceSeconds: async (seconds) => {
        clock.advance(seconds * 1000);
        network.sweep();
      },
      mineBlocks: (count) => network.mineBlocks(count),
      close: async () => network.close(),
    };
  },
  { holdDeadline: true },
);

describe('LDK network', () => {
  it('funds channels with transactions mined on the local chain, and reports real channel balances', async () => {
    const { network, payer, payee } = await ldkPair();
    try {
      expect(network.chain.confirmed.size).toBe(1);
      const { spendableMsat } = await payer.balance();
      // The funder keeps the capacity minus the counterparty's 1% reserve and its commitment fee.
      expect(spendableMsat).toBeGreaterThan(1_950_000_000);
      expect(spendableMsat).toBeLessThan(2_000_000_000);
      expect((await payee.balance()).spendableMsat).toBe(0);
      // Below its own 1% reserve (20,000 sat) the payee cannot spend what it received; above, the excess.
      const small = await payee.createInvoice({ amountMsat: 10_000_000 });
      expect(decodeInvoice(small.paymentRequest).payee).toBe(payee.nodeKey);
      await payer.payInvoice(small.paymentRequest);
      expect((await payee.balance()).spendableMsat).toBe(0);
      await payer.payInvoice((await payee.createInvoice({ amountMsat: 40_000_000 })).paymentRequest);
      const received = (await payee.balance()).spendableMsat;
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThanOrEqual(50_000_000 - 20_000_000);
    } finally {
      network.close();
    }
  });
});
