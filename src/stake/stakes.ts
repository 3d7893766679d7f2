import type { EventReader, LedgerEvent } from '../ledger/index.js';
import type { ReleaseReason, StakeLockedBody } from './stake-events.js';
import { STAKE_PAYMENT_INDEX, stakePaymentKey, storedStatement } from './stake-events.js';
import type { StakeStatementBody } from './statement.js';

/** How a stake ended. */
export interface StakeEnding {
  readonly id: string;
  /** `settled`: a custodial stake settled on a decision, its sats owed to the shares the ending lists. */
  readonly kind: 'released' | 'slashed' | 'settled';
  /** For releases. */
  readonly reason?: ReleaseReason;
  readonly created: number;
}

/** One stake as the ledger records it. */
export interface StakeRecord {
  /** The `stake.locked` event id. */
  readonly id: string;
  readonly staker: string;
  readonly custodian: string;
  readonly statement: StakeStatementBody;
  /** Unix seconds the custodian attested the lock. */
  readonly locked: number;
  readonly expiryHeight: number;
  /** The first ending (earliest `created`, then lowest id); later ones are duplicates the custodian wrote. */
  readonly ending?: StakeEnding;
}

/** A stake's state at unix time `at`. */
export type StakeState = 'pending' | 'locked' | 'released' | 'slashed' | 'settled' | 'expired';

/** The events that end a stake. */
const ENDINGS = ['stake.released', 'stake.slashed', 'stake.settled'] as const;

const earlier = (a: StakeEnding, b: StakeEnding) =>
  a.created < b.created || (a.created === b.created && a.id < b.id);

/**
 * The stakes stored in `ledger`, with how each ended (if it did), whatever order the events arrived in. A lock whose
 * payment a lower-id lock of the same custodian holds is no stake (see `STAKE_PAYMENT_INDEX`) and is left out.
 */
export async function readStakes(
  ledger: EventReader,
  filter: { staker?: string; custodian?: string } = {},
): Promise<StakeRecord[]> {
  const endings = new Map<string, StakeEnding>();
  for (const type of ENDINGS)
    for await (const { id, event } of ledger.events({ type })) keepEarliest(endings, id, event);
  const locks: AsyncIterable<{ id: string; event: LedgerEvent }> =
    filter.staker === undefined
      ? ledger.events({ type: 'stake.locked' })
      : ledger.byIndex('staker', filter.staker);
  // Per custodian and payment hash, the lock with the lowest id.
  const first = new Map<string, { id: string; event: LedgerEvent }>();
  for await (const { id, event } of locks) {
    if (event.type !== 'stake.locked') continue;
    if (filter.custodian !== undefined && event.author !== filter.custodian) continue;
    const key = paymentKey(event);
    const known = first.get(key);
    if (known === undefined || id < known.id) first.set(key, { id, event });
  }
  const records: StakeRecord[] = [];
  // Listing one staker's locks does not show a rival lock of another staker: look it up.
  for (const { id, event } of first.values())
    if (filter.staker === undefined || (await isFirstLock(ledger, id, event)))
      records.push(stakeRecord(id, event, endings.get(id)));
  return records.sort((a, b) => (a.id < b.id ? -1 : 1));
}

const paymentKey = (lock: LedgerEvent) =>
  stakePaymentKey(lock.author as string, storedStatement(lock).body.paymentHash);

/** True when no lock of the same custodian for the same payment hash has a lower id than `id`. */
async function isFirstLock(ledger: EventReader, id: string, lock: LedgerEvent): Promise<boolean> {
  // Per lock listed by `readStakes`: stop at the first lower-id rival rather than collect them all.
  for await (const rival of ledger.byIndex(STAKE_PAYMENT_INDEX, paymentKey(lock)))
    if (rival.event.type === 'stake.locked' && rival.id < id) return false;
  return true;
}

/** The ids of the stored locks of the same custodian for the same payment hash with a lower id than `id`. */
async function rivalLocks(ledger: EventReader, id: string, lock: LedgerEvent): Promise<string[]> {
  const rivals: string[] = [];
  for await (const rival of ledger.byIndex(STAKE_PAYMENT_INDEX, paymentKey(lock)))
    if (rival.event.type === 'stake.locked' && rival.id < id) rivals.push(rival.id);
  return rivals.sort();
}

/** A stored lock with the rivals that make it no stake, if any (see {@link readLock}). */
export interface StoredLock {
  /** The lock as a stake (its first ending, as {@link readStake} reads it), whether or not a rival holds its payment. */
  readonly stake: StakeRecord;
  /**
   * The ids of the stored locks of the same custodian for the same payment hash below its id, lowest first: while
   * any is stored, {@link readStakes} and {@link readStake} count that one, not this.
   */
  readonly rivals: readonly string[];
}

/**
 * Lock `lockId` as stored, with its rivals (read through the `stake` and payment indexes), or undefined when no
 * `stake.locked` is stored under that id: for a reader that must choose among the rivals by more than their ids (a
 * dispute bond, by which were published before the event it backs), or that follows one lock whatever holds its
 * payment (a bond a dispute counted, to see how it ended).
 */
