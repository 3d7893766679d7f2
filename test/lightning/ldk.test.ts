import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { decodeInvoice, paymentHashOf } from '../../src/lightning/index.js';
import { LdkNetwork, type LdkNode } from '../../src/lightning/ldk/index.js';
import { drivenPair, lightningConformance } from './conformance.js';

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
    const world = await ldkPair();
    return drivenPair(world, async () => world.network.close());
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

describe('LDK multi-hop', () => {
  it('pays across a hub over private channels, through the route hint in the invoice, hold invoices included', async () => {
    const network = await LdkNetwork.create();
    try {
      const [alice, hub, bob] = ['alice', 'hub', 'bob'].map((name) => network.createNode(name)) as [
        LdkNode,
        LdkNode,
        LdkNode,
      ];
      await network.connect(alice, hub);
      await network.connect(hub, bob);
      await network.openChannel(alice, hub, { capacitySat: 1_000_000 });
      await network.openChannel(hub, bob, { capacitySat: 1_000_000 });
      const invoice = await bob.createInvoice({ amountMsat: 5_000_000 });
      const hints = decodeInvoice(invoice.paymentRequest).routeHints;
      expect(hints.map((hint) => hint[0]?.nodeKey)).toEqual([hub.nodeKey]);
      const paid = await alice.payInvoice(invoice.paymentRequest);
      expect(paid.feeMsat).toBeGreaterThan(0);
      expect((await bob.lookupInvoice(invoice.paymentHash)).state).toBe('SETTLED');
      const preimage = '07'.repeat(32);
      const hold = await bob.createHoldInvoice({
        paymentHash: paymentHashOf(preimage),
        amountMsat: 2_000_000,
        cltvExpiry: 144,
      });
      const payment = alice.payInvoice(hold.paymentRequest);
      for (let i = 0; i < 100 && (await bob.lookupInvoice(hold.paymentHash)).state !== 'ACCEPTED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect((await alice.balance()).inFlightMsat).toBeGreaterThanOrEqual(2_000_000);
      await bob.settleHoldInvoice(preimage);
      expect((await payment).preimage).toBe(preimage);
    } finally {
      network.close();
    }
  });
});
