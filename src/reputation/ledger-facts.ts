import { Buffer } from 'node:buffer';
import { AgoraError, ErrorCode, fromHex } from '../core/index.js';
import { agentRegisteredType, type EventReader, type StoredEvent } from '../ledger/index.js';
import {
  RATING_RECORD_SIZE,
  RECEIPT_RECORD_SIZE,
  ratingRecordCodec,
  receiptRecordCodec,
} from '../receipts/index.js';
import { ByteKeyTable, compareWords, KEY_WORDS, readKey, viewOf } from './byte-key-table.js';
import { FactColumns } from './fact-columns.js';

/** One paid interaction, as the reputation engine reads it from a receipt and its rating. */
export interface ReceiptFact {
  readonly id: string;
  readonly provider: string;
  readonly payer: string | null;
  readonly amountMsat: number;
  /** The receipt's time (unix seconds): the provider's word, which dates the provider's rating of the payer. */
  readonly created: number;
  /** The payer's rating of the service (-2..2), if it rated it: the only trust the payer states in the provider. */
  readonly serviceRating?: number;
  /**
   * When the payer rated (its `receipt.rating`'s time, unix seconds): the payer's word, which dates its rating.
   * Facts given without it date the rating at `created`.
   */
  readonly ratedAt?: number;
  /** The provider's rating of the payer (-2..2), if it gave one. */
  readonly payerRating?: number;
}

/** What events appended to a ledger changed in its facts. */
export interface FactChanges {
  /** An agent registered for the first time, or earlier than known: agents or seeds may differ. */
  readonly registrations: boolean;
  /** Facts that no longer hold (replaced by `added` ones, or by nothing). */
  readonly removed: readonly ReceiptFact[];
  readonly added: readonly ReceiptFact[];
}

/** Flags of a receipt number: its receipt was read, it carries a payer rating, its payer rated it. */
const PRESENT = 1;
const PAYER_RATED = 2;
const RATED = 4;
/** No payer (a receipt that names none). */
const NONE = -1;

// Offsets in the trust index's records (see receipt-record.ts and agent-registered.ts; integers big-endian).
const R_PAYMENT = 32;
const R_PROVIDER = 64;
const R_PAYER = 96;
const R_FLAGS = 128;
const R_PAYER_RATING = 129;
const R_AMOUNT = 130;
const R_CREATED = 138;
const RECORD_HAS_PAYER = 1;
const RECORD_HAS_PAYER_RATING = 2;
const T_RECEIPT = 32;
const T_RATING = 96;
const T_CREATED = 97;
const REGISTRATION_AUTHOR = 32;
const REGISTRATION_CREATED = 64;

/** The unsigned big-endian 64-bit integer at `offset` as a number (exact below 2^53, as every stored one is). */
function u64(view: DataView, offset: number): number {
  return view.getUint32(offset) * 2 ** 32 + view.getUint32(offset + 4);
}

/**
 * Copies the key at `keyAt` of each record created at or before `asOf` (its time at `createdAt`) into `into`, the
 * first at key position `from`; returns the position after the last.
 */
function packKeys(
  { size, blocks }: Records,
  createdAt: number,
  asOf: number,
  keyAt: number,
  into: Int32Array,
  from: number,
): number {
  let k = from;
  for (const view of blocks)
    for (let o = 0; o < view.byteLength; o += size) {
      if (u64(view, o + createdAt) > asOf) continue;
      readKey(view, o + keyAt, into, k * KEY_WORDS);
      k++;
    }
  return k;
}

/** Lower-case hex of the 32 bytes at `offset` (Node's native encoder: a million ids take a fraction of a second). */
function hexAt(view: DataView, offset: number): string {
  return Buffer.from(view.buffer, view.byteOffset + offset, 32).toString('hex');
}

/** Records of one type read in one go: blocks of `size`-byte records, back to back, read through a `DataView`. */
interface Records {
  readonly size: number;
  readonly blocks: DataView[];
}

/** What one read brings: the records of registrations, receipts and ratings appended in (after, until]. */
interface Appended {
  readonly registered: Records;
  readonly receipts: Records;
  readonly ratings: Records;
}

