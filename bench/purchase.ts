// One simulated L402 purchase, broken into its steps, beside the raw sim network's payments per second measured in
// the same process on the same network (the baseline the purchase rate is read against). The end-to-end figure runs
// the simulator's own market rounds at 100 agents; the steps time each piece of a purchase on its own, over the
// same cast, so that their sum shows what the market adds around them (HTTP objects, choices, bookkeeping).
import { MemoryLevel } from 'memory-level';
import { ManualClock, toBase64Url, utf8 } from '../src/core/index.js';
import type { AgentKey } from '../src/identity/index.js';
import { encodeIdentifier, mintMacaroon, verifyMacaroonSignature } from '../src/l402/index.js';
import { formatPayerHeader, verifyPayerProof } from '../src/l402/payer-proof.js';
import { Ledger, type LedgerEvent, parseEnvelope } from '../src/ledger/index.js';
import { createReceipt, rateReceipt, verifyReceipt } from '../src/receipts/index.js';
import { agoraRegistry } from '../src/registry.js';
import { createCast, registerCast } from '../src/sim/cast.js';
import { marketRound, openMarket } from '../src/sim/market.js';
import { buildNetwork } from '../src/sim/network.js';
import { SeededRandom } from '../src/sim/random.js';
import { scenarioOf } from '../src/sim/scenario.js';
import type { Actor, ProviderActor, SimulationState } from '../src/sim/state.js';
import { Verifier } from '../src/zk/index.js';
import { median, report } from './report.js';

const BENCH = 'purchase';
const AGENTS = 100;
/** Market rounds timed end to end (100 purchases each) per run, after one warm-up round. */
const ROUNDS_PER_RUN = 3;
/** Repetitions of each step, and runs of each (the median run is reported). */
const STEP_COUNT = 400;
const RUNS = 5;
const START = 1_800_000_000;

/** A market as the simulator builds it: network, cast registered on an in-memory ledger, budgets. */
async function market(seed: string): Promise<SimulationState> {
  const scenario = scenarioOf({
    agents: AGENTS,
    providers: 5,
    sybils: 10,
    rounds: 1_000,
    seed,
    // Budgets and channels that never run dry within the bench: every round makes its 100 purchases.
    budgetSat: 1_000_000,
    agentChannelSat: 10_000_000,
  });
  const clock = new ManualClock(START * 1000);
  const verifier = await Verifier.load();
  const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: agoraRegistry({ verifier }) });
  const network = await buildNetwork(scenario, clock);
  const random = new SeededRandom(seed);
  let governed: SimulationState['governed'];
  const cast = createCast(scenario, random, network, { clock, blacklist: () => governed });
  await registerCast(cast, ledger, START);
  return {
    scenario,
    random,
    clock,
    ledger,
    verifier,
    cast,
    market: openMarket(scenario, cast),
    reputation: { current: undefined, scores: new Map(), trajectory: {} },
    randomBytes: (length) => new Uint8Array(length),
    governed,
  };
}

