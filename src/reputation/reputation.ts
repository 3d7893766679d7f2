import { AgoraError, ErrorCode, isLowerHex } from '../core/index.js';
import type { EventReader } from '../ledger/index.js';
import { DEFAULT_ALPHA, type EigenTrustOptions } from './eigentrust.js';
import { FactColumns } from './fact-columns.js';
import { LedgerFacts, type ReceiptFact } from './ledger-facts.js';
import { SCORE_SCALE, TrustEngine, type TrustUpdateOptions } from './trust-engine.js';
import type { Interactions } from './trust-graph.js';

/** How receipts become reputation: their decay, the pre-trusted agents and the EigenTrust parameters. */
export interface ReputationOptions extends Omit<EigenTrustOptions, 'warmStart'> {
  /** Half-life of a receipt's weight, in days (default 30; one second at least; `Infinity`: no decay). */
  halfLifeDays?: number;
  /** Pre-trusted agents; default: the `seedCount` agents registered first. */
  seeds?: readonly string[];
  /** How many of the oldest registrations are pre-trusted when `seeds` is not given (default 10). */
  seedCount?: number;
  /**
   * Only events created at or before this time (unix seconds) count: the scores a snapshot fixes. Facts given directly
   * (`fromFacts`) that are dated later count as if dated then, so a date ahead of it gains nothing.
   */
  asOf?: number;
}

/**
 * What a score certifies: the exact EigenTrust score lies within `score ± errorBoundPpb` (both in parts per billion
 * of all trust), computed from the ledger up to `ledgerSeq`.
 */
export interface ScoreCertificate {
  /** Certified bound on the L1 distance of all scores (as fractions of all trust) from exact EigenTrust. */
  readonly errorBound: number;
  /** Bound on any one integer score's distance from exact, in ppb: `errorBound` scaled, plus the rounding. */
  readonly errorBoundPpb: number;
  /** The ledger position (sequence number) the scores were read up to; null for scores from facts given directly. */
  readonly ledgerSeq: number | null;
  /** The unit of scores and bounds. */
  readonly unit: 'ppb of all trust';
}

/** An agent's score with its certificate. */
export interface CertifiedScore extends ScoreCertificate {
  readonly id: string;
  /** Parts per billion of all trust. */
  readonly score: number;
}

/** What went into an agent's score. */
export interface Explanation {
  readonly id: string;
  /** Parts per billion of all trust. */
  readonly score: number;
  readonly certificate: ScoreCertificate;
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
/** A fact's payer number when it names none. */
const NO_PAYER = -1;
// Weights grow by 2^((created - EPOCH) / half-life) rather than decaying with age: every weight of a row then moves
// by the same factor as time passes, which normalization cancels, so scores need no "as of" date and stay valid
// under incremental updates. The doublings since EPOCH soon exceed what a double holds (2^1023: in 2026 already with
// a one-day half-life), so each row (a truster's statements) is scaled by its own whole power of two, 2^-shift, its
// newest receipt weighing 1 to 2 times its sats. Scaling a row by a power of two is exact and normalization cancels
// it, so the scores are the same, bit for bit, whatever the shifts.
const EPOCH = 1_700_000_000;
const DEFAULT_HALF_LIFE_DAYS = 30;
/**
 * Doublings a new receipt may stand above its row's shift before the rows are rescaled (a full recompute): 2^64
 * times any amount of sats (under 2^54), and any sum of such weights, stays far below the largest double.
 */
const MAX_DOUBLINGS_ABOVE = 64;
/** Doublings below its row's newest receipt past which a receipt weighs 0: it is 2^-1000 of that one, nothing. */
const MAX_DOUBLINGS_BELOW = 1_000;

/** The shortest half-life, one second: the doublings of any receipt time then stay whole-number exact (< 2^53). */
const MIN_HALF_LIFE_DAYS = 1 / DAY;

/** `halfLifeDays` is a number of days from one second up (`Infinity`: no decay at all); `INVALID_ARGUMENT` otherwise. */
function checkHalfLife(halfLifeDays: number | undefined): void {
  if (halfLifeDays !== undefined && !(typeof halfLifeDays === 'number' && halfLifeDays >= MIN_HALF_LIFE_DAYS))
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `halfLifeDays is a number of days from ${MIN_HALF_LIFE_DAYS} (one second) up, not ${halfLifeDays}`,
    );
}

