import { MemoryLevel } from 'memory-level';
import { anchorEventTypes, buildAnchorTransaction, proposalCommitment } from '../anchor/index.js';
import { fromHex, ManualClock, sha256, toHex, unixSeconds, utf8 } from '../core/index.js';
import {
  castPrivateVote,
  createProposal,
  draftProposal,
  GovernedState,
  type ProposalResult,
  type ProposalTerms,
  proposalCreatedType,
  proposalState,
  snapshotSourcesType,
  tallyProposal,
  voteCastType,
} from '../governance/index.js';
import { type AgentKey, agentKeyFromSecret, zkIdentity } from '../identity/index.js';
import { Budget, L402Provider, l402Fetch, MemoryRootKeyStore } from '../l402/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
} from '../ledger/index.js';
import { LdkNetwork, type LightningBackend, SimNetwork } from '../lightning/index.js';
import { rateReceipt, receiptRatingType, receiptType } from '../receipts/index.js';
import { Reputation } from '../reputation/index.js';
import { lockStake, StakeCustodian, stakeEventTypes } from '../stake/index.js';
import { Prover, releaseCurve, Verifier } from '../zk/index.js';
import { SeededRandom, seededBytes } from './random.js';
import { type Scenario, SERVICES, scenarioOf } from './scenario.js';

/** One provider at the end of a run. */
export interface ProviderOutcome {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly malicious: boolean;
  readonly sales: number;
  readonly revenueSat: number;
  readonly finalPriceMsat: number;
  /** Reputation in ppb of all trust, at the end of the market rounds. */
  readonly reputation: number;
}

/** A proposal of the run and its result. */
export interface ProposalOutcome {
  readonly id: string;
  readonly title: string;
  readonly weightMode: string;
  readonly members: number;
  readonly votes: number;
  readonly totals: Record<string, string>;
  readonly state: string;
  /** Voters who proved their vote, and the pieces (proofs) each cast, in the order they voted. */
  readonly voters: number;
  readonly proofs: readonly number[];
  /** Weight the voters held, and the weight the tally counted (pieces below the floor or too rare are lost). */
  readonly weightVoted: string;
  readonly weightCounted: string;
  /** Members who could have cast each counted vote (the observer's view: see `anonymitySets`), by vote id order. */
  readonly anonymity: readonly number[];
  /** The smallest of those sets, and the least the proposal required. */
  readonly minAnonymity?: number;
  readonly requiredAnonymity?: number;
  /** The snapshot's weights, heaviest first (public: what an observer matches votes against). */
  readonly memberWeights: readonly string[];
}

/** What a run produced: summary figures and the time series the report draws. */
export interface SimulationResult {
  readonly scenario: Scenario;
  readonly payments: number;
  readonly failedPurchases: number;
  /** Purchases not made because the agent's budget could not cover the price. */
  readonly outOfBudget: number;
  readonly satsMoved: number;
  readonly garbageServed: number;
  readonly providers: readonly ProviderOutcome[];
  readonly reputation: { readonly honestProviders: number; readonly maliciousProviders: number };
  /** Per round: payments and the average price paid (msat). */
  readonly rounds: readonly {
    readonly round: number;
    readonly payments: number;
    readonly averagePriceMsat: number;
  }[];
  /** Per provider, its price after each round (msat). */
  readonly prices: Readonly<Record<string, readonly number[]>>;
  /** Per provider, its reputation (ppb) each time it was computed, with the round. */
  readonly reputationTrajectory: Readonly<Record<string, readonly { round: number; score: number }[]>>;
  readonly governance: {
    readonly target: string;
    readonly targetName: string;
    readonly proposals: readonly ProposalOutcome[];
    readonly blacklisted: readonly string[];
    /** The blacklisted provider, buying from an honest one after the decision: the `agora_blacklist` caveat refuses it. */
    readonly refusedStatus: number;
    readonly stakesLocked: number;
    readonly stakesReleased: number;
  };
  readonly anchor: {
    readonly proposal: string;
    readonly commitment: string;
    readonly txid: string;
    readonly feeSat: string;
  };
}

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
    readonly reputation: number;
  }[];
}

