import { sha256 } from '@noble/hashes/sha2.js';
import { ErrorCode, isAgoraError, toHex, unixSeconds, utf8 } from '../core/index.js';
import { Budget, l402Fetch } from '../l402/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import { signRatings } from '../receipts/index.js';
import { publishSnapshot } from './credentials.js';
import type { Scenario } from './scenario.js';
import { rescore, scoreOf } from './scores.js';
import type { Actor, Cast, MarketState, ProviderActor, SimulationState } from './state.js';

/** The market after a round, for live metrics. */
export interface RoundSnapshot {
  readonly round: number;
  readonly payments: number;
  readonly failedPurchases: number;
  readonly outOfBudget: number;
  readonly satsMoved: number;
  readonly garbageServed: number;
  readonly providers: readonly {
    readonly name: string;
    readonly malicious: boolean;
    readonly priceMsat: number;
    readonly sales: number;
    /** Paid to it so far, msat. */
    readonly revenueMsat: number;
    readonly reputation: number;
  }[];
}

/** What the market phase reports as it goes. */
export interface MarketHooks {
  onProgress?(phase: string, done: number, total: number): void;
  onRound?(snapshot: RoundSnapshot): void;
}

/**
 * Why a purchase may fail in a working market, each counted as a failed purchase: a price or fee beyond the buyer's
 * limits, a payment that finds no route, lacks balance, expires or is refused on its way, a node that cannot be
 * reached, a token the provider refuses. Anything else is a defect of the simulator and propagates.
 */
const EXPECTED_PURCHASE_FAILURES: ReadonlySet<string> = new Set([
  ErrorCode.BudgetExceeded,
  ErrorCode.NoRoute,
  ErrorCode.InsufficientBalance,
  ErrorCode.PaymentFailed,
  ErrorCode.InvoiceExpired,
  ErrorCode.BackendUnreachable,
  ErrorCode.TokenRefused,
]);

/** Whether `error` is a purchase failing for one of the expected reasons. */
export function isExpectedPurchaseFailure(error: unknown): boolean {
  return isAgoraError(error) && EXPECTED_PURCHASE_FAILURES.has(error.code);
}

/** A Sybil's rating of its master, whatever it serves, and an honest agent's rating of good and of garbage. */
const PRAISE = 2;
const COMPLAINT = -2;

/** How many hex characters of SHA-256 a response's data and check carry. */
const CHECK_HEX = 16;

/** What an honest provider serves, and what an agent checks: the data with its hash. */
export function serve(service: string, request: string, malicious: boolean): string {
  const data = `${service}:${toHex(sha256(utf8(request))).slice(0, CHECK_HEX)}`;
  return JSON.stringify({
    data,
    check: malicious ? '0'.repeat(CHECK_HEX) : toHex(sha256(utf8(data))).slice(0, CHECK_HEX),
  });
}

/** Whether a response body is good data: its check is the hash of its data. Anything unreadable is garbage. */
export function isGood(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false; // not JSON: garbage, as a malicious provider may serve
  }
  const { data, check } = (parsed ?? {}) as { data?: unknown; check?: unknown };
  return (
    typeof data === 'string' &&
    typeof check === 'string' &&
    check === toHex(sha256(utf8(data))).slice(0, CHECK_HEX)
  );
}

/** An empty market: budgets full, no sale yet. */
export function openMarket(scenario: Scenario, cast: Cast): MarketState {
  return {
    payments: 0,
    failedPurchases: 0,
    outOfBudget: 0,
    msatMoved: 0,
    garbageServed: 0,
    rounds: [],
    prices: Object.fromEntries(cast.providers.map((p) => [p.name, []])),
    budgets: new Map(cast.agents.map((a) => [a, new Budget(scenario.budgetSat * 1000)])),
    garbageFrom: new Map(),
    garbageReceipts: [],
    goodReceipts: [],
    pending: [],
    ratings: [],
    writing: Promise.resolve(),
  };
}

/**
 * A provider answering a request of the simulated market, as `L402Provider.handle` would with the service as its
 * handler: the request goes to `authorize` as it is (no Fetch `Request` is built for it) and a paid one gets one
 * response with its receipt, not a response copied to add the header.
 */
async function serveSimulated(provider: ProviderActor, input: URL, init: RequestInit): Promise<Response> {
  const url = input.href;
  const decision = await provider.l402.authorize({
    url,
    method: init.method ?? 'GET',
    headers: init.headers instanceof Headers ? init.headers : new Headers(init.headers),
  });
  if (decision.kind === 'refused') return decision.response;
  const body = serve(provider.service, url, provider.malicious);
  const receipt = decision.receiptFor(200);
  return new Response(body, receipt === undefined ? {} : { headers: { 'agora-receipt': receipt } });
}