/**
 * EigenTrust reputation of the agents in a ledger, from their receipts: local trust is the time-weighted sats an
 * agent paid another for service it rated (payer to provider: 2 counts fully, 1 half, 0 nothing, negative ratings
 * subtract), plus providers' ratings of their payers (provider to payer). Each agent's trust is only what it signed:
 * a payer's rating, dated when the payer rated, and a provider's receipt, dated by the provider. An unrated receipt
 * states nothing for its payer, since the payer it names is the provider's word. Self-payments count for nothing,
 * and a payment is counted once per payer even if several receipts attest it. Agents are numbered in id order and
 * receipts summed in id order, so replicas holding the same events compute the same integer scores, whatever order
 * they received them in.
 */
export class Reputation {
  // Not readonly: a full recompute (see `recompute`) replaces them all, so `update` and `refresh` always change this
  // reputation in place.
  private index = new Map<string, number>();
  /** Per truster (agent index), the power of two its row is scaled down by (see EPOCH); NaN for a row not scaled yet. */
  private shifts: Float64Array;
  private engine: TrustEngine;
  private sorted: Int32Array | undefined;
  /**
   * The facts counted, in id order as computed; undefined while they are exactly the source ledger's (a reputation read
   * from a ledger and only refreshed from it), which then hands them out when asked (see `factList`): a full read
   * never makes a million objects for the scores alone.
   */
  private facts: ReceiptFact[] | undefined;
  /** `facts` up to here is in id order (as computed), so positions there are found by bisection... */
  private sortedCount: number;
  /** ...and the facts counted since are found by id here. */
  private appended = new Map<string, number>();
  /** The ledger position these scores were read up to (null: from facts given directly). */
  private ledgerSeq: number | null;
  /** Receipts per provider, counted on first use. */
  private providerCounts: Map<string, number> | undefined;

  private constructor(
    private agents: readonly string[],
    /** The facts counted, as a list (given directly) or as numbered columns only (read from `source`). */
    counted: { list: ReceiptFact[] } | { columns: FactColumns },
    private seedIds: readonly string[],
    private readonly options: ReputationOptions,
    /** Where `refresh` reads new events from, for a reputation read from a ledger. */
    private source?: LedgerFacts,
  ) {
    checkHalfLife(options.halfLifeDays);
    this.facts = 'list' in counted ? counted.list : undefined;
    this.sortedCount = this.facts?.length ?? 0;
    this.ledgerSeq = source?.position ?? null;
    for (const [i, id] of agents.entries()) this.index.set(id, i);
    const seeds = Int32Array.from(
      seedIds.map((id) => this.index.get(id)).filter((i): i is number => i !== undefined),
    );
    const columns = 'list' in counted ? FactColumns.of(counted.list, this.index) : counted.columns;
    this.shifts = new Float64Array(agents.length).fill(Number.NaN);
    this.engine = new TrustEngine(this.statements(columns), seeds, options);
  }