/**
 * The reputation-relevant state of a ledger (first registrations, one receipt per payment and payer, the latest
 * rating of each receipt), kept up to date by reading only the events appended since the last read. The rules are
 * those of a full read, whatever order events arrive in: of the receipts of one payment that name one payer, a rated
 * one attests it before an unrated one, then the lowest id; the payer's latest rating counts (equal times: the lowest
 * event id), and only events created at or before `asOf` count.
 *
 * Why per payer, rated first: a receipt is the provider's word, and anyone who lists the provider's node key, or the
 * provider itself, can sign another receipt for a payment it has seen (the preimage is in the first). Were the lowest
 * id to attest a payment whatever its payer, a second receipt ground to a lower id would push the payer's rating
 * out: a provider would erase a -2, a copier would take an honest provider's trust away. Only the payer rates a
 * receipt naming it, so the receipt it rated keeps its statement.
 *
 * How it is kept: agents, receipts and payments are numbered (see `ByteKeyTable`) and a receipt's fields live in
 * typed arrays indexed by its number, filled from the trust index's fixed-width records in one sequential scan. No
 * id becomes a string until a fact is handed out: a million receipts are a few arrays, not a million map entries.
 */
export class LedgerFacts {
  /** Per agent number: its first registration's time, NaN if it has none (counted). */
  private registeredAt = new Float64Array(0);
  private readonly agents = new ByteKeyTable();
  /** Hex id of each agent number. */
  private readonly agentIds: string[] = [];
  /** Receipt ids: of receipts read, and of receipts rated (a rating may be read before its receipt). */
  private readonly receiptIds = new ByteKeyTable();
  private readonly payments = new ByteKeyTable();
  // Per receipt number.
  private flags = new Uint8Array(0);
  private payment = new Int32Array(0);
  private provider = new Int32Array(0);
  private payer = new Int32Array(0);
  private amount = new Float64Array(0);
  private created = new Float64Array(0);
  private payerRating = new Int8Array(0);
  private rating = new Int8Array(0);
  private ratedAt = new Float64Array(0);
  /** The id of the rating kept per receipt (32 bytes each): equal times go to the lowest. */
  private ratingIds = new Int32Array(0);
  /** Per payment number: the first receipt read for it (almost always the only one). */
  private firstReceipt = new Int32Array(0);
  /** Payment number -> its other receipts, for the rare payments with more than one. */
  private readonly others = new Map<number, number[]>();
  private cursor = 0;

  private constructor(private readonly asOf: number) {}

  /** Reads every registration, receipt and rating in `ledger` created at or before `asOf`. */
  static async read(ledger: EventReader, asOf = Number.POSITIVE_INFINITY): Promise<LedgerFacts> {
    const facts = new LedgerFacts(asOf);
    await facts.advance(ledger);
    return facts;
  }

  /** The ledger position read up to: every event appended at or before this sequence number is counted. */
  get position(): number {
    return this.cursor;
  }

  /** Registrations: agent id and its first registration time. */
  registrations(): { id: string; created: number }[] {
    const out: { id: string; created: number }[] = [];
    for (let a = 0; a < this.agents.size; a++) {
      const created = this.registeredAt[a] as number;
      if (!Number.isNaN(created)) out.push({ id: this.agentIds[a] as string, created });
    }
    return out;
  }

  /** One fact per payment and payer, its rating joined, in receipt id order. */
  facts(): ReceiptFact[] {
    const numbers = this.attestingInIdOrder();
    const facts = new Array<ReceiptFact>(numbers.length);
    for (let i = 0; i < numbers.length; i++) facts[i] = this.factOf(numbers[i] as number);
    return facts;
  }

