import { AgoraError, ErrorCode, isLowerHex } from '../core/index.js';
import type { EventReader } from '../ledger/index.js';
import { DEFAULT_ALPHA, type EigenTrustOptions } from './eigentrust.js';
import { LedgerFacts, type ReceiptFact } from './ledger-facts.js';
import { SCORE_SCALE, TrustEngine, type TrustUpdateOptions } from './trust-engine.js';
import type { Interactions } from './trust-graph.js';

/** How receipts become reputation: their decay, the pre-trusted agents and the EigenTrust parameters. */
export interface ReputationOptions extends Omit<EigenTrustOptions, 'warmStart'> {
  /** Half-life of a receipt's weight, in days (default 30). */
  halfLifeDays?: number;
  /** Pre-trusted agents; default: the `seedCount` agents registered first. */
  seeds?: readonly string[];
  /** How many of the oldest registrations are pre-trusted when `seeds` is not given (default 10). */
  seedCount?: number;
  /** Only events created at or before this time (unix seconds) count: the scores a snapshot fixes. */
  asOf?: number;
}

/** What went into an agent's score. */
export interface Explanation {
  readonly id: string;
  readonly score: number;
  readonly percentile: number;
  /** Part of the score that comes from being pre-trusted. */
  readonly fromSeed: number;
  /** Agents whose trust flows to this one, largest share first. */
  readonly trustedBy: readonly { agent: string; score: number }[];
  /** Receipts that carried that trust, largest first. */
  readonly receipts: readonly {
    receipt: string;
    from: string;
    amountMsat: number;
    rating: number | null;
    score: number;
  }[];
}

const DAY = 86_400;
// Weights grow by 2^((created - EPOCH) / half-life) rather than decaying with age: every weight of a row then moves
// by the same factor as time passes, which normalization cancels, so scores need no "as of" date and stay valid
// under incremental updates.
const EPOCH = 1_700_000_000;
/** A rating's effect: 2 counts fully, an unrated payment half, 0 nothing, negative ratings subtract. */
const UNRATED = 1;

/**
 * EigenTrust reputation of the agents in a ledger, from their receipts: local trust is the time-weighted sats an
 * agent paid another for well-rated service (payer to provider), plus providers' explicit ratings of their payers
 * (provider to payer); negative ratings subtract, self-payments count for nothing, and a payment is counted once
 * even if two receipts attest it. Agents are numbered in id order and receipts summed in id order, so replicas
 * holding the same events compute the same integer scores, whatever order they received them in.
 */
export class Reputation {
  private readonly index = new Map<string, number>();
  private readonly engine: TrustEngine;
  private sorted: Int32Array | undefined;
  /** `facts` up to here is in id order (as computed), so positions there are found by bisection... */
  private sortedCount: number;
  /** ...and the facts counted since are found by id here. */
  private readonly appended = new Map<string, number>();

  private constructor(
    private readonly agents: readonly string[],
    private facts: ReceiptFact[],
    private readonly seedIds: readonly string[],
    private readonly options: ReputationOptions,
    /** Where `refresh` reads new events from, for a reputation read from a ledger. */
    private source?: LedgerFacts,
  ) {
    this.sortedCount = facts.length;
    for (const [i, id] of agents.entries()) this.index.set(id, i);
    const seeds = Int32Array.from(
      seedIds.map((id) => this.index.get(id)).filter((i): i is number => i !== undefined),
    );
    this.engine = new TrustEngine(this.interactions(facts), seeds, options);
  }

  /** Reputation from receipts and registrations already extracted (agents: id and first registration time). */
  static fromFacts(
    registrations: readonly { id: string; created: number }[],
    facts: readonly ReceiptFact[],
    options: ReputationOptions = {},
  ): Reputation {
    return Reputation.compute(registrations, facts, options);
  }