  /**
   * The trust statements of `facts` in order (per fact: the payer's rating, then the provider's), weighted; first
   * each row's shift, its newest statement's whole doublings. Both passes read the columns only.
   */
  private statements(facts: FactColumns): Interactions {
    const { provider, payer, amountMsat, created, serviceRating, ratedAt, payerRating } = facts;
    const shifts = this.shifts;
    const raise = (row: number, time: number) => {
      const doublings = Math.floor(this.doublings(time));
      const shift = shifts[row] as number;
      if (Number.isNaN(shift) || doublings > shift) shifts[row] = doublings;
    };
    for (let k = 0; k < facts.length; k++) {
      const from = payer[k] as number;
      if (from === NO_PAYER) continue;
      if (facts.rated(k)) raise(from, this.bounded(ratedAt[k] as number));
      if (facts.payerRated(k)) raise(provider[k] as number, this.bounded(created[k] as number));
    }
    const from = new Int32Array(facts.length * 2);
    const to = new Int32Array(facts.length * 2);
    const weight = new Float64Array(facts.length * 2);
    let length = 0;
    const state = (truster: number, trusted: number, amount: number, time: number, rating: number) => {
      from[length] = truster;
      to[length] = trusted;
      weight[length++] = this.weight(truster, amount, this.bounded(time), rating);
    };
    for (let k = 0; k < facts.length; k++) {
      const p = payer[k] as number;
      if (p === NO_PAYER) continue;
      const q = provider[k] as number;
      const amount = amountMsat[k] as number;
      if (facts.rated(k)) state(p, q, amount, ratedAt[k] as number, serviceRating[k] as number);
      if (facts.payerRated(k)) state(q, p, amount, created[k] as number, payerRating[k] as number);
    }
    return { n: this.agents.length, from, to, weight, length };
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
    const seeds = seedsOf(registrations, options);
    // Facts read from a ledger come in id order already: sorting is then a check.
    const canonical = isSortedById(facts) ? [...facts] : [...facts].sort(byId);
    return new Reputation(agents, { list: canonical }, seeds, options, source);
  }

  /** The scores of `source`'s facts, read as numbered columns: what `fromLedger` computes. */
  private static fromSource(source: LedgerFacts, options: ReputationOptions): Reputation {
    const { agents, registrations, facts } = source.columns();
    return new Reputation(agents, { columns: facts }, seedsOf(registrations, options), options, source);
  }

  /**
   * Reads registrations, receipts and their ratings from `ledger` and computes every score; `refresh` then follows
   * the ledger.
   */
  static async fromLedger(ledger: EventReader, options: ReputationOptions = {}): Promise<Reputation> {
    checkHalfLife(options.halfLifeDays);
    return Reputation.fromSource(await LedgerFacts.read(ledger, options.asOf), options);
  }

  /** The facts counted, in id order as computed (the source ledger's, made on first use, when it holds them). */
  private factList(): ReceiptFact[] {
    if (this.facts === undefined) {
      this.facts = (this.source as LedgerFacts).facts();
      this.sortedCount = this.facts.length;
      this.appended.clear();
    }
    return this.facts;
  }

  /** Half-lives from EPOCH to `created` (0 with an infinite half-life). */
  private doublings(created: number): number {
    return (created - EPOCH) / ((this.options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS) * DAY);
  }

  /**
   * A time as this computation counts it: bounded by `asOf`, so a statement dated after the moment the scores are
   * for counts as if made then (a date ahead would otherwise outweigh every current statement of its row).
   */
  private bounded(time: number): number {
    const { asOf } = this.options;
    return asOf !== undefined && time > asOf ? asOf : time;
  }

  /** When the payer stated its rating of `fact`: the rating's time (its word), bounded. */
  private ratedTime(fact: ReceiptFact): number {
    return this.bounded(fact.ratedAt ?? fact.created);
  }

  /**
   * The rows (trusters' agent indexes) `fact` states trust in, each with its statement's time: the payer's if it
   * rated, the provider's if it rated the payer.
   */
  private rowsOf(fact: ReceiptFact): [row: number, time: number][] {
    if (fact.payer === null) return [];
    const rows: [number, number][] = [];
    if (fact.serviceRating !== undefined)
      rows.push([this.index.get(fact.payer) as number, this.ratedTime(fact)]);
    if (fact.payerRating !== undefined)
      rows.push([this.index.get(fact.provider) as number, this.bounded(fact.created)]);
    return rows;
  }

  /** Whether counting `facts` would put a receipt too far above its row's scale: a full recompute rescales. */
  private outgrows(facts: readonly ReceiptFact[]): boolean {
    return facts.some((fact) =>
      this.rowsOf(fact).some(([row, time]) => {
        const shift = this.shifts[row] as number;
        return !Number.isNaN(shift) && this.doublings(time) - shift > MAX_DOUBLINGS_ABOVE;
      }),
    );
  }