  /**
   * The same facts as {@link facts} and the agents they and the registrations name, numbered for the engine: agents
   * in id order (their hex ids, the only strings made), facts in receipt id order as columns of agent numbers,
   * amounts, times and ratings. No per-receipt object or string: what a full read of a million receipts hands over.
   */
  columns(): { agents: string[]; registrations: { id: string; created: number }[]; facts: FactColumns } {
    const numbers = this.attestingInIdOrder();
    const used = new Uint8Array(this.agents.size);
    for (let a = 0; a < used.length; a++) if (!Number.isNaN(this.registeredAt[a] as number)) used[a] = 1;
    for (const r of numbers) {
      used[this.provider[r] as number] = 1;
      const payer = this.payer[r] as number;
      if (payer !== NONE) used[payer] = 1;
    }
    let usedCount = 0;
    for (const u of used) usedCount += u;
    const order = new Int32Array(usedCount);
    for (let a = 0, k = 0; a < used.length; a++) if (used[a] === 1) order[k++] = a;
    // Agent numbers in the order of their ids' lower-case hex: the positions every replica numbers agents by.
    this.agents.sort(order);
    const position = new Int32Array(used.length).fill(NONE);
    for (let i = 0; i < order.length; i++) position[order[i] as number] = i;
    const agents = Array.from(order, (a) => this.agentIds[a] as string);
    const facts = new FactColumns(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      const r = numbers[i] as number;
      const flags = this.flags[r] as number;
      const payer = this.payer[r] as number;
      const rated = (flags & RATED) !== 0;
      facts.set(
        i,
        position[this.provider[r] as number] as number,
        payer === NONE ? NONE : (position[payer] as number),
        this.amount[r] as number,
        this.created[r] as number,
        rated ? (this.rating[r] as number) : undefined,
        rated ? (this.ratedAt[r] as number) : undefined,
        (flags & PAYER_RATED) !== 0 ? (this.payerRating[r] as number) : undefined,
      );
    }
    return { agents, registrations: this.registrations(), facts };
  }

  /** How many facts name each provider (hex id): the sales a score rests on. */
  providerCounts(): Map<string, number> {
    const counts = new Int32Array(this.agents.size);
    for (const r of this.attestingInIdOrder()) {
      const provider = this.provider[r] as number;
      counts[provider] = (counts[provider] as number) + 1;
    }
    const out = new Map<string, number>();
    counts.forEach((count, a) => {
      if (count > 0) out.set(this.agentIds[a] as string, count);
    });
    return out;
  }

  /** The numbers of the receipts that attest a payment (see `attesting`), in receipt id order. */
  private attestingInIdOrder(): Int32Array {
    const count = this.payments.size;
    let numbers: Int32Array;
    // Almost always one receipt per payment: then the attesting receipts are the first ones read.
    if (this.others.size === 0) numbers = this.firstReceipt.slice(0, count);
    else {
      const ids: number[] = [];
      for (let p = 0; p < count; p++)
        if (this.others.has(p)) ids.push(...this.attesting(p));
        else ids.push(this.firstReceipt[p] as number);
      numbers = Int32Array.from(ids);
    }
    return this.receiptIds.sort(numbers);
  }

  /** The receipts attesting payment `p`: per payer named, a rated one before an unrated one, then the lowest id. */
  private attesting(p: number): number[] {
    const first = this.firstReceipt[p] as number;
    const more = this.others.get(p);
    if (more === undefined) return [first];
    const best = new Map<number, number>();
    for (const r of [first, ...more]) {
      const payer = this.payer[r] as number;
      const other = best.get(payer);
      if (other === undefined) best.set(payer, r);
      else {
        const rated = ((this.flags[r] as number) & RATED) !== 0;
        const otherRated = ((this.flags[other] as number) & RATED) !== 0;
        if (rated !== otherRated ? rated : this.receiptIds.compare(r, other) < 0) best.set(payer, r);
      }
    }
    return [...best.values()];
  }

  /** Makes room for receipt numbers below `count`. */
  private reserve(count: number): void {
    if (count <= this.flags.length) return;
    const capacity = Math.max(count, this.flags.length * 2, 1024);
    const grow = <T extends Uint8Array | Int8Array | Int32Array | Float64Array>(
      old: T,
      make: (n: number) => T,
    ) => {
      const next = make(capacity);
      next.set(old as never);
      return next;
    };
    this.flags = grow(this.flags, (n) => new Uint8Array(n));
    this.payment = grow(this.payment, (n) => new Int32Array(n));
    this.provider = grow(this.provider, (n) => new Int32Array(n));
    this.payer = grow(this.payer, (n) => new Int32Array(n));
    this.amount = grow(this.amount, (n) => new Float64Array(n));
    this.created = grow(this.created, (n) => new Float64Array(n));
    this.payerRating = grow(this.payerRating, (n) => new Int8Array(n));
    this.rating = grow(this.rating, (n) => new Int8Array(n));
    this.ratedAt = grow(this.ratedAt, (n) => new Float64Array(n));
    this.ratingIds = grow(this.ratingIds, (n) => new Int32Array(n * KEY_WORDS));
  }