/**
 * One purchase over L402: pays, checks what was served, and queues the receipt with the buyer's rating. `failed`
 * for an expected failure (see {@link isExpectedPurchaseFailure}) or a refusal (any status but 200).
 */
export async function buy(
  state: SimulationState,
  buyer: Actor,
  provider: ProviderActor,
  round: number,
): Promise<'good' | 'garbage' | 'failed'> {
  const { scenario, market, cast, clock } = state;
  const receipts: { id: string; event: LedgerEvent; payer: string | null }[] = [];
  const url = `http://${provider.name}.sim/${provider.service}?q=${round}-${buyer.name}`;
  let response: Response;
  const holder = provider.gated ? state.credentials?.holders.get(buyer) : undefined;
  // Every purchase, gated or not, reads the buyer's history: a provider shown its pseudonym never gets its id.
  const history = state.credentials?.histories.get(buyer);
  if (provider.gated && state.credentials !== undefined) state.credentials.purchases++;
  try {
    response = await l402Fetch(
      url,
      {},
      {
        lightning: buyer.node,
        maxPriceMsat: scenario.maxPriceMsat,
        maxFeeMsat: scenario.maxFeeMsat,
        budget: market.budgets.get(buyer) as Budget,
        // A gated provider sells to pseudonyms only: it is never told the buyer's id (which would also bar the
        // buyer's credential there for good, its history marking the provider as named).
        ...(provider.gated ? {} : { identity: buyer.key }),
        ...(holder === undefined ? {} : { credential: holder, clock }),
        ...(history === undefined ? {} : { history }),
        onReceipt: (receipt, event) => {
          receipts.push({ id: receipt.id, event, payer: receipt.body.payer });
        },
        fetch: ((input: URL, init: RequestInit) => serveSimulated(provider, input, init)) as typeof fetch,
      },
    );
  } catch (error) {
    // A payer below a gated provider's threshold (or in no snapshot it accepts), or whose proof would leave it among
    // too few beside what it showed there this epoch, does not prove: it pays nothing.
    if (
      provider.gated &&
      (isAgoraError(error, ErrorCode.InvalidProof) || isAgoraError(error, ErrorCode.WouldLink)) &&
      state.credentials !== undefined
    ) {
      state.credentials.refused++;
      return 'failed';
    }
    if (isExpectedPurchaseFailure(error)) return 'failed';
    throw error;
  }
  if (response.status !== 200) {
    if (provider.gated && state.credentials !== undefined) state.credentials.refused++;
    return 'failed';
  }
  const good = isGood(await response.text());
  if (!good) {
    const seen = market.garbageFrom.get(buyer) ?? new Set<string>();
    market.garbageFrom.set(buyer, seen.add(provider.name));
  }
  market.payments++;
  provider.sales++;
  provider.roundSales++;
  provider.revenueMsat += provider.priceMsat;
  market.msatMoved += provider.priceMsat;
  // Sybils praise their master whatever it serves; honest agents rate what they got.
  const rating = cast.isSybil.has(buyer) || good ? PRAISE : COMPLAINT;
  for (const { id, event, payer } of receipts) {
    market.pending.push(event);
    // A receipt naming no payer was served to a pseudonym: the buyer's signed rating of it would name the payer
    // (and the ledger refuses it, only the receipt's payer may rate), so an anonymous purchase goes unrated.
    if (payer !== null)
      market.ratings.push({ payer: buyer.key, receipt: id, rating, created: unixSeconds(clock) });
    if (!good && !cast.isSybil.has(buyer)) market.garbageReceipts.push({ buyer, provider, receipt: id });
    if (
      good &&
      !cast.isSybil.has(buyer) &&
      !provider.malicious &&
      market.goodReceipts.length < GOOD_RECEIPTS_KEPT
    )
      market.goodReceipts.push({ buyer, provider, receipt: id });
  }
  return good ? 'good' : 'garbage';
}

/** Good purchases kept for the dispute phase (it disputes the first). */
const GOOD_RECEIPTS_KEPT = 4;

/**
 * Whom `buyer` buys from. A sybil buys from a malicious provider; an honest agent picks a service, then the candidate
 * of best utility (reputation share, less price and latency costs, plus a little noise), or now and then one at
 * random. Draws from the run's random stream in a fixed order: service, exploration, then each utility's noise.
 */
export function chooseProvider(state: SimulationState, buyer: Actor): ProviderActor {
  const { cast, random, scenario } = state;
  if (cast.isSybil.has(buyer)) return random.pick(cast.malicious);
  const offered = [...new Set(cast.providers.map((p) => p.service))];
  const service = random.pick(offered);
  const candidates = cast.providers.filter((p) => p.service === service);
  const best = Math.max(1, ...cast.providers.map((p) => scoreOf(state, p.key.id)));
  // Reputation first, then price and latency; a provider not scored yet gets the benefit of the doubt.
  const utility = (p: ProviderActor) =>
    (state.reputation.scores.get(p.key.id) ?? best / 2) / best -
    p.priceMsat / scenario.maxPriceMsat -
    p.latencyMs / scenario.latencyCostMs +
    random.next() * scenario.choiceNoise;
  return random.chance(scenario.exploreChance)
    ? random.pick(candidates)
    : candidates.reduce((a, b) => (utility(b) > utility(a) ? b : a));
}

