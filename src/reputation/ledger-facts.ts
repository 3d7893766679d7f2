import type { EventReader, StoredEvent } from '../ledger/index.js';
import type { ReceiptBody, ReceiptRating } from '../receipts/index.js';

/** One paid interaction, as the reputation engine reads it from a receipt and its rating. */
export interface ReceiptFact {
  readonly id: string;
  readonly provider: string;
  readonly payer: string | null;
  readonly amountMsat: number;
  /** Unix seconds. */
  readonly created: number;
  /** The payer's rating of the service (-2..2), if it rated it. */
  readonly serviceRating?: number;
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
 * The reputation-relevant state of a ledger (first registrations, one receipt per payment, the latest rating of
 * each receipt), kept up to date by reading only the events appended since the last read. The rules are those of a
 * full read, whatever order events arrive in: the lowest receipt id attests a payment, the payer's latest rating
 * counts (equal times: the lowest event id), and only events created at or before `asOf` count.
 */
export class LedgerFacts {
  private readonly firstRegistration = new Map<string, number>();
  /** Every receipt seen, by id: a payment's attesting receipt may change as lower ids arrive. */
  private readonly receipts = new Map<string, ReceiptRecord>();
  /** Payment hash -> id of the receipt that attests it. */
  private readonly attesting = new Map<string, string>();
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

  /** Registrations: agent id and its first registration time. */
  registrations(): { id: string; created: number }[] {
    return [...this.firstRegistration].map(([id, created]) => ({ id, created }));
  }

  /** One fact per payment, its rating joined. */
  facts(): ReceiptFact[] {
    return [...this.attesting.values()].map((id) => this.factOf(id));
  }

  /** Reads the events appended since the last read and says which facts they changed. */
  async advance(ledger: EventReader): Promise<FactChanges> {
    // Events appended while this runs wait for the next call: everything read lies in (after, until].
    const after = this.cursor;
    const until = ledger.stats().lastSeq;
    const appended = async (type: string) => {
      const events: StoredEvent[] = [];
      for await (const stored of ledger.events({ type, afterSeq: after }))
        if (stored.seq <= until && stored.event.created <= this.asOf) events.push(stored);
      return events;
    };
    // Everything is read before anything changes: a failed read leaves this as it was.
    const registered = await appended('agent.registered');
    const receipts = await appended('receipt');
    const ratings = await appended('receipt.rating');
    let registrations = false;
    for (const { event } of registered) {
      const author = event.author as string;
      const known = this.firstRegistration.get(author);
      if (known === undefined || event.created < known) {
        this.firstRegistration.set(author, event.created);
        registrations = true;
      }
    }
    const paymentOf = (receipt: string) => this.receipts.get(receipt)?.paymentHash;
    // Payments whose fact may change, and their facts before the change.
    const before = new Map<string, ReceiptFact | undefined>();
    const touch = (payment: string | undefined) => {
      if (payment === undefined || before.has(payment)) return;
      const id = this.attesting.get(payment);
      before.set(payment, id === undefined ? undefined : this.factOf(id));
    };
    for (const { id, event } of receipts) {
      const body = event.body as unknown as ReceiptBody;
      this.receipts.set(id, {
        paymentHash: body.paymentHash,
        provider: event.author as string,
        payer: body.payer,
        amountMsat: body.amountMsat,
        created: event.created,
        ...(body.payerRating === undefined ? {} : { payerRating: body.payerRating }),
      });
      touch(body.paymentHash);
    }
    for (const { event } of ratings) touch(paymentOf((event.body as unknown as ReceiptRating).receipt));
    for (const stored of receipts) {
      const payment = paymentOf(stored.id) as string;
      const other = this.attesting.get(payment);
      if (other === undefined || stored.id < other) this.attesting.set(payment, stored.id);
    }
    for (const { id, event } of ratings) {
      const { receipt, rating } = event.body as unknown as ReceiptRating;
      const other = this.ratings.get(receipt);
      if (
        other === undefined ||
        event.created > other.created ||
        (event.created === other.created && id < other.id)
      )
        this.ratings.set(receipt, { id, created: event.created, rating });
    }
    this.cursor = until;
    const removed: ReceiptFact[] = [];
    const added: ReceiptFact[] = [];
    for (const [payment, old] of before) {
      const now = this.factOf(this.attesting.get(payment) as string);
      if (old !== undefined && sameFact(old, now)) continue;
      if (old !== undefined) removed.push(old);
      added.push(now);
    }
    return { registrations, removed, added };
  }

  private factOf(receiptId: string): ReceiptFact {
    const { paymentHash: _, ...record } = this.receipts.get(receiptId) as ReceiptRecord;
    const rating = this.ratings.get(receiptId);
    return { id: receiptId, ...record, ...(rating === undefined ? {} : { serviceRating: rating.rating }) };
  }
}

function sameFact(a: ReceiptFact, b: ReceiptFact): boolean {
  return a.id === b.id && a.serviceRating === b.serviceRating;
}