export async function readLock(ledger: EventReader, lockId: string): Promise<StoredLock | undefined> {
  let lock: LedgerEvent | undefined;
  const endings = new Map<string, StakeEnding>();
  for await (const { id, event } of ledger.byIndex('stake', lockId)) {
    if (event.type === 'stake.locked' && id === lockId) lock = event;
    else if ((ENDINGS as readonly string[]).includes(event.type)) keepEarliest(endings, id, event);
  }
  if (lock === undefined) return undefined;
  return {
    stake: stakeRecord(lockId, lock, endings.get(lockId)),
    rivals: await rivalLocks(ledger, lockId, lock),
  };
}

/**
 * One stake by its lock id (read through the `stake` index, without scanning the others), or undefined; undefined too
 * for a lock whose payment a lower-id lock holds.
 */
export async function readStake(ledger: EventReader, lockId: string): Promise<StakeRecord | undefined> {
  const stored = await readLock(ledger, lockId);
  return stored === undefined || stored.rivals.length > 0 ? undefined : stored.stake;
}

/**
 * Every ending stored for stake `lockId` (its custodian may have written several), first first (earliest `created`,
 * then lowest id): for a reader that must choose among them by more than their claimed times (a dispute bond, by
 * which were published before the event it backs).
 */
export async function stakeEndings(ledger: EventReader, lockId: string): Promise<StakeEnding[]> {
  const endings: StakeEnding[] = [];
  for await (const { id, event } of ledger.byIndex('stake', lockId))
    if ((ENDINGS as readonly string[]).includes(event.type) && endingLock(event) === lockId)
      endings.push(endingOf(id, event));
  return endings.sort((a, b) => (earlier(a, b) ? -1 : earlier(b, a) ? 1 : 0));
}

/**
 * The endings stored for the other locks of `lock`'s payment: the same custodian's locks of its payment hash, whatever
 * their ids (found through the payment index), `lock` itself left out; first first. One held payment is one hold
 * invoice, so ending any of its locks ends the payment for all of them. An honest custodian signs one lock per payment
 * and this is empty; an ending here is its custodian's equivocation having moved the payment through another lock
 * (for a reader that follows one lock whatever holds its payment, as `bondProgress` follows a counted bond).
 */
export async function otherLockEndings(ledger: EventReader, lock: StakeRecord): Promise<StakeEnding[]> {
  const endings: StakeEnding[] = [];
  const key = stakePaymentKey(lock.custodian, lock.statement.paymentHash);
  for await (const { id, event } of ledger.byIndex(STAKE_PAYMENT_INDEX, key))
    if (event.type === 'stake.locked' && id !== lock.id) endings.push(...(await stakeEndings(ledger, id)));
  return endings.sort((a, b) => (earlier(a, b) ? -1 : earlier(b, a) ? 1 : 0));
}

const endingLock = (event: LedgerEvent) => (event.body as { lock: string }).lock;

function endingOf(id: string, event: LedgerEvent): StakeEnding {
  const body = event.body as { lock: string; reason?: ReleaseReason };
  return {
    id,
    kind: event.type.slice('stake.'.length) as StakeEnding['kind'],
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    created: event.created,
  };
}

/** Records an ending under its lock, keeping the first (earliest `created`, then lowest id). */
function keepEarliest(endings: Map<string, StakeEnding>, id: string, event: LedgerEvent): void {
  const ending = endingOf(id, event);
  const known = endings.get(endingLock(event));
  if (known === undefined || earlier(ending, known)) endings.set(endingLock(event), ending);
}

function stakeRecord(id: string, event: LedgerEvent, ending: StakeEnding | undefined): StakeRecord {
  const { staker, body } = storedStatement(event);
  return {
    id,
    staker,
    custodian: event.author as string,
    statement: body,
    locked: event.created,
    expiryHeight: (event.body as unknown as StakeLockedBody).expiryHeight,
    ...(ending === undefined ? {} : { ending }),
  };
}

/** The state of `stake` at unix time `at`, from the events alone. */
export function stakeState(stake: StakeRecord, at: number): StakeState {
  if (stake.locked > at) return 'pending';
  if (stake.ending !== undefined && stake.ending.created <= at) return stake.ending.kind;
  return stake.statement.until < at ? 'expired' : 'locked';
}

/**
 * Sats locked per staker at `asOf`, counting only stakes promised to stay locked until `lockedThrough` (a proposal's
 * closing time: a stake that may be released during the vote does not weigh in it).
 */
export function stakeWeights(
  stakes: readonly StakeRecord[],
  options: { asOf: number; lockedThrough?: number },
): Map<string, bigint> {
  const through = Math.max(options.asOf, options.lockedThrough ?? options.asOf);
  const weights = new Map<string, bigint>();
  for (const stake of stakes) {
    if (stakeState(stake, options.asOf) !== 'locked' || stake.statement.until < through) continue;
    weights.set(stake.staker, (weights.get(stake.staker) ?? 0n) + BigInt(stake.statement.amountSat));
  }
  return weights;
}