  /** A statement's weight in `row`: its sats, grown since EPOCH and scaled by the row's shift, times its rating. */
  private weight(row: number, amountMsat: number, time: number, rating: number): number {
    const doublings = this.doublings(time);
    const whole = Math.floor(doublings);
    // A row new to an incremental update takes its scale from its first receipt.
    if (Number.isNaN(this.shifts[row] as number)) this.shifts[row] = whole;
    const above = whole - (this.shifts[row] as number);
    if (above < -MAX_DOUBLINGS_BELOW) return 0;
    return (amountMsat / 1000) * 2 ** (doublings - whole) * 2 ** above * (rating / 2);
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
      if (fact.serviceRating !== undefined) {
        from[length] = payer;
        to[length] = provider;
        weight[length++] =
          sign * this.weight(payer, fact.amountMsat, this.ratedTime(fact), fact.serviceRating);
      }
      if (fact.payerRating !== undefined) {
        from[length] = provider;
        to[length] = payer;
        weight[length++] =
          sign * this.weight(provider, fact.amountMsat, this.bounded(fact.created), fact.payerRating);
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

  /**
   * What every score of this computation certifies: its error bound (the iteration's, see `stats.errorBound`, plus
   * half a ppb of rounding) and the ledger position it was read up to.
   */
  get certificate(): ScoreCertificate {
    const { errorBound } = this.engine;
    return {
      errorBound,
      errorBoundPpb: Math.ceil(errorBound * SCORE_SCALE + 0.5),
      ledgerSeq: this.ledgerSeq,
      unit: 'ppb of all trust',
    };
  }

  /** `id`'s integer score with its certificate (see {@link score}). */
  certifiedScore(id: string): CertifiedScore {
    return { id, score: this.score(id), ...this.certificate };
  }

  /** How many counted receipts (one per payment) name `id` as their provider: the sales its score rests on. */
  receiptCount(id: string): number {
    if (this.providerCounts === undefined) {
      if (this.facts === undefined) this.providerCounts = (this.source as LedgerFacts).providerCounts();
      else {
        const counts = new Map<string, number>();
        for (const fact of this.facts) counts.set(fact.provider, (counts.get(fact.provider) ?? 0) + 1);
        this.providerCounts = counts;
      }
    }
    return this.providerCounts.get(id) ?? 0;
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
    for (const fact of this.factList()) {
      if (fact.payer === null) continue;
      const inbound =
        fact.provider === id && fact.serviceRating !== undefined
          ? { from: fact.payer, rating: fact.serviceRating, time: this.ratedTime(fact) }
          : fact.payer === id && fact.payerRating !== undefined
            ? { from: fact.provider, rating: fact.payerRating, time: this.bounded(fact.created) }
            : undefined;
      if (inbound === undefined) continue;
      const i = this.index.get(inbound.from) as number;
      const total = rowPositive(i);
      const w = this.weight(i, fact.amountMsat, inbound.time, inbound.rating);
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
      certificate: this.certificate,
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
   * naming a new agent makes a full recompute, as `fromFacts` would. Either way this reputation changes in place and
   * is returned (for chaining): there is never a second, stale instance to keep track of.
   */
  update(facts: readonly ReceiptFact[], options: TrustUpdateOptions = {}): this {
    const latest = [...new Map(facts.map((fact) => [fact.id, fact])).values()];
    // Facts given directly part from the source's: the list is kept from here on.
    const list = this.factList();
    const removed = latest.flatMap((fact) => {
      const at = this.positionOf(fact.id);
      return at === undefined ? [] : [list[at] as ReceiptFact];
    });
    return this.change(removed, latest, options);
  }

  /**
   * Follows the ledger this was read from: reads only the events appended since, and updates as `update` does (new
   * receipts, ratings given since, a payment now attested by a lower receipt id). A new registration may change the
   * agents or the seeds: that makes a full recompute. Either way this reputation changes in place and is returned.
   */
  async refresh(ledger: EventReader, options: TrustUpdateOptions = {}): Promise<this> {
    if (this.source === undefined)
      throw new AgoraError(
        ErrorCode.InvalidState,
        'only a reputation read from a ledger can refresh from it',
      );
    const changes = await this.source.advance(ledger);
    if (changes.registrations) return this.recompute(undefined);
    this.change(changes.removed, changes.added, options);
    this.ledgerSeq = this.source.position;
    return this;
  }

  /** Where the fact `id` stands in `facts`, if counted. */
  private positionOf(id: string): number | undefined {
    const facts = this.factList();
    let low = 0;
    let high = this.sortedCount;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const other = (facts[middle] as ReceiptFact).id;
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
  ): this {
    const known = added.every(
      (f) => this.index.has(f.provider) && (f.payer === null || this.index.has(f.payer)),
    );
    if (!known || this.outgrows(added)) {
      // The source's facts already are the counted ones less `removed`, plus `added`.
      if (this.facts === undefined) return this.recompute(undefined);
      const gone = new Set(removed.map((fact) => fact.id));
      return this.recompute([...this.facts.filter((fact) => !gone.has(fact.id)), ...added]);
    }
    this.engine.update(this.interactions(added, removed), options);
    this.sorted = undefined;
    this.providerCounts = undefined;
    // Facts the source holds need no list kept here.
    if (this.facts === undefined) return this;
    // The facts list follows: a replacement takes its predecessor's place; a fact gone for good (a payment attested
    // by another receipt since, rare) makes the list sorted again.
    const replacing = new Set(added.map((fact) => fact.id));
    const gone = new Set(removed.filter((fact) => !replacing.has(fact.id)).map((fact) => fact.id));
    const list = this.facts;
    for (const fact of added) {
      const at = this.positionOf(fact.id);
      if (at !== undefined) list[at] = fact;
      else {
        this.appended.set(fact.id, this.facts.length);
        this.facts.push(fact);
      }
    }
    if (gone.size > 0) {
      this.facts = list.filter((fact) => !gone.has(fact.id)).sort(byId);
      this.sortedCount = this.facts.length;
      this.appended.clear();
    }
    return this;
  }

  /**
   * Recomputes from scratch, as `fromLedger` or `fromFacts` would, into this reputation: from `facts`, or from the
   * source ledger's (undefined).
   */
  private recompute(facts: readonly ReceiptFact[] | undefined): this {
    const { source } = this;
    const fresh =
      facts === undefined
        ? Reputation.fromSource(source as LedgerFacts, this.options)
        : source !== undefined
          ? Reputation.compute(source.registrations(), facts, this.options, source)
          : Reputation.compute(
              this.agents.map((id) => ({ id, created: 0 })),
              facts,
              { ...this.options, seeds: this.seedIds },
            );
    this.index = fresh.index;
    this.shifts = fresh.shifts;
    this.engine = fresh.engine;
    this.sorted = fresh.sorted;
    this.sortedCount = fresh.sortedCount;
    this.appended = fresh.appended;
    this.agents = fresh.agents;
    this.facts = fresh.facts;
    this.seedIds = fresh.seedIds;
    this.source = fresh.source;
    this.ledgerSeq = fresh.ledgerSeq;
    this.providerCounts = undefined;
    return this;
  }
}

/** The pre-trusted agents: those given, or the `seedCount` registered first (equal times: lowest id first). */
function seedsOf(
  registrations: readonly { id: string; created: number }[],
  options: ReputationOptions,
): readonly string[] {
  const seeds =
    options.seeds ??
    [...registrations]
      .sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1))
      .slice(0, options.seedCount ?? 10)
      .map((r) => r.id);
  for (const seed of seeds)
    if (!isLowerHex(seed, 32))
      throw new AgoraError(ErrorCode.InvalidArgument, `seed ${seed} is not an agent id`);
  return seeds;
}

function isSortedById(facts: readonly ReceiptFact[]): boolean {
  for (let i = 1; i < facts.length; i++)
    if ((facts[i - 1] as ReceiptFact).id > (facts[i] as ReceiptFact).id) return false;
  return true;
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