  /** Makes room for payment numbers below `count` (a payment with no receipt yet: NONE). */
  private reservePayments(count: number): void {
    if (count <= this.firstReceipt.length) return;
    const grown = new Int32Array(Math.max(count, 1024, this.firstReceipt.length * 2)).fill(NONE);
    grown.set(this.firstReceipt);
    this.firstReceipt = grown;
  }

  /** The number of the agent whose id is at `offset`, numbering it if new. */
  private agent(view: DataView, offset: number): number {
    const before = this.agents.size;
    const n = this.agents.add(view, offset);
    if (n === before) {
      this.agentIds.push(hexAt(view, offset));
      if (n >= this.registeredAt.length) {
        const grown = new Float64Array(Math.max(1024, this.registeredAt.length * 2)).fill(Number.NaN);
        grown.set(this.registeredAt);
        this.registeredAt = grown;
      }
    }
    return n;
  }

  /** Reads the events appended since the last read and says which facts they changed. */
  async advance(ledger: EventReader): Promise<FactChanges> {
    // Events appended while this runs wait for the next call: everything read lies in (after, until].
    const after = this.cursor;
    const until = ledger.stats().lastSeq;
    // Everything is read before anything changes: a failed read leaves this as it was.
    const { registered, receipts, ratings } =
      ledger.records === undefined
        ? await readEvents(ledger, after, until)
        : await readRecords(ledger, after, until);
    let registrations = false;
    for (const view of registered.blocks)
      for (let o = 0; o < view.byteLength; o += registered.size) {
        const created = u64(view, o + REGISTRATION_CREATED);
        if (created > this.asOf) continue;
        const author = this.agent(view, o + REGISTRATION_AUTHOR);
        const known = this.registeredAt[author] as number;
        if (Number.isNaN(known) || created < known) {
          this.registeredAt[author] = created;
          registrations = true;
        }
      }
    if (after === 0 && this.receiptIds.size === 0) {
      // The first read: nothing to compare with, so no list of changes (a million receipts read at once).
      this.loadReceipts(receipts, ratings);
      this.cursor = until;
      return { registrations, removed: [], added: [] };
    }
    // Payments whose facts may change, and their facts before the change (none for a payment new here).
    const before = new Map<number, ReceiptFact[]>();
    const paymentsTouched = (visit: (p: number) => void) => {
      for (const view of receipts.blocks)
        for (let o = 0; o < view.byteLength; o += receipts.size)
          if (u64(view, o + R_CREATED) <= this.asOf) visit(this.payments.find(view, o + R_PAYMENT));
      for (const view of ratings.blocks)
        for (let o = 0; o < view.byteLength; o += ratings.size) {
          if (u64(view, o + T_CREATED) > this.asOf) continue;
          const r = this.receiptIds.find(view, o + T_RECEIPT);
          if (r !== NONE && ((this.flags[r] as number) & PRESENT) !== 0) visit(this.payment[r] as number);
        }
    };
    paymentsTouched((p) => {
      if (p !== NONE && !before.has(p))
        before.set(
          p,
          this.attesting(p).map((r) => this.factOf(r)),
        );
    });
    this.addReceipts(receipts);
    this.addRatings(ratings);
    this.cursor = until;
    // In the order they were touched, as the events came: receipts, then ratings.
    const touched = new Set<number>();
    paymentsTouched((p) => {
      if (p !== NONE) touched.add(p);
    });
    const removed: ReceiptFact[] = [];
    const added: ReceiptFact[] = [];
    for (const p of touched) {
      const old = before.get(p) ?? [];
      const now = this.attesting(p).map((r) => this.factOf(r));
      for (const fact of old) if (!now.some((other) => sameFact(fact, other))) removed.push(fact);
      for (const fact of now) if (!old.some((other) => sameFact(fact, other))) added.push(fact);
    }
    return { registrations, removed, added };
  }

