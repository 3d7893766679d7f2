import { ManualClock, toHex } from '../src/core/index.js';
import { paymentHashOf, SimNetwork, type SimNode } from '../src/lightning/index.js';
import { medianSeconds, report } from './report.js';

const BENCH = 'lightning';
const NODES = 100;
const CHANNELS_PER_NODE = 4;
const PAYMENTS = 5_000;
const HOLD_CYCLES = 2_000;

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
}