export interface SimulationHooks {
  /** Progress: a phase name and how far along it is. */
  onProgress?(phase: string, done: number, total: number): void;
  /** The market after each round. */
  onRound?(snapshot: RoundSnapshot): void;
  /** A warning, such as votes cast with their exact weight (`exactWeights`). */
  onWarning?(message: string): void;
}

interface Actor {
  readonly name: string;
  readonly key: AgentKey;
  readonly node: LightningBackend;
}

interface ProviderActor extends Actor {
  readonly service: string;
  readonly malicious: boolean;
  readonly baseMsat: number;
  readonly latencyMs: number;
  priceMsat: number;
  sales: number;
  roundSales: number;
  revenueMsat: number;
  l402: L402Provider;
}

const START = 1_800_000_000;
const ROUND_SECONDS = 60;
const HONEST_STAKE_SAT = 20_000;
const SYBIL_STAKE_SAT = 2_000;
/** Most a purchase may pay in routing fees (the hub charges 1 sat and 1 ppm). */
const MAX_FEE_MSAT = 2_000;

/** The Lightning network of a run: every actor has a channel with one hub. */
async function buildNetwork(scenario: Scenario, clock: ManualClock) {
  const names = [
    ...Array.from({ length: scenario.agents }, (_, i) => `agent-${i}`),
    ...Array.from({ length: scenario.providers }, (_, i) => `provider-${i}`),
    'custodian',
  ];
  if (scenario.lightning === 'ldk') {
    const network = await LdkNetwork.create({ clock });
    const hub = network.createNode('hub');
    const nodes = new Map<string, LightningBackend>();
    for (const name of names) {
      const node = network.createNode(name);
      await network.connect(node, hub);
      // Agents fund their own channel; the hub funds the channels towards providers and the custodian.
      if (name.startsWith('agent')) await network.openChannel(node, hub, { capacitySat: 200_000 });
      else await network.openChannel(hub, node, { capacitySat: 2_000_000 });
      nodes.set(name, node);
    }
    return { nodes, close: async () => network.close() };
  }
  const network = new SimNetwork({ clock, seed: scenario.seed });
  const hub = network.createNode('hub');
  const nodes = new Map<string, LightningBackend>();
  for (const name of names) {
    const node = network.createNode(name);
    if (name.startsWith('agent')) network.openChannel(node, hub, { capacitySat: 200_000 });
    // The hub's side towards the custodian holds every stake in flight at once.
    else
      network.openChannel(hub, node, {
        capacitySat: Math.max(50_000_000, scenario.agents * 2 * HONEST_STAKE_SAT),
      });
    nodes.set(name, node);
  }
  return { nodes, close: async () => {} };
}

/** What an honest provider serves, and what an agent checks: the data with its hash. */
function serve(service: string, request: string, malicious: boolean): string {
  const data = `${service}:${toHex(sha256(utf8(request))).slice(0, 16)}`;
  return JSON.stringify({ data, check: malicious ? '0'.repeat(16) : toHex(sha256(utf8(data))).slice(0, 16) });
}

function isGood(body: string): boolean {
  try {
    const { data, check } = JSON.parse(body) as { data: string; check: string };
    return check === toHex(sha256(utf8(data))).slice(0, 16);
  } catch {
    return false;
  }
}

/** The anonymity figures of a tally: each counted vote's set size, the smallest, and the least required. */
function anonymityOf(
  result: ProposalResult,
): Pick<ProposalOutcome, 'anonymity' | 'minAnonymity' | 'requiredAnonymity'> {
  const counted = new Set(result.counted);
  const anonymity = result.anonymity;
  if (anonymity === undefined) return { anonymity: [] };
  return {
    anonymity: anonymity.sets.filter((set) => counted.has(set.id)).map((set) => set.size),
    ...(anonymity.smallest === undefined ? {} : { minAnonymity: anonymity.smallest }),
    requiredAnonymity: anonymity.required,
  };
}

/**
 * Runs a machine economy: agents buy from L402 providers over Lightning, receipts feed
 * reputation, a founder proposes to blacklist the worst provider, agents vote with real ZK proofs weighted by
 * reputation and then by stake, the decision takes effect through the `agora_blacklist` caveat, and the result is
 * committed in a (dry-run) anchor transaction. Deterministic for a seed.
 */