  /**
   * The first read's receipts and ratings, counted as `addReceipts` and `addRatings` count them, with receipt ids
   * and payments numbered by sorting them all at once (see `ByteKeyTable.load`): a million ids sorted cost a
   * fraction of a million hash-table probes, and come numbered in id order, the order facts are summed in.
   */
  private loadReceipts(receipts: Records, ratings: Records): void {
    const receiptCount = this.countKept(receipts, R_CREATED);
    const ratingCount = this.countKept(ratings, T_CREATED);
    // Receipt ids, then the receipt ids ratings name (one numbering: a rating may name a receipt not read), packed.
    const ids = new Int32Array((receiptCount + ratingCount) * KEY_WORDS);
    const payments = new Int32Array(receiptCount * KEY_WORDS);
    // One function per loop: a second long loop in the same function would run deoptimized (see `sortKeys`).
    const rated = packKeys(receipts, R_CREATED, this.asOf, 0, ids, 0);
    const k = packKeys(ratings, T_CREATED, this.asOf, T_RECEIPT, ids, rated);
    packKeys(receipts, R_CREATED, this.asOf, R_PAYMENT, payments, 0);
    const receiptNumbers = this.receiptIds.load(ids, k);
    const paymentNumbers = this.payments.load(payments, receiptCount);
    this.addReceipts(receipts, { receipts: receiptNumbers, payments: paymentNumbers });
    this.addRatings(ratings, receiptNumbers.subarray(receiptCount));
  }

  /** How many of `records` were created at or before `asOf` (their time at `createdAt` in each). */
  private countKept({ size, blocks }: Records, createdAt: number): number {
    let count = 0;
    for (const view of blocks)
      for (let o = 0; o < view.byteLength; o += size) if (u64(view, o + createdAt) <= this.asOf) count++;
    return count;
  }

  /**
   * Counts receipt records (those created after `asOf` left out); `numbered`: their receipt and payment numbers,
   * one per record kept, in order (from `loadReceipts`), instead of numbering them here one at a time.
   */
  private addReceipts(
    { size, blocks }: Records,
    numbered?: { receipts: Int32Array; payments: Int32Array },
  ): void {
    // Room for every record read at once: tables and columns grow once, not a doubling at a time.
    let total = 0;
    for (const view of blocks) total += view.byteLength / size;
    if (numbered === undefined) {
      this.receiptIds.reserve(this.receiptIds.size + total);
      this.payments.reserve(this.payments.size + total);
      this.reserve(this.receiptIds.size + total);
      this.reservePayments(this.payments.size + total);
    } else {
      // Numbered already; an eighth more room: a follower's first refreshes then copy no column.
      const room = (n: number) => n + (n >>> 3) + 1024;
      this.reserve(room(this.receiptIds.size));
      this.reservePayments(room(this.payments.size));
    }
    let kept = 0;
    for (const view of blocks)
      for (let o = 0; o < view.byteLength; o += size) {
        const created = u64(view, o + R_CREATED);
        if (created > this.asOf) continue;
        const r = numbered === undefined ? this.receiptIds.add(view, o) : (numbered.receipts[kept] as number);
        const loadedPayment = numbered === undefined ? NONE : (numbered.payments[kept] as number);
        kept++;
        this.reserve(r + 1);
        if (((this.flags[r] as number) & PRESENT) !== 0) continue;
        const recordFlags = view.getUint8(o + R_FLAGS);
        const p = numbered === undefined ? this.payments.add(view, o + R_PAYMENT) : loadedPayment;
        this.reservePayments(p + 1);
        if (this.firstReceipt[p] === NONE) this.firstReceipt[p] = r;
        else {
          const more = this.others.get(p);
          if (more === undefined) this.others.set(p, [r]);
          else more.push(r);
        }
        this.payment[r] = p;
        this.provider[r] = this.agent(view, o + R_PROVIDER);
        this.payer[r] = recordFlags & RECORD_HAS_PAYER ? this.agent(view, o + R_PAYER) : NONE;
        this.amount[r] = u64(view, o + R_AMOUNT);
        this.created[r] = created;
        let flags = (this.flags[r] as number) | PRESENT;
        if (recordFlags & RECORD_HAS_PAYER_RATING) {
          flags |= PAYER_RATED;
          this.payerRating[r] = view.getInt8(o + R_PAYER_RATING);
        }
        this.flags[r] = flags;
      }
  }

  /**
   * Keeps each receipt's latest rating: the latest `created`, equal times going to the lowest rating id.
   * `numbered`: the receipt number of each record kept, in order (from `loadReceipts`).
   */
  private addRatings({ size, blocks }: Records, numbered?: Int32Array): void {
    let kept = 0;
    for (const view of blocks)
      for (let o = 0; o < view.byteLength; o += size) {
        const created = u64(view, o + T_CREATED);
        if (created > this.asOf) continue;
        const r =
          numbered === undefined ? this.receiptIds.add(view, o + T_RECEIPT) : (numbered[kept++] as number);
        this.reserve(r + 1);
        const flags = this.flags[r] as number;
        const at = this.ratedAt[r] as number;
        if ((flags & RATED) === 0 || created > at || (created === at && this.lowerRatingId(view, o, r))) {
          this.flags[r] = flags | RATED;
          this.ratedAt[r] = created;
          this.rating[r] = view.getInt8(o + T_RATING);
          readKey(view, o, this.ratingIds, r * KEY_WORDS);
        }
      }
  }

