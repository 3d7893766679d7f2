import type { ReceiptFact } from './ledger-facts.js';

/** Flags of a fact: the payer rated the service, the provider rated the payer. */
const RATED = 1;
const PAYER_RATED = 2;
/** No payer (a receipt that names none). */
const NONE = -1;

/**
 * Receipt facts as columns over agent numbers (positions in the sorted agent list), in the order they are summed
 * (receipt id order): what the trust engine reads, with no object or string per fact. A million facts are eight typed
 * arrays, filled straight from the ledger's trust index (see `LedgerFacts.columns`) or from `ReceiptFact`s.
 */
export class FactColumns {
  readonly provider: Int32Array;
  /** The payer's agent number, -1 for none. */
  readonly payer: Int32Array;
  readonly amountMsat: Float64Array;
  readonly created: Float64Array;
  readonly serviceRating: Int8Array;
  /** When the payer rated: its rating's time, or `created` for a fact given without one. */
  readonly ratedAt: Float64Array;
  readonly payerRating: Int8Array;
  readonly flags: Uint8Array;

  constructor(readonly length: number) {
    this.provider = new Int32Array(length);
    this.payer = new Int32Array(length);
    this.amountMsat = new Float64Array(length);
    this.created = new Float64Array(length);
    this.serviceRating = new Int8Array(length);
    this.ratedAt = new Float64Array(length);
    this.payerRating = new Int8Array(length);
    this.flags = new Uint8Array(length);
  }

  /** `facts` numbered by `index` (agent id -> number; every provider and payer must have one). */
  static of(facts: readonly ReceiptFact[], index: ReadonlyMap<string, number>): FactColumns {
    const columns = new FactColumns(facts.length);
    facts.forEach((fact, i) => {
      columns.set(
        i,
        index.get(fact.provider) as number,
        fact.payer === null ? NONE : (index.get(fact.payer) as number),
        fact.amountMsat,
        fact.created,
        fact.serviceRating,
        fact.serviceRating === undefined ? undefined : (fact.ratedAt ?? fact.created),
        fact.payerRating,
      );
    });
    return columns;
  }

  /** Sets fact `i` (ratings undefined where not given). */
  set(
    i: number,
    provider: number,
    payer: number,
    amountMsat: number,
    created: number,
    serviceRating: number | undefined,
    ratedAt: number | undefined,
    payerRating: number | undefined,
  ): void {
    this.provider[i] = provider;
    this.payer[i] = payer;
    this.amountMsat[i] = amountMsat;
    this.created[i] = created;
    let flags = 0;
    if (serviceRating !== undefined) {
      flags |= RATED;
      this.serviceRating[i] = serviceRating;
      this.ratedAt[i] = ratedAt ?? created;
    }
    if (payerRating !== undefined) {
      flags |= PAYER_RATED;
      this.payerRating[i] = payerRating;
    }
    this.flags[i] = flags;
  }

  /** Whether the payer rated the service of fact `i`. */
  rated(i: number): boolean {
    return ((this.flags[i] as number) & RATED) !== 0;
  }

  /** Whether the provider rated the payer of fact `i`. */
  payerRated(i: number): boolean {
    return ((this.flags[i] as number) & PAYER_RATED) !== 0;
  }
}