export async function simulate(
  options: Partial<Scenario> = {},
  hooks: SimulationHooks = {},
): Promise<SimulationResult> {
  const scenario = scenarioOf(options);
  const random = new SeededRandom(scenario.seed);
  const clock = new ManualClock(START * 1000);
  const progress = hooks.onProgress ?? (() => {});
  const verifier = await Verifier.load();
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([
      agentRegisteredType,
      receiptType,
      receiptRatingType,
      proposalCreatedType,
      snapshotSourcesType,
      voteCastType(verifier),
      ...stakeEventTypes,
      ...anchorEventTypes(),
    ]),
  });
  const network = await buildNetwork(scenario, clock);
  try {
    const key = (label: string) => agentKeyFromSecret(seededBytes(scenario.seed, label));
    const node = (name: string) => network.nodes.get(name) as LightningBackend;
    // Founders register first (the pre-trusted seeds), then the other honest agents, the providers, the sybils.
    const honestCount = scenario.agents - scenario.sybils;
    const agents: Actor[] = Array.from({ length: scenario.agents }, (_, i) => ({
      name: `agent-${i}`,
      key: key(`agent-${i}`),
      node: node(`agent-${i}`),
    }));
    const honest = agents.slice(0, honestCount);
    const sybils = agents.slice(honestCount);
    const isSybil = new Set<Actor>(sybils);
    let governed: GovernedState | undefined;
    const blacklist = { has: (agent: string) => governed?.has(agent) ?? false };
    const providers: ProviderActor[] = Array.from({ length: scenario.providers }, (_, i) => {
      const name = `provider-${i}`;
      const providerKey = key(name);
      const baseMsat = 1_000 * random.int(2, 6);
      return {
        name,
        key: providerKey,
        node: node(name),
        // Two services at least, so a malicious provider has an honest competitor for its own.
        service: SERVICES[
          i % Math.max(2, Math.min(SERVICES.length, Math.floor(scenario.providers / 2)))
        ] as string,
        // The last providers are the malicious ones.
        malicious: i >= scenario.providers - scenario.maliciousProviders,
        baseMsat,
        latencyMs: random.int(20, 400),
        priceMsat: baseMsat,
        sales: 0,
        roundSales: 0,
        revenueMsat: 0,
        l402: new L402Provider({
          lightning: node(name),
          rootKeys: new MemoryRootKeyStore(),
          service: 'api',
          price: () => providers[i]?.priceMsat ?? baseMsat,
          identity: providerKey,
          policy: { blacklist: true },
          blacklist,
          clock,
        }),
      };
    });
    const registrationOrder = [...honest, ...providers, ...sybils];
    for (const [i, actor] of registrationOrder.entries()) {
      const registered = new ManualClock((START - 10_000 + i) * 1000);
      await ledger.append(
        await createAgentRegistration(actor.key, {
          nodeKeys: [(await actor.node.info()).nodeKey],
          clock: registered,
        }),
      );
    }
    const founders = honest.slice(0, scenario.founders).map((a) => a.key.id);

    // The market.
    const rounds: { round: number; payments: number; averagePriceMsat: number }[] = [];
    const prices: Record<string, number[]> = Object.fromEntries(providers.map((p) => [p.name, []]));
    const trajectory: Record<string, { round: number; score: number }[]> = Object.fromEntries(
      providers.map((p) => [p.name, []]),
    );
    let scores = new Map<string, number>();
    // Read once, then followed: each rescore reads only the receipts and ratings stored since the last one.
    let reputation: Reputation | undefined;
    const rescore = async (round: number) => {
      const current =
        reputation === undefined
          ? await Reputation.fromLedger(ledger, { seeds: founders })
          : await reputation.refresh(ledger);
      reputation = current;
      scores = new Map(providers.map((p) => [p.key.id, current.score(p.key.id)]));
      for (const p of providers) trajectory[p.name]?.push({ round, score: current.score(p.key.id) });
    };
    await rescore(0);
    let payments = 0;
    let failed = 0;
    let outOfBudget = 0;
    // Which providers served each agent garbage: what it votes on.
    const garbageFrom = new Map<Actor, Set<string>>();
    const budgets = new Map(agents.map((a) => [a, new Budget(scenario.budgetSat * 1000)]));
    let garbage = 0;
    let msatMoved = 0;
    // Receipts and ratings of a round, stored together at its end (one verified batch).
    const pending: LedgerEvent[] = [];
    const buy = async (
      buyer: Actor,
      provider: ProviderActor,
      round: number,
    ): Promise<'good' | 'garbage' | 'failed'> => {
      const receipts: LedgerEvent[] = [];
      const url = `http://${provider.name}.sim/${provider.service}?q=${round}-${buyer.name}`;
      try {
        const response = await l402Fetch(
          url,
          {},
          {
            lightning: buyer.node,
            maxPriceMsat: 20_000,
            maxFeeMsat: MAX_FEE_MSAT,
            budget: budgets.get(buyer) as Budget,
            identity: buyer.key as AgentKey,
            onReceipt: (_, event) => {
              receipts.push(event);
            },
            fetch: ((input: URL, init: RequestInit) =>
              provider.l402.handle(
                new Request(input, init),
                async (request) => new Response(serve(provider.service, request.url, provider.malicious)),
              )) as typeof fetch,
          },
        );
        if (response.status !== 200) return 'failed';
        const good = isGood(await response.text());
        if (!good) {
          const seen = garbageFrom.get(buyer) ?? new Set<string>();
          garbageFrom.set(buyer, seen.add(provider.name));
        }
        payments++;
        provider.sales++;
        provider.roundSales++;
        provider.revenueMsat += provider.priceMsat;
        msatMoved += provider.priceMsat;
        for (const receipt of receipts) {
          // Sybils praise their master whatever it serves; honest agents rate what they got.
          const rating = isSybil.has(buyer) ? 2 : good ? 2 : -2;
          pending.push(receipt, rateReceipt(buyer.key, parseEnvelope(receipt).id, rating, { clock }));
        }
        return good ? 'good' : 'garbage';
      } catch {
        return 'failed';
      }
    };
    const marketFigures = () => ({
      payments,
      failedPurchases: failed,
      outOfBudget,
      satsMoved: Math.round(msatMoved / 1000),
      garbageServed: garbage,
    });
    const malicious = providers.filter((p) => p.malicious);
    const offered = [...new Set(providers.map((p) => p.service))];
    const byService = new Map(
      offered.map((service) => [service, providers.filter((p) => p.service === service)]),
    );
    for (let round = 1; round <= scenario.rounds; round++) {
      clock.advance(ROUND_SECONDS * 1000);
      let roundPayments = 0;
      let roundMsat = 0;
      for (const buyer of random.shuffle(agents)) {
        let provider: ProviderActor;
        if (isSybil.has(buyer)) provider = random.pick(malicious);
        else {
          const service = random.pick(offered);
          const candidates = byService.get(service) as ProviderActor[];
          // Reputation first, then price and latency; a provider never bought from gets the benefit of the doubt.
          const best = Math.max(1, ...providers.map((p) => scores.get(p.key.id) ?? 0));
          const utility = (p: ProviderActor) =>
            (scores.get(p.key.id) ?? best / 2) / best -
            p.priceMsat / 20_000 -
            p.latencyMs / 4_000 +
            random.next() * 0.05;
          provider = random.chance(0.1)
            ? random.pick(candidates)
            : candidates.reduce((a, b) => (utility(b) > utility(a) ? b : a));
        }
        const price = provider.priceMsat;
        // A payment reserves its price and the most it may pay in routing fees.
        if ((budgets.get(buyer) as Budget).remainingMsat < price + MAX_FEE_MSAT) {
          outOfBudget++;
          continue;
        }
        const outcome = await buy(buyer, provider, round);
        if (outcome === 'failed') failed++;
        else {
          roundPayments++;
          roundMsat += price;
          if (outcome === 'garbage') garbage++;
        }
      }
      await ledger.appendBatch(pending.splice(0));
      // Prices follow demand: a provider sold to more than its share raises its price, one sold to less lowers it.
      const fair = agents.length / providers.length;
      for (const p of providers) {
        const factor = Math.min(1.2, Math.max(0.8, 0.8 + (0.4 * p.roundSales) / (2 * fair)));
        p.priceMsat = Math.min(
          p.baseMsat * 3,
          Math.max(Math.ceil(p.baseMsat / 2), Math.round(p.priceMsat * factor)),
        );
        p.roundSales = 0;
        prices[p.name]?.push(p.priceMsat);
      }
      rounds.push({
        round,
        payments: roundPayments,
        averagePriceMsat: roundPayments === 0 ? 0 : Math.round(roundMsat / roundPayments),
      });
      if (round % scenario.reputationEvery === 0 || round === scenario.rounds) await rescore(round);
      hooks.onRound?.({
        round,
        ...marketFigures(),
        providers: providers.map((p) => ({
          name: p.name,
          malicious: p.malicious,
          priceMsat: p.priceMsat,
          sales: p.sales,
          reputation: scores.get(p.key.id) ?? 0,
        })),
      });
      progress('market', round, scenario.rounds);
    }

    // Governance: the founder proposes to blacklist the provider with the least reputation.
    const target = providers.reduce((a, b) =>
      (scores.get(b.key.id) ?? 0) < (scores.get(a.key.id) ?? 0) ? b : a,
    );
    // Preimages and offer nonces from the seed: the same seed gives the same stakes, checkpoints and proposal ids.
    let drawn = 0;
    const randomBytes = (length: number) =>
      seededBytes(scenario.seed, `stake-random/${drawn++}`).slice(0, length);
    const custodian = await StakeCustodian.open({
      key: key('custodian'),
      backend: node('custodian'),
      ledger,
      clock,
      randomBytes,
    });
    const opens = unixSeconds(clock) + 600;
    const closes = opens + 3_600;
    const until = closes + 3_600;
    let stakesLocked = 0;
    const stakers = [...honest, ...sybils];
    for (const [i, agent] of stakers.entries()) {
      await lockStake({
        key: agent.key,
        backend: agent.node,
        custodian,
        amountSat: isSybil.has(agent) ? SYBIL_STAKE_SAT : HONEST_STAKE_SAT,
        until,
        sequence: 0,
        clock,
        randomBytes,
      });
      stakesLocked++;
      progress('stakes', i + 1, stakers.length);
    }
    clock.advance(60_000);
    const prover = await Prover.load();
    const proposals: ProposalOutcome[] = [];
    const founder = honest[0] as Actor;
    const everyone = [...honest, ...providers, ...sybils];
    // Sybils and malicious providers defend their side; an honest agent votes for only if the target served it
    // garbage, and abstains otherwise; honest providers abstain.
    const choiceOf = (voter: Actor): 'for' | 'against' | 'abstain' => {
      if (isSybil.has(voter) || malicious.includes(voter as ProviderActor)) return 'against';
      return garbageFrom.get(voter)?.has(target.name) === true ? 'for' : 'abstain';
    };
    for (const weightMode of ['reputation', 'stake'] as const) {
      const terms: ProposalTerms = {
        title: `Blacklist ${target.name}, the least trusted provider (${weightMode}-weighted vote)`,
        options: ['for', 'against', 'abstain'],
        counting: 'single',
        weightMode,
        quorum: 2_000,
        threshold: 5_000,
        window: { opens, closes },
        minWeight: '1',
        actions: [{ type: 'blacklist.add', agent: target.key.id }],
      };
      const { body, sources, snapshot, tree } = await draftProposal(ledger, terms, {
        proposer: founder.key,
        clock,
      });
      const event = createProposal(founder.key, body, { clock });
      const [, { id }] = [await ledger.appendBatch(sources), await ledger.append(event)];
      const members = new Map(snapshot.members.map((m, i) => [m.agent, { weight: m.weight, index: i }]));
      // Those with the most weight vote first; beyond `maxProvedVoters` the rest abstain (proofs are costly).
      const voters = everyone
        .filter((a) => members.has(a.key.id))
        .sort((a, b) => Number((members.get(b.key.id)?.weight ?? 0n) - (members.get(a.key.id)?.weight ?? 0n)))
        .slice(0, scenario.maxProvedVoters);
      const votes: LedgerEvent[] = [];
      const proofs: number[] = [];
      // Each piece is dated at its own seeded random time in the window (the client's publication time).
      const times = new SeededRandom(`${scenario.seed}/vote-times/${weightMode}`);
      let weightVoted = 0n;
      let warned = false;
      for (const [i, voter] of voters.entries()) {
        const member = members.get(voter.key.id) as { weight: bigint; index: number };
        const cast = await castPrivateVote(prover, {
          proposal: { id, event },
          ballot: { choice: choiceOf(voter) },
          secret: (await zkIdentity(voter.key)).secret,
          weight: member.weight,
          path: tree.path(member.index),
          members: snapshot.members,
          clock: new ManualClock((opens + 60) * 1000),
          random: () => times.next(),
          ...(scenario.exactWeights === true
            ? {
                exact: true,
                warn: (message: string) => {
                  if (!warned) hooks.onWarning?.(message);
                  warned = true;
                },
              }
            : {}),
        });
        votes.push(...cast.pieces.map((piece) => piece.event));
        proofs.push(cast.pieces.length);
        weightVoted += member.weight;
        progress(`votes (${weightMode})`, i + 1, voters.length);
      }
      await ledger.appendBatch(votes);
      proposals.push({
        id,
        title: terms.title,
        weightMode,
        members: snapshot.members.length,
        votes: votes.length,
        totals: {},
        state: 'active',
        voters: voters.length,
        proofs,
        weightVoted: weightVoted.toString(),
        weightCounted: '0',
        anonymity: [],
        memberWeights: snapshot.members
          .map((m) => m.weight)
          .sort((a, b) => (b > a ? 1 : b < a ? -1 : 0))
          .map(String),
      });
    }
    await releaseCurve();

    // The votes close; the decision takes effect.
    clock.set(closes * 1000);
    const decided: ProposalOutcome[] = [];
    for (const proposal of proposals) {
      const result = await tallyProposal(ledger, proposal.id);
      decided.push({
        ...proposal,
        totals: Object.fromEntries(Object.entries(result.tally.totals).map(([o, t]) => [o, t.toString()])),
        state: proposalState(result, closes),
        weightCounted: result.tally.participation.toString(),
        ...anonymityOf(result),
      });
    }
    governed = await GovernedState.fromLedger(ledger, closes);
    const honestProvider =
      providers.find((p) => !p.malicious && p.service === target.service) ??
      providers.find((p) => !p.malicious);
    const refusal = await l402Fetch(
      `http://${honestProvider?.name}.sim/${honestProvider?.service}?q=after`,
      {},
      {
        lightning: target.node,
        maxPriceMsat: 20_000,
        identity: target.key,
        fetch: ((input: URL, init: RequestInit) =>
          (honestProvider as ProviderActor).l402.handle(
            new Request(input, init),
            async () => new Response('ok'),
          )) as typeof fetch,
      },
    ).catch(() => undefined);

    // Stakes come back after their promised time.
    clock.set(until * 1000);
    const released = await custodian.releaseDue();

    // The decision, committed for Bitcoin: a dry-run anchor transaction from the embedded default coin.
    const first = decided[0] as ProposalOutcome;
    const { commitment } = await proposalCommitment(ledger, first.id, until);
    const anchor = buildAnchorTransaction({
      secretKey: seededBytes(scenario.seed, 'anchor wallet'),
      chain: 'regtest',
      utxos: [{ txid: toHex(seededBytes(scenario.seed, 'anchor coin')), vout: 0, amountSat: 100_000n }],
      commitment: fromHex(commitment),
      feeRate: 2,
    });

    const average = (list: ProviderActor[]) =>
      list.length === 0
        ? 0
        : Math.round(list.reduce((s, p) => s + (scores.get(p.key.id) ?? 0), 0) / list.length);
    return {
      scenario,
      ...marketFigures(),
      providers: providers.map((p) => ({
        id: p.key.id,
        name: p.name,
        service: p.service,
        malicious: p.malicious,
        sales: p.sales,
        revenueSat: Math.round(p.revenueMsat / 1000),
        finalPriceMsat: p.priceMsat,
        reputation: scores.get(p.key.id) ?? 0,
      })),
      reputation: {
        honestProviders: average(providers.filter((p) => !p.malicious)),
        maliciousProviders: average(malicious),
      },
      rounds,
      prices,
      reputationTrajectory: trajectory,
      governance: {
        target: target.key.id,
        targetName: target.name,
        proposals: decided,
        blacklisted: providers.filter((p) => governed?.has(p.key.id)).map((p) => p.name),
        refusedStatus: refusal?.status ?? 0,
        stakesLocked,
        stakesReleased: released.length,
      },
      anchor: { proposal: first.id, commitment, txid: anchor.txid, feeSat: anchor.feeSat.toString() },
    };
  } finally {
    await ledger.close();
    await network.close();
  }
}