/**
 * Prices follow demand: a provider sold to its fair share keeps its price, one sold to more raises it and one sold
 * to less lowers it, by at most `priceStep` a round, between `priceFloor` and `priceCeiling` times its base price.
 */
export function reprice(scenario: Scenario, provider: ProviderActor, fairShare: number): number {
  const { priceStep } = scenario;
  const factor = Math.min(
    1 + priceStep,
    Math.max(1 - priceStep, 1 - priceStep + (2 * priceStep * provider.roundSales) / (2 * fairShare)),
  );
  return Math.min(
    provider.baseMsat * scenario.priceCeiling,
    Math.max(Math.ceil(provider.baseMsat * scenario.priceFloor), Math.round(provider.priceMsat * factor)),
  );
}

/** One market round: every agent, in a shuffled order, buys once if its budget allows; then prices and scores. */
export async function marketRound(state: SimulationState, round: number, hooks: MarketHooks): Promise<void> {
  const { scenario, market, cast, clock, random, ledger } = state;
  clock.advance(scenario.roundSeconds * 1000);
  let payments = 0;
  let msat = 0;
  for (const buyer of random.shuffle(cast.agents)) {
    const provider = chooseProvider(state, buyer);
    const price = provider.priceMsat;
    // A payment reserves its price and the most it may pay in routing fees.
    if ((market.budgets.get(buyer) as Budget).remainingMsat < price + scenario.maxFeeMsat) {
      market.outOfBudget++;
      continue;
    }
    const outcome = await buy(state, buyer, provider, round);
    if (outcome === 'failed') market.failedPurchases++;
    else {
      payments++;
      msat += price;
      if (outcome === 'garbage') market.garbageServed++;
    }
  }
  storeRound(market, ledger);
  const fairShare = cast.agents.length / cast.providers.length;
  for (const p of cast.providers) {
    p.priceMsat = reprice(scenario, p, fairShare);
    p.roundSales = 0;
    market.prices[p.name]?.push(p.priceMsat);
  }
  market.rounds.push({ round, payments, averagePriceMsat: payments === 0 ? 0 : Math.round(msat / payments) });
  if (round % scenario.reputationEvery === 0 || round === scenario.rounds) {
    await market.writing;
    await rescore(state, round);
    if (state.credentials !== undefined) await publishSnapshot(state, state.credentials);
  }
  hooks.onRound?.({
    round,
    ...marketFigures(market),
    providers: cast.providers.map((p) => ({
      name: p.name,
      malicious: p.malicious,
      priceMsat: p.priceMsat,
      sales: p.sales,
      revenueMsat: p.revenueMsat,
      reputation: scoreOf(state, p.key.id),
    })),
  });
  hooks.onProgress?.('market', round, scenario.rounds);
}

/**
 * Stores the round's receipts with their ratings, in purchase order (receipt, then its rating), as one verified
 * batch after the previous round's: the ratings are signed on a worker thread meanwhile, so the next round's
 * purchases go on beside it. `market.writing` settles when the batch is stored.
 */
function storeRound(market: MarketState, ledger: Ledger): void {
  const receipts = market.pending.splice(0);
  const ratings = market.ratings.splice(0);
  const previous = market.writing;
  market.writing = (async () => {
    const signed = signRatings(ratings);
    signed.catch(() => {}); // awaited below, after the previous batch
    await previous;
    const rated = await signed;
    await ledger.appendBatch(receipts.flatMap((receipt, i) => [receipt, rated[i] as LedgerEvent]));
  })();
  // A failure surfaces where `writing` is awaited; until then it is not an unhandled rejection.
  market.writing.catch(() => {});
}

/** The market phase: reputation from the start, then every round; every round's batch stored when it ends. */
export async function runMarket(state: SimulationState, hooks: MarketHooks): Promise<void> {
  await rescore(state, 0);
  if (state.credentials !== undefined) await publishSnapshot(state, state.credentials);
  for (let round = 1; round <= state.scenario.rounds; round++) await marketRound(state, round, hooks);
  await state.market.writing;
}

/** The market's running totals, sats rounded. */
export function marketFigures(market: MarketState) {
  return {
    payments: market.payments,
    failedPurchases: market.failedPurchases,
    outOfBudget: market.outOfBudget,
    satsMoved: Math.round(market.msatMoved / 1000),
    garbageServed: market.garbageServed,
  };
}