  private static compute(
    registrations: readonly { id: string; created: number }[],
    facts: readonly ReceiptFact[],
    options: ReputationOptions,
    source?: LedgerFacts,
  ): Reputation {
    const ids = new Set<string>(registrations.map((r) => r.id));
    for (const fact of facts) {
      ids.add(fact.provider);
      if (fact.payer !== null) ids.add(fact.payer);
    }
    const agents = [...ids].sort();
    const seeds =
      options.seeds ??
      [...registrations]
        .sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))
        .slice(0, options.seedCount ?? 10)
        .map((r) => r.id);
    for (const seed of seeds)
      if (!isLowerHex(seed, 32))
        throw new AgoraError(ErrorCode.InvalidArgument, `seed ${seed} is not an agent id`);
    const canonical = [...facts].sort(byId);
    return new Reputation(agents, canonical, seeds, options, source);
  }

  /**
   * Reads registrations, receipts and their ratings from `ledger` and computes every score; `refresh` then follows
   * the ledger.
   */
  static async fromLedger(ledger: EventReader, options: ReputationOptions = {}): Promise<Reputation> {
    const source = await LedgerFacts.read(ledger, options.asOf);
    return Reputation.compute(source.registrations(), source.facts(), options, source);
  }

  private weight(amountMsat: number, created: number, rating: number): number {
    const halfLife = (this.options.halfLifeDays ?? 30) * DAY;
    return (amountMsat / 1000) * 2 ** ((created - EPOCH) / halfLife) * (rating / 2);
  }

  /** Trust statements of `facts`, and those of `removed` negated (to take them back). */
  private interactions(facts: readonly ReceiptFact[], removed: readonly ReceiptFact[] = []): Interactions {
    const count = facts.length + removed.length;
    const from = new Int32Array(count * 2);
    const to = new Int32Array(count * 2);
    const weight = new Float64Array(count * 2);
    let length = 0;
    const state = (fact: ReceiptFact, sign: number) => {
      if (fact.payer === null) return;
      const payer = this.index.get(fact.payer) as number;
      const provider = this.index.get(fact.provider) as number;
      from[length] = payer;
      to[length] = provider;
      weight[length++] = sign * this.weight(fact.amountMsat, fact.created, fact.serviceRating ?? UNRATED);
      if (fact.payerRating !== undefined) {
        from[length] = provider;
        to[length] = payer;
        weight[length++] = sign * this.weight(fact.amountMsat, fact.created, fact.payerRating);
      }
    };
    for (const fact of facts) state(fact, 1);
    for (const fact of removed) state(fact, -1);
    return { n: this.agents.length, from, to, weight, length };
  }

  /**
   * Convergence of the last computation: its iterations, the L1 change of the last one, and `errorBound`, a
   * certified bound on the L1 distance between these scores (as fractions of all trust) and exact EigenTrust.
   */
  get stats(): {
    agents: number;
    iterations: number;
    residual: number;
    errorBound: number;
    converged: boolean;
  } {
    const { engine } = this;
    return {
      agents: this.agents.length,
      iterations: engine.iterations,
      residual: engine.residual,
      errorBound: engine.errorBound,
      converged: engine.converged,
    };
  }

  /** The pre-trusted agents. */
  get seeds(): readonly string[] {
    return this.seedIds;
  }

  /** Integer score in parts per billion of all trust (0 for an unknown agent). */
  score(id: string): number {
    const i = this.index.get(id);
    return i === undefined ? 0 : this.engine.score(i);
  }

  private ranking(): Int32Array {
    if (this.sorted === undefined) {
      const order = Int32Array.from(this.agents.keys());
      const trust = this.engine.trust;
      order.sort((a, b) => (trust[b] as number) - (trust[a] as number) || a - b);
      this.sorted = order;
    }
    return this.sorted;
  }

  /** The `n` best-scored agents. */
  top(n: number): { id: string; score: number }[] {
    return [...this.ranking().subarray(0, n)].map((i) => ({
      id: this.agents[i] as string,
      score: this.engine.score(i),
    }));
  }

  /** Percentage of agents scoring strictly less (0 to 100). */
  percentile(id: string): number {
    const own = this.score(id);
    let below = 0;
    for (let i = 0; i < this.agents.length; i++) if (this.engine.score(i) < own) below++;
    return this.agents.length === 0 ? 0 : Math.round((below / this.agents.length) * 10_000) / 100;
  }

  /** Where an agent's score comes from: the agents trusting it and the receipts that carried their trust. */
  explain(id: string, limit = 5): Explanation {
    const target = this.index.get(id);
    const alpha = this.options.alpha ?? DEFAULT_ALPHA;
    const trust = this.engine.trust;
    const { rowStart, column, value, raw } = this.engine.local;
    const trustedBy: { agent: string; score: number }[] = [];
    const rowPositive = (i: number) => {
      let total = 0;
      for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++)
        total += Math.max(0, raw[k] as number);
      return total;
    };
    if (target !== undefined) {
      for (let i = 0; i < this.agents.length; i++) {
        for (let k = rowStart[i] as number; k < (rowStart[i + 1] as number); k++) {
          if (column[k] === target && (value[k] as number) > 0) {
            trustedBy.push({
              agent: this.agents[i] as string,
              score: Math.round((1 - alpha) * (trust[i] as number) * (value[k] as number) * SCORE_SCALE),
            });
          }
        }
      }
    }
    trustedBy.sort((a, b) => b.score - a.score || (a.agent < b.agent ? -1 : 1));
    const receipts: Explanation['receipts'][number][] = [];
    for (const fact of this.facts) {
      if (fact.payer === null) continue;
      const inbound =
        fact.provider === id
          ? { from: fact.payer, rating: fact.serviceRating ?? null }
          : fact.payer === id && fact.payerRating !== undefined
            ? { from: fact.provider, rating: fact.payerRating }
            : undefined;
      if (inbound === undefined) continue;
      const i = this.index.get(inbound.from) as number;
      const total = rowPositive(i);
      const w = this.weight(fact.amountMsat, fact.created, inbound.rating ?? UNRATED);
      const share = total > 0 ? w / total : 0;
      receipts.push({
        receipt: fact.id,
        from: inbound.from,
        amountMsat: fact.amountMsat,
        rating: inbound.rating,
        score: Math.round((1 - alpha) * (trust[i] as number) * share * SCORE_SCALE),
      });
    }
    receipts.sort((a, b) => Math.abs(b.score) - Math.abs(a.score) || (a.receipt < b.receipt ? -1 : 1));
    const isSeed = this.seedIds.includes(id);
    return {
      id,
      score: this.score(id),
      percentile: this.percentile(id),
      fromSeed: isSeed ? Math.round((alpha / this.seedIds.length) * SCORE_SCALE) : 0,
      trustedBy: trustedBy.slice(0, limit),
      receipts: receipts.slice(0, limit),
    };
  }

  /**
   * Adds receipts without recomputing from scratch (warm start from the current scores), to the same integer scores a
   * full recompute gives, or, with `tolerance`, faster to scores within that certified L1 distance of exact EigenTrust
   * (see `TrustUpdateOptions`). A fact whose id is already counted replaces it (a receipt rated since). A receipt
   * naming a new agent makes a full recompute, as `fromFacts` would.
   */
  update(facts: readonly ReceiptFact[], options: TrustUpdateOptions = {}): Reputation {
    const latest = [...new Map(facts.map((fact) => [fact.id, fact])).values()];
    const removed = latest.flatMap((fact) => {
      const at = this.positionOf(fact.id);
      return at === undefined ? [] : [this.facts[at] as ReceiptFact];
    });
    return this.change(removed, latest, options);
  }

  /**
   * Follows the ledger this was read from: reads only the events appended since, and updates as `update` does (new
   * receipts, ratings given since, a payment now attested by a lower receipt id). A new registration may change the
   * agents or the seeds: that makes a full recompute, into a new `Reputation` (use the one returned).
   */
  async refresh(ledger: EventReader, options: TrustUpdateOptions = {}): Promise<Reputation> {
    if (this.source === undefined)
      throw new AgoraError(
        ErrorCode.InvalidState,
        'only a reputation read from a ledger can refresh from it',
      );
    const changes = await this.source.advance(ledger);
    if (changes.registrations) return this.recompute(this.source.facts());
    return this.change(changes.removed, changes.added, options);
  }

  /** Where the fact `id` stands in `facts`, if counted. */
  private positionOf(id: string): number | undefined {
    let low = 0;
    let high = this.sortedCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = (this.facts[middle] as ReceiptFact).id;
      if (other === id) return middle;
      if (other < id) low = middle + 1;
      else high = middle;
    }
    return this.appended.get(id);
  }

  /** Takes `removed` facts back and counts `added` ones (the same id in both: a replacement). */
  private change(
    removed: readonly ReceiptFact[],
    added: readonly ReceiptFact[],
    options: TrustUpdateOptions,
  ): Reputation {
    const known = added.every(
      (f) => this.index.has(f.provider) && (f.payer === null || this.index.has(f.payer)),
    );
    if (!known) {
      const gone = new Set(removed.map((fact) => fact.id));
      return this.recompute([...this.facts.filter((fact) => !gone.has(fact.id)), ...added]);
    }
    this.engine.update(this.interactions(added, removed), options);
    // The facts list follows: a replacement takes its predecessor's place; a fact gone for good (a payment attested
    // by another receipt since, rare) makes the list sorted again.
    const replacing = new Set(added.map((fact) => fact.id));
    const gone = new Set(removed.filter((fact) => !replacing.has(fact.id)).map((fact) => fact.id));
    for (const fact of added) {
      const at = this.positionOf(fact.id);
      if (at !== undefined) this.facts[at] = fact;
      else {
        this.appended.set(fact.id, this.facts.length);
        this.facts.push(fact);
      }
    }
    if (gone.size > 0) {
      this.facts = this.facts.filter((fact) => !gone.has(fact.id)).sort(byId);
      this.sortedCount = this.facts.length;
      this.appended.clear();
    }
    this.sorted = undefined;
    return this;
  }

  /**
   * A new reputation from scratch, as `fromLedger` or `fromFacts` would compute it. The ledger source moves to it:
   * this one, now behind, can no longer refresh.
   */
  private recompute(facts: readonly ReceiptFact[]): Reputation {
    const { source } = this;
    this.source = undefined;
    if (source !== undefined) return Reputation.compute(source.registrations(), facts, this.options, source);
    return Reputation.compute(
      this.agents.map((id) => ({ id, created: 0 })),
      facts,
      { ...this.options, seeds: this.seedIds },
    );
  }
}

/** Facts in id order: the order every replica sums them in. */
function byId(a: ReceiptFact, b: ReceiptFact): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Extracts registrations and receipt facts (one receipt per payment, ratings joined) from a ledger, counting only
 * events created at or before `asOf`.
 */
export async function readFacts(
  ledger: EventReader,
  asOf = Number.POSITIVE_INFINITY,
): Promise<{ registrations: { id: string; created: number }[]; facts: ReceiptFact[] }> {
  const source = await LedgerFacts.read(ledger, asOf);
  return { registrations: source.registrations(), facts: source.facts() };
}
