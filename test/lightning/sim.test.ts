import bolt11 from 'bolt11';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { decodeInvoice, SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { drivenPair, lightningConformance } from './conformance.js';

function pair() {
  const clock = new ManualClock(1_700_000_000_000);
  const network = new SimNetwork({ clock });
  const payer = network.createNode('payer');
  const hub = network.createNode('hub');
  const payee = network.createNode('payee');
  network.openChannel(payer, hub, { capacitySat: 2_000_000 });
  network.openChannel(hub, payee, { capacitySat: 2_000_000 });
  return { network, clock, payer, hub, payee };
}

lightningConformance('sim', async () => drivenPair(pair()), { holdDeadline: true });

describe('sim network', () => {
  it('routes over several hops, charging each forwarder its policy', async () => {
    const network = new SimNetwork();
    const nodes = Array.from({ length: 5 }, (_, i) => network.createNode(`n${i}`));
    for (let i = 0; i < 4; i++) {
      network.openChannel(nodes[i] as SimNode, nodes[i + 1] as SimNode, {
        capacitySat: 1_000_000,
        policyA: { feeBaseMsat: 100 * i, feePpm: 1000 },
      });
    }
    const invoice = await (nodes[4] as SimNode).createInvoice({ amountMsat: 1_000_000 });
    const paid = await (nodes[0] as SimNode).payInvoice(invoice.paymentRequest);
    // Forwarders n1, n2, n3 charge 100*i + 0.1% of what they forward, from the last hop backwards.
    const fee3 = 300 + 1000;
    const fee2 = 200 + Math.floor((1_000_000 + fee3) / 1000);
    const fee1 = 100 + Math.floor((1_000_000 + fee3 + fee2) / 1000);
    expect(paid.feeMsat).toBe(fee1 + fee2 + fee3);
    expect(network.channels[0]?.balanceMsat).toEqual([
      1_000_000_000 - 1_000_000 - paid.feeMsat,
      1_000_000 + paid.feeMsat,
    ]);
  });

  it('prefers the cheaper of two paths and avoids drained channels and offline nodes', async () => {
    const network = new SimNetwork();
    const [a, cheap, dear, z] = ['a', 'cheap', 'dear', 'z'].map((n) => network.createNode(n)) as SimNode[];
    network.openChannel(a as SimNode, cheap as SimNode, { capacitySat: 100_000 });
    const viaCheap = network.openChannel(cheap as SimNode, z as SimNode, {
      capacitySat: 100_000,
      policyA: { feeBaseMsat: 10 },
    });
    network.openChannel(a as SimNode, dear as SimNode, { capacitySat: 100_000 });
    network.openChannel(dear as SimNode, z as SimNode, {
      capacitySat: 100_000,
      policyA: { feeBaseMsat: 5_000 },
    });
    const pay = async () =>
      (a as SimNode).payInvoice((await (z as SimNode).createInvoice({ amountMsat: 10_000 })).paymentRequest);
    expect((await pay()).feeMsat).toBe(10);
    network.drainChannel(viaCheap, cheap as SimNode);
    expect((await pay()).feeMsat).toBe(5_000);
    (dear as SimNode).setOnline(false);
    await rejectedAgoraError(pay(), ErrorCode.NoRoute);
    await rejectedAgoraError((dear as SimNode).info(), ErrorCode.BackendUnreachable);
  });

  it('routes between leaves of two hubs with many leaves, the payer and payee leaves among them', async () => {
    const network = new SimNetwork();
    const [left, right] = [network.createNode('left'), network.createNode('right')];
    network.openChannel(left, right, { capacitySat: 1_000_000, policyA: { feeBaseMsat: 7 } });
    const leaves = Array.from({ length: 40 }, (_, i) => network.createNode(`leaf${i}`));
    leaves.forEach((leaf, i) => {
      if (i % 2 === 0) network.openChannel(leaf, left, { capacitySat: 100_000 });
      else network.openChannel(right, leaf, { capacitySat: 100_000, policyA: { feeBaseMsat: 3 } });
    });
    const payer = leaves[10] as SimNode;
    const payee = leaves[21] as SimNode;
    const route = network.route(payer, payee, 5_000);
    expect(route?.hops.map((hop) => [hop.from, hop.to])).toEqual([
      [payer.nodeKey, left.nodeKey],
      [left.nodeKey, right.nodeKey],
      [right.nodeKey, payee.nodeKey],
    ]);
    expect(route?.feeMsat).toBe(7 + 3);
    // Another leaf of the payee's hub is reached the same way; the hub's other leaves forward nothing.
    expect(network.route(payer, leaves[23] as SimNode, 5_000)?.hops.map((hop) => hop.to)).toEqual([
      left.nodeKey,
      right.nodeKey,
      (leaves[23] as SimNode).nodeKey,
    ]);
    const invoice = await payee.createInvoice({ amountMsat: 5_000 });
    expect((await payer.payInvoice(invoice.paymentRequest)).feeMsat).toBe(10);
  });

  it('refuses routes dearer than the fee limit', async () => {
    const { payer, payee } = pair();
    const invoice = await payee.createInvoice({ amountMsat: 1_000_000 });
    await rejectedAgoraError(payer.payInvoice(invoice.paymentRequest, { maxFeeMsat: 10 }), ErrorCode.NoRoute);
    expect((await payer.payInvoice(invoice.paymentRequest, { maxFeeMsat: 1_001 })).feeMsat).toBe(1_001);
  });

  it('delays slow payments', async () => {
    const { payer, hub, payee } = pair();
    hub.setPaymentDelay(50);
    const invoice = await payee.createInvoice({ amountMsat: 1_000 });
    const start = performance.now();
    await payer.payInvoice(invoice.paymentRequest);
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
  });

  it('issues invoices the independent npm bolt11 decoder reads, signed by the node key', async () => {
    const { payee } = pair();
    const created = await payee.createInvoice({
      amountMsat: 123_000,
      description: 'api call',
      expirySeconds: 600,
    });
    const theirs = bolt11.decode(created.paymentRequest, {
      bech32: 'bcrt',
      pubKeyHash: 111,
      scriptHash: 196,
      validWitnessVersions: [0, 1],
    });
    expect(theirs.payeeNodeKey).toBe(payee.nodeKey);
    expect(theirs.millisatoshis).toBe('123000');
    expect(theirs.tagsObject.payment_hash).toBe(created.paymentHash);
    expect(theirs.tagsObject.description).toBe('api call');
    expect(theirs.tagsObject.expire_time).toBe(600);
    expect(theirs.tagsObject.feature_bits?.payment_secret?.required).toBe(true);
  });

  it('is reproducible from a seed: same keys, same invoices', async () => {
    const run = async () => {
      const network = new SimNetwork({ seed: 'agora', clock: new ManualClock(1_700_000_000_000) });
      const node = network.createNode();
      return [node.nodeKey, (await node.createInvoice({ amountMsat: 5_000 })).paymentRequest];
    };
    expect(await run()).toEqual(await run());
    const [, invoice] = await run();
    expect(decodeInvoice(invoice as string).amountMsat).toBe(5_000);
  });
});
