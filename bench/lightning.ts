import { ManualClock, toHex } from '../src/core/index.js';
import {
  type LightningBackend,
  NwcBackend,
  NwcWalletService,
  paymentHashOf,
  SimNetwork,
  type SimNode,
} from '../src/lightning/index.js';
import { startRelay } from '../test/ledger/nostr-relay.js';
import { medianSeconds, report } from './report.js';

const BENCH = 'lightning';
const NODES = 100;
const CHANNELS_PER_NODE = 4;
const PAYMENTS = 5_000;
const HOLD_CYCLES = 2_000;
const NWC_PAYMENTS = 200;

/** A connected random network: a ring (so every node is reachable) plus random chords, from a fixed seed. */
function buildNetwork(): { network: SimNetwork; nodes: SimNode[]; next: () => number } {
  const network = new SimNetwork({ seed: 'bench-lightning', clock: new ManualClock(1_700_000_000_000) });
  const nodes = Array.from({ length: NODES }, (_, i) => network.createNode(`n${i}`));
  let state = 42;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state;
  };
  for (let i = 0; i < NODES; i++) {
    network.openChannel(nodes[i] as SimNode, nodes[(i + 1) % NODES] as SimNode, {
      capacitySat: 50_000_000,
      pushSat: 25_000_000,
    });
    for (let c = 1; c < CHANNELS_PER_NODE / 2; c++) {
      const j = next() % NODES;
      if (j !== i)
        network.openChannel(nodes[i] as SimNode, nodes[j] as SimNode, {
          capacitySat: 50_000_000,
          pushSat: 25_000_000,
        });
    }
  }
  return { network, nodes, next };
}

export default async function run(): Promise<void> {
  const { network, nodes, next } = buildNetwork();
  const pairs = Array.from({ length: PAYMENTS }, () => {
    const a = next() % NODES;
    let b = next() % NODES;
    if (b === a) b = (a + 1) % NODES;
    return [nodes[a] as SimNode, nodes[b] as SimNode] as const;
  });
  let hops = 0;
  const seconds = await medianSeconds(3, async () => {
    for (const [payer, payee] of pairs) {
      const invoice = await payee.createInvoice({ amountMsat: 10_000 + (next() % 100_000) });
      const paid = await payer.payInvoice(invoice.paymentRequest);
      hops += paid.feeMsat > 0 ? 1 : 0;
    }
  });
  report({
    bench: BENCH,
    metric: 'sim_payments',
    value: PAYMENTS / seconds,
    unit: 'payments/s',
    nodes: NODES,
    channels: network.channels.length,
    multi_hop_share: Number((hops / (3 * PAYMENTS)).toFixed(3)),
  });

  const holdSeconds = await medianSeconds(3, async () => {
    for (let i = 0; i < HOLD_CYCLES; i++) {
      const [payer, payee] = pairs[i] as readonly [SimNode, SimNode];
      const preimage = toHex(network.random.bytes(32));
      const paymentHash = paymentHashOf(preimage);
      const invoice = await payee.createHoldInvoice({ paymentHash, amountMsat: 20_000, cltvExpiry: 144 });
      const payment = payer.payInvoice(invoice.paymentRequest);
      if (i % 2 === 0) {
        await payee.settleHoldInvoice(preimage);
        await payment;
      } else {
        await payee.cancelInvoice(paymentHash);
        await payment.catch(() => {});
      }
    }
  });
  report({
    bench: BENCH,
    metric: 'sim_hold_cycles',
    value: HOLD_CYCLES / holdSeconds,
    unit: 'cycles/s',
    nodes: NODES,
  });

  await nwcPayments();
}

/** `count` sequential payments, payer to payee, each on a fresh invoice of the payee. */
async function pay(payer: LightningBackend, payee: LightningBackend, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const invoice = await payee.createInvoice({ amountMsat: 1_000 + i });
    await payer.payInvoice(invoice.paymentRequest);
  }
}

/**
 * Payments through NIP-47 over the local relay (each: make_invoice at the payee's wallet, pay_invoice at the
 * payer's, two round trips through the relay), against the same payments made on the sim nodes directly.
 */
async function nwcPayments(): Promise<void> {
  const relay = await startRelay();
  const clock = new ManualClock(Date.now());
  const network = new SimNetwork({ clock, seed: 'bench-nwc' });
  const [payer, hub, payee] = ['payer', 'hub', 'payee'].map((name) => network.createNode(name)) as SimNode[];
  network.openChannel(payer as SimNode, hub as SimNode, { capacitySat: 10_000_000 });
  network.openChannel(hub as SimNode, payee as SimNode, { capacitySat: 10_000_000 });
  const services = await Promise.all(
    [payer, payee].map((node) =>
      NwcWalletService.start({ relays: [relay.url], backend: node as SimNode, clock }),
    ),
  );
  const [payerNwc, payeeNwc] = services.map((service) => new NwcBackend(service.connect(), { clock })) as [
    NwcBackend,
    NwcBackend,
  ];
  try {
    await pay(payerNwc, payeeNwc, 5); // connections open, info events read
    const simSeconds = await medianSeconds(3, () => pay(payer as SimNode, payee as SimNode, NWC_PAYMENTS));
    const nwcSeconds = await medianSeconds(3, () => pay(payerNwc, payeeNwc, NWC_PAYMENTS));
    report({
      bench: BENCH,
      metric: 'nwc_payments',
      value: NWC_PAYMENTS / nwcSeconds,
      unit: 'payments/s',
      baseline: NWC_PAYMENTS / simSeconds,
      baseline_metric: 'sim_payments (same two-hop line, no relay)',
      payments: NWC_PAYMENTS,
    });
  } finally {
    payerNwc.close();
    payeeNwc.close();
    for (const service of services) service.close();
    await relay.close();
  }
}
