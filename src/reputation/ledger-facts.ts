import { Buffer } from 'node:buffer';
import { decodeRegistrationRecord, type EventReader, type StoredEvent } from '../ledger/index.js';
import {
  decodeRatingRecord,
  decodeReceiptRecord,
  type ReceiptBody,
  type ReceiptRating,
} from '../receipts/index.js';

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

/** What a receipt contributes, without its invoice and preimage. */
interface ReceiptRecord {
  readonly paymentHash: string;
  readonly provider: string;
  readonly payer: string | null;
  readonly amountMsat: number;
  readonly created: number;
  readonly payerRating?: number;
}

interface Rating {
  readonly id: string;
  readonly created: number;
  readonly rating: number;
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
 */
export class LedgerFacts {
  private readonly firstRegistration = new Map<string, number>();
  /** Every receipt seen, by id: a payment's attesting receipts may change as lower ids and ratings arrive. */
  private readonly receipts = new Map<string, ReceiptRecord>();
  /** Payment hash -> id of the first receipt read for it (almost always the only one). */
  private readonly attesting = new Map<string, string>();
  /** Payment hash -> the ids of its other receipts, for the rare payments with more than one. */
  private readonly others = new Map<string, string[]>();
  /** Receipt id -> its latest rating. */
  private readonly ratings = new Map<string, Rating>();
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
    return [...this.firstRegistration].map(([id, created]) => ({ id, created }));
  }

  /** One fact per payment and payer, its rating joined, in receipt id order. */
  facts(): ReceiptFact[] {
    // Almost always one receipt per payment: then the attesting ids are the first ones read.
    const ids: string[] = this.others.size === 0 ? [...this.attesting.values()] : [];
    if (this.others.size > 0)
      for (const [payment, id] of this.attesting)
        if (this.others.has(payment)) ids.push(...this.attestingIds(payment));
        else ids.push(id);
    // The default sort compares strings natively: much faster than a comparator over a million ids.
    return ids.sort().map((id) => this.factOf(id));
  }

  /** Adds receipt `id` of `payment` to those that may attest it. */
  private attest(payment: string, id: string): void {
    const first = this.attesting.get(payment);
    if (first === undefined) this.attesting.set(payment, id);
    else if (first !== id) {
      const more = this.others.get(payment);
      if (more === undefined) this.others.set(payment, [id]);
      else if (!more.includes(id)) more.push(id);
    }
  }

  /** The receipts attesting `payment`: per payer named, a rated one before an unrated one, then the lowest id. */
  private attestingIds(payment: string): string[] {
    const first = this.attesting.get(payment);
    if (first === undefined) return [];
    const more = this.others.get(payment);
    if (more === undefined) return [first];
    const best = new Map<string | null, string>();
    for (const id of [first, ...more]) {
      const { payer } = this.receipts.get(id) as ReceiptRecord;
      const other = best.get(payer);
      if (other === undefined) best.set(payer, id);
      else {
        const rated = this.ratings.has(id);
        if (rated !== this.ratings.has(other) ? rated : id < other) best.set(payer, id);
      }
    }
    return [...best.values()];
  }

  /** Reads the events appended since the last read and says which facts they changed. */
  async advance(ledger: EventReader): Promise<FactChanges> {
    // Events appended while this runs wait for the next call: everything read lies in (after, until].
    const after = this.cursor;
    const until = ledger.stats().lastSeq;
    // Everything is read before anything changes: a failed read leaves this as it was.
    const { registered, receipts, ratings } =
      ledger.records === undefined
        ? await readEvents(ledger, after, until, this.asOf)
        : await readRecords(ledger, after, until, this.asOf);
    let registrations = false;
    for (const { author, created } of registered) {
      const known = this.firstRegistration.get(author);
      if (known === undefined || created < known) {
        this.firstRegistration.set(author, created);
        registrations = true;
      }
    }
    const paymentOf = (receipt: string) => this.receipts.get(receipt)?.paymentHash;
    if (after === 0 && this.receipts.size === 0) {
      // The first read: nothing to compare with, so no list of changes (a million receipts read at once).
      for (const { id, record } of receipts) {
        this.receipts.set(id, record);
        this.attest(record.paymentHash, id);
      }
      this.keepLatestRatings(ratings);
      this.cursor = until;
      return { registrations, removed: [], added: [] };
    }
    // Payments whose facts may change, and their facts before the change.
    const before = new Map<string, ReceiptFact[]>();
    const touch = (payment: string | undefined) => {
      if (payment === undefined || before.has(payment)) return;
      before.set(
        payment,
        this.attestingIds(payment).map((id) => this.factOf(id)),
      );
    };
    for (const { id, record } of receipts) {
      touch(record.paymentHash);
      this.receipts.set(id, record);
    }
    for (const { receipt } of ratings) touch(paymentOf(receipt));
    for (const { id, record } of receipts) this.attest(record.paymentHash, id);
    this.keepLatestRatings(ratings);
    this.cursor = until;
    const removed: ReceiptFact[] = [];
    const added: ReceiptFact[] = [];
    for (const [payment, old] of before) {
      const now = this.attestingIds(payment).map((id) => this.factOf(id));
      for (const fact of old) if (!now.some((other) => sameFact(fact, other))) removed.push(fact);
      for (const fact of now) if (!old.some((other) => sameFact(fact, other))) added.push(fact);
    }
    return { registrations, removed, added };
  }