/** Median rate (operations per second) of `RUNS` runs of `count` calls of `step`. */
async function rate(count: number, step: (i: number) => unknown): Promise<number> {
  const rates: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    for (let i = 0; i < count; i++) await step(run * count + i);
    rates.push(count / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

export default async function run(): Promise<void> {
  const state = await market('bench-purchase');
  const { cast, clock, ledger } = state;
  const agents = cast.agents;
  const provider = cast.providers[0] as ProviderActor;
  const buyer = (i: number) => agents[i % agents.length] as Actor;

  // Baseline: the raw network, invoice and payment, nothing else.
  const raw = await rate(STEP_COUNT, async (i) => {
    const invoice = await provider.node.createInvoice({ amountMsat: 2_000, expirySeconds: 600 });
    await buyer(i).node.payInvoice(invoice.paymentRequest, { maxFeeMsat: 2_000 });
  });
  report({ bench: BENCH, metric: 'sim_network_payments_per_s', value: raw, unit: 'payments/s' });

  // End to end: the simulator's market rounds (choice, L402 purchase, receipt, rating, ledger batch per round).
  // Each run is a few rounds and the storing of their last batch (stored beside the next round otherwise).
  const hooks = {};
  await marketRound(state, 1, hooks);
  await state.market.writing;
  const roundRates: number[] = [];
  let round = 2;
  for (let run = 0; run < RUNS; run++) {
    const before = state.market.payments;
    const start = performance.now();
    for (let r = 0; r < ROUNDS_PER_RUN; r++) await marketRound(state, round++, hooks);
    await state.market.writing;
    roundRates.push((state.market.payments - before) / ((performance.now() - start) / 1000));
  }
  const again = await rate(STEP_COUNT, async (i) => {
    const invoice = await provider.node.createInvoice({ amountMsat: 2_000, expirySeconds: 600 });
    await buyer(i).node.payInvoice(invoice.paymentRequest, { maxFeeMsat: 2_000 });
  });
  // The baseline is measured before and after the rounds: the median of both sides the machine's drift.
  const baseline = (raw + again) / 2;
  report({
    bench: BENCH,
    metric: `purchases_per_s_${AGENTS}`,
    value: median(roundRates),
    unit: 'purchases/s',
    baseline,
    note: `median of ${RUNS} runs of ${ROUNDS_PER_RUN} market rounds of ${AGENTS} agents; baseline: sim network payments/s (invoice + payment) on the same network, before and after`,
  });

  // The steps of one purchase, each on its own.
  const steps: Record<string, number> = {};
  const invoices: string[] = [];
  steps.invoice = await rate(STEP_COUNT, async () => {
    invoices.push((await provider.node.createInvoice({ amountMsat: 2_000 })).paymentRequest);
  });
  steps.payment = await rate(STEP_COUNT, async (i) => {
    await buyer(i).node.payInvoice(invoices[i] as string, { maxFeeMsat: 2_000 });
  });
  const rootKey = new Uint8Array(32).fill(7);
  const identifier = (i: number) =>
    encodeIdentifier({ version: 0, paymentHash: new Uint8Array(32).fill(i & 255), tokenId: rootKey });
  const caveats = ['services=api:0', 'api_valid_until=1900000000', 'agora_paid_msat=2000'];
  const macaroon = mintMacaroon({ rootKey, identifier: identifier(1), location: 'agora402', caveats });
  steps.token_mint = await rate(STEP_COUNT, (i) =>
    mintMacaroon({ rootKey, identifier: identifier(i), location: 'agora402', caveats }),
  );
  steps.token_check = await rate(STEP_COUNT, () => verifyMacaroonSignature(macaroon, rootKey));
  const nodeKey = (await provider.node.info()).nodeKey;
  const target = (i: number) => ({ identifier: identifier(i), provider: nodeKey, service: 'api' });
  const key = (i: number): AgentKey => buyer(i).key;
  const proofs: string[] = [];
  steps.payer_proof_sign = await rate(STEP_COUNT, (i) => {
    proofs.push(formatPayerHeader(key(i), target(i)));
  });
  steps.payer_proof_check = await rate(STEP_COUNT, (i) => {
    const sig = (proofs[i] as string).split('sig=')[1] as string;
    if (!verifyPayerProof(key(i).id, sig, target(i))) throw new Error('payer proof refused');
  });
  // Receipts of real payments, as providers sign them.
  const paid: { invoice: string; paymentHash: string; preimage: string }[] = [];
  for (let i = 0; i < STEP_COUNT * RUNS; i++) {
    const invoice = await provider.node.createInvoice({ amountMsat: 2_000 });
    const { preimage } = await buyer(i).node.payInvoice(invoice.paymentRequest, { maxFeeMsat: 2_000 });
    paid.push({ invoice: invoice.paymentRequest, paymentHash: invoice.paymentHash, preimage });
  }
  const receipts: LedgerEvent[] = [];
  steps.receipt_sign = await rate(STEP_COUNT, (i) => {
    const { invoice, paymentHash, preimage } = paid[i] as (typeof paid)[number];
    receipts.push(
      createReceipt(
        provider.key,
        { service: 'api', invoice, paymentHash, preimage, amountMsat: 2_000, payer: key(i).id, status: 200 },
        { clock },
      ),
    );
  });
  steps.receipt_header = await rate(STEP_COUNT, (i) =>
    toBase64Url(utf8(parseEnvelope(receipts[i]).canonical)),
  );
  steps.receipt_check = await rate(STEP_COUNT, (i) => verifyReceipt(receipts[i]));
  const ratings: LedgerEvent[] = [];
  steps.rating_sign = await rate(STEP_COUNT, (i) => {
    ratings.push(rateReceipt(key(i), parseEnvelope(receipts[i]).id, 2, { clock }));
  });
  // Ledger: receipts and ratings appended in batches of a round (100 purchases, 200 events), rate per purchase.
  const perRound = AGENTS;
  steps.ledger_append = await rate(STEP_COUNT / perRound, async (b) => {
    const events: LedgerEvent[] = [];
    for (let i = b * perRound; i < (b + 1) * perRound; i++)
      events.push(receipts[i] as LedgerEvent, ratings[i] as LedgerEvent);
    await ledger.appendBatch(events);
  });
  steps.ledger_append = (steps.ledger_append as number) * perRound;
  let sumSeconds = 0;
  for (const [name, perSecond] of Object.entries(steps)) {
    sumSeconds += 1 / perSecond;
    report({
      bench: BENCH,
      metric: `step_${name}`,
      value: 1e6 / perSecond,
      unit: 'us/purchase',
      baseline: 1e6 / baseline,
      note: 'baseline: one raw sim network payment (invoice + payment), us',
    });
  }
  report({
    bench: BENCH,
    metric: 'steps_sum',
    value: sumSeconds * 1e6,
    unit: 'us/purchase',
    baseline: 1e6 / median(roundRates),
    note: 'sum of the steps above against one end-to-end purchase, us: the rest is the market around them',
  });
  await ledger.close();
}