  /** Whether the rating id at `view`'s `offset` sorts before the one kept for receipt `r`. */
  private lowerRatingId(view: DataView, offset: number, r: number): boolean {
    const id = new Int32Array(KEY_WORDS);
    readKey(view, offset, id, 0);
    return compareWords(id, 0, this.ratingIds, r * KEY_WORDS) < 0;
  }

  private factOf(r: number): ReceiptFact {
    const flags = this.flags[r] as number;
    const payer = this.payer[r] as number;
    // Built field by field: a rest/spread copy per fact costs seconds over a million of them.
    const fact: { -readonly [K in keyof ReceiptFact]: ReceiptFact[K] } = {
      id: this.receiptIds.hex(r),
      provider: this.agentIds[this.provider[r] as number] as string,
      payer: payer === NONE ? null : (this.agentIds[payer] as string),
      amountMsat: this.amount[r] as number,
      created: this.created[r] as number,
    };
    if (flags & RATED) {
      fact.serviceRating = this.rating[r] as number;
      fact.ratedAt = this.ratedAt[r] as number;
    }
    if (flags & PAYER_RATED) fact.payerRating = this.payerRating[r] as number;
    return fact;
  }
}

/** Whether two facts of one receipt state the same: a later rating of the same value still moves its date. */
function sameFact(a: ReceiptFact, b: ReceiptFact): boolean {
  return a.id === b.id && a.serviceRating === b.serviceRating && a.ratedAt === b.ratedAt;
}

/** Reads the ledger's trust index (fixed-width records): one sequential scan per type, no JSON parsed. */
async function readRecords(ledger: EventReader, after: number, until: number): Promise<Appended> {
  const records = ledger.records as NonNullable<EventReader['records']>;
  const each = async (type: string, size: number): Promise<Records> => {
    const blocks: DataView[] = [];
    for await (const block of records.call(ledger, type, { afterSeq: after })) {
      if (block.size !== size)
        throw new AgoraError(
          ErrorCode.StoreUnavailable,
          `ledger ${type} records are ${block.size} bytes, not ${size}: the trust index is damaged`,
        );
      let count = block.seqs.length;
      while (count > 0 && (block.seqs[count - 1] as number) > until) count--;
      if (count > 0) blocks.push(viewOf(block.bytes.subarray(0, count * size)));
      if (count < block.seqs.length) break;
    }
    return { size, blocks };
  };
  return {
    registered: await each('agent.registered', REGISTRATION_SIZE),
    receipts: await each('receipt', RECEIPT_RECORD_SIZE),
    ratings: await each('receipt.rating', RATING_RECORD_SIZE),
  };
}

const REGISTRATION_SIZE = (agentRegisteredType.record as NonNullable<typeof agentRegisteredType.record>).size;

/** Reads the events themselves, for readers that keep no records: encoded as the ledger would have recorded them. */
async function readEvents(ledger: EventReader, after: number, until: number): Promise<Appended> {
  const encode = async (
    type: string,
    codec: { size: number; encode: (event: StoredEvent['event'], id: Uint8Array) => Uint8Array },
  ): Promise<Records> => {
    const records: Uint8Array[] = [];
    for await (const stored of ledger.events({ type, afterSeq: after }))
      if (stored.seq <= until) records.push(codec.encode(stored.event, fromHex(stored.id)));
    const bytes = new Uint8Array(records.length * codec.size);
    records.forEach((record, i) => {
      bytes.set(record, i * codec.size);
    });
    return { size: codec.size, blocks: [viewOf(bytes)] };
  };
  return {
    registered: await encode(
      'agent.registered',
      agentRegisteredType.record as NonNullable<typeof agentRegisteredType.record>,
    ),
    receipts: await encode('receipt', receiptRecordCodec),
    ratings: await encode('receipt.rating', ratingRecordCodec),
  };
}