  /** Keeps each receipt's latest rating: the latest `created`, equal times going to the lowest rating id. */
  private keepLatestRatings(ratings: Appended['ratings']): void {
    for (const { id, receipt, created, rating } of ratings) {
      const other = this.ratings.get(receipt);
      if (other === undefined || created > other.created || (created === other.created && id < other.id))
        this.ratings.set(receipt, { id, created, rating });
    }
  }

  private factOf(receiptId: string): ReceiptFact {
    const record = this.receipts.get(receiptId) as ReceiptRecord;
    // Built field by field: a rest/spread copy per fact costs seconds over a million of them.
    const fact: { -readonly [K in keyof ReceiptFact]: ReceiptFact[K] } = {
      id: receiptId,
      provider: record.provider,
      payer: record.payer,
      amountMsat: record.amountMsat,
      created: record.created,
    };
    const rating = this.ratings.get(receiptId);
    if (rating !== undefined) {
      fact.serviceRating = rating.rating;
      fact.ratedAt = rating.created;
    }
    if (record.payerRating !== undefined) fact.payerRating = record.payerRating;
    return fact;
  }
}

/** Whether two facts of one receipt state the same: a later rating of the same value still moves its date. */
function sameFact(a: ReceiptFact, b: ReceiptFact): boolean {
  return a.id === b.id && a.serviceRating === b.serviceRating && a.ratedAt === b.ratedAt;
}

/** What one read brings: registrations, receipts and ratings in (after, until], created at or before `asOf`. */
interface Appended {
  readonly registered: { author: string; created: number }[];
  readonly receipts: { id: string; record: ReceiptRecord }[];
  readonly ratings: { id: string; receipt: string; created: number; rating: number }[];
}

/** Lower-case hex of the 32 bytes at `offset` (Node's native encoder: a million ids take a fraction of a second). */
function hexAt(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, 32).toString('hex');
}

/** Reads the ledger's trust index (fixed-width records): one sequential scan per type, no JSON parsed. */
async function readRecords(
  ledger: EventReader,
  after: number,
  until: number,
  asOf: number,
): Promise<Appended> {
  const records = ledger.records as NonNullable<EventReader['records']>;
  const read: Appended = { registered: [], receipts: [], ratings: [] };
  const each = async (type: string, visit: (bytes: Uint8Array, offset: number) => void) => {
    for await (const { size, seqs, bytes } of records.call(ledger, type, { afterSeq: after })) {
      for (let i = 0; i < seqs.length; i++) {
        if ((seqs[i] as number) > until) return;
        visit(bytes, i * size);
      }
    }
  };
  await each('agent.registered', (bytes, offset) => {
    const { created } = decodeRegistrationRecord(bytes, offset);
    if (created <= asOf) read.registered.push({ author: hexAt(bytes, offset + 32), created });
  });
  await each('receipt', (bytes, offset) => {
    const r = decodeReceiptRecord(bytes, offset);
    if (r.created > asOf) return;
    const record: { -readonly [K in keyof ReceiptRecord]: ReceiptRecord[K] } = {
      paymentHash: hexAt(bytes, offset + 32),
      provider: hexAt(bytes, offset + 64),
      payer: r.payer === null ? null : hexAt(bytes, offset + 96),
      amountMsat: r.amountMsat,
      created: r.created,
    };
    if (r.payerRating !== undefined) record.payerRating = r.payerRating;
    read.receipts.push({ id: hexAt(bytes, offset), record });
  });
  await each('receipt.rating', (bytes, offset) => {
    const r = decodeRatingRecord(bytes, offset);
    if (r.created > asOf) return;
    read.ratings.push({
      id: hexAt(bytes, offset),
      receipt: hexAt(bytes, offset + 32),
      created: r.created,
      rating: r.rating,
    });
  });
  return read;
}

/** Reads the events themselves, for readers that keep no records. */
async function readEvents(
  ledger: EventReader,
  after: number,
  until: number,
  asOf: number,
): Promise<Appended> {
  const appended = async (type: string) => {
    const events: StoredEvent[] = [];
    for await (const stored of ledger.events({ type, afterSeq: after }))
      if (stored.seq <= until && stored.event.created <= asOf) events.push(stored);
    return events;
  };
  const registered = await appended('agent.registered');
  const receipts = await appended('receipt');
  const ratings = await appended('receipt.rating');
  return {
    registered: registered.map(({ event }) => ({ author: event.author as string, created: event.created })),
    receipts: receipts.map(({ id, event }) => {
      const body = event.body as unknown as ReceiptBody;
      return {
        id,
        record: {
          paymentHash: body.paymentHash,
          provider: event.author as string,
          payer: body.payer,
          amountMsat: body.amountMsat,
          created: event.created,
          ...(body.payerRating === undefined ? {} : { payerRating: body.payerRating }),
        },
      };
    }),
    ratings: ratings.map(({ id, event }) => {
      const { receipt, rating } = event.body as unknown as ReceiptRating;
      return { id, receipt, created: event.created, rating };
    }),
  };
}
