import type { Event as NostrEvent } from 'nostr-tools/pure';
import type { AbstractRelay } from 'nostr-tools/relay';
import { AgoraError, type Clock, ErrorCode, isAgoraError, systemClock, unixSeconds } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import type { LedgerEvent } from './event.js';
import type { AppendResult, Ledger } from './ledger.js';
import { AGORA_NOSTR_KIND, fromNostrEvent, toNostrEvent } from './nostr.js';

/** What a pull brought in. */
export interface PullResult {
  readonly received: number;
  readonly imported: number;
  readonly duplicates: number;
  /** Events that failed verification (forged, tampered, refused by their type): counted, never stored. */
  readonly invalid: number;
  /**
   * The newest `created` among the events imported (or already held), never later than now: the next pull asks for
   * events from {@link DEFAULT_OVERLAP_SECONDS} (or `overlapSeconds`) before it.
   */
  readonly position: number;
}

/**
 * How far each pull reaches back before the last position: events published late (re-broadcast originals, clocks a
 * little behind, relays that were slow to store) still arrive on the next pull. Imports are idempotent, so the
 * overlap costs only the duplicates it brings.
 */
export const DEFAULT_OVERLAP_SECONDS = 600;

/** Where to resume after `position`: a margin back, and never from the future. */
function resumeFrom(position: number, overlapSeconds: number): number {
  return Math.max(0, position - overlapSeconds);
}

const STORE = 'nostr-sync';
const PULL_BATCH = 500;
const PAGE = 500;

/** One query's stored events (until the relay's end of stored events). */
function query(
  relay: AbstractRelay,
  url: string,
  window: { since: number; until?: number },
  timeoutMs = 10_000,
): Promise<NostrEvent[]> {
  const events: NostrEvent[] = [];
  let done = false;
  return new Promise<NostrEvent[]>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new AgoraError(ErrorCode.BackendUnreachable, `${url} did not finish sending stored events`)),
      timeoutMs,
    );
    const subscription = relay.subscribe([{ kinds: [AGORA_NOSTR_KIND], limit: PAGE, ...window }], {
      onevent: (event) => events.push(event),
      oneose: () => {
        done = true;
        clearTimeout(timer);
        resolve(events);
        subscription.close();
      },
      onclose: (reason) => {
        if (done) return;
        clearTimeout(timer);
        reject(new AgoraError(ErrorCode.BackendUnreachable, `${url} closed the subscription: ${reason}`));
      },
    });
  });
}

async function connect(url: string, timeoutMs: number): Promise<AbstractRelay> {
  // Imported on the first connection, not with the ledger: a ledger that never syncs should not load a WebSocket
  // client.
  const [{ AbstractRelay }, { default: WebSocket }] = await Promise.all([
    import('nostr-tools/relay'),
    import('ws'),
  ]);
  try {
    // Every event is verified here (fromNostrEvent), so that forged ones are counted rather than silently dropped.
    return await AbstractRelay.connect(url, {
      verifyEvent: () => true,
      websocketImplementation: WebSocket as never,
      timeout: timeoutMs,
    });
  } catch (cause) {
    throw new AgoraError(ErrorCode.BackendUnreachable, `cannot reach the relay ${url}`, { cause });
  }
}

/** What a publication sent, and what it keeps for later. */
export interface PublishResult {
  readonly published: number;
  /** Signed events of authors without a key and without an original: not sent. */
  readonly skipped: number;
  /** This ledger's own anonymous events dated after now, kept back until their `created` time. */
  readonly held: number;
  /** The earliest `created` among the held events: when the next publication has something to send. */
  readonly nextAt?: number;
  /** Held events past their time, stored again under a fresh `created` (see `redate`): sent now (one) or held. */
  readonly redated?: number;
}

/**
 * How late a held event may still go out under its own `created`: a publication that late is one the agent did not
 * make when the event fell due (no `sync --follow` running, a laptop asleep), and sending every such event at once
 * would show the relay one burst of one voter's pieces.
 */
export const OVERDUE_SECONDS = 60;

/**
 * A fresh `created` for a held event kept back or overdue, at or after `now` (uniform over what is left of its vote's
 * window, as the governance layer's `redatePiece` draws it), or undefined to keep it under its own date (not a vote
 * piece, or its vote has closed).
 */
export type Redate = (event: LedgerEvent, now: number) => Promise<number | undefined>;

const heldPrefix = (url: string) => `held:${url}:`;

/** Per ledger, the chain its own anonymous events' wrappings run on, one at a time (see {@link ownWrapper}). */
const ownChains = new WeakMap<Ledger, Promise<unknown>>();

/** Runs `task` after every earlier one of `ledger`'s: concurrent publications to several relays decide in turn. */
function ownTurn<T>(ledger: Ledger, task: () => Promise<T>): Promise<T> {
  const run = (ownChains.get(ledger) ?? Promise.resolve()).then(task, task);
  ownChains.set(
    ledger,
    run.catch(() => {}),
  );
  return run;
}

/**
 * The Nostr event that carries this ledger's own anonymous event `id` to every relay: wrapped under a one-time key the
 * first time it is sent anywhere, stored (`wrapped:`, as `original:` keeps what was received), and the same one after.
 * A fresh wrapping per relay would show each piece as one Nostr event per relay the voter uses, first seen at each:
 * the set of relays holding a wrapper of their own is the voter's relay list, which links its pieces.
 */
function ownWrapper(
  ledger: Ledger,
  store: ReturnType<Ledger['localStore']>,
  id: string,
  event: LedgerEvent,
): Promise<NostrEvent | undefined> {
  return ownTurn(ledger, async () => {
    const stored = await store.get(`wrapped:${id}`);
    if (stored !== undefined) return JSON.parse(stored) as NostrEvent;
    // Re-dated meanwhile by a publication to another relay (undefined): its copy goes out instead, as a new event.
    if (!(await ledger.has(id))) return undefined;
    const nostr = toNostrEvent(event);
    // Stored before it is sent: a send that fails halfway may have reached the relay, and is published for good.
    await ledger.localPut(store, `wrapped:${id}`, JSON.stringify(nostr));
    return nostr;
  });
}

/**
 * Replaces this ledger's own anonymous event `id`, never sent anywhere, by its copy dated `created`
 * (`Ledger.redateUnpublished`: the stale original is gone, so this ledger counts what every other replica will).
 * Undefined when it was sent (wrapped) meanwhile, so keeps its date; `gone` when another relay's publication re-dated
 * it already (its copy is a new event of this ledger).
 */
function redateOwn(
  ledger: Ledger,
  store: ReturnType<Ledger['localStore']>,
  id: string,
  created: number,
): Promise<AppendResult | 'gone' | undefined> {
  return ownTurn(ledger, async () => {
    if ((await store.get(`wrapped:${id}`)) !== undefined) return undefined;
    if (!(await ledger.has(id))) return 'gone';
    return ledger.redateUnpublished(id, created);
  });
}

/** Publishes one event over a connection of its own, closed after: nothing else the relay receives shares it. */
async function publishAlone(url: string, nostr: NostrEvent, timeoutMs: number): Promise<void> {
  const relay = await connect(url, timeoutMs);
  try {
    await relay.publish(nostr);
  } finally {
    relay.close();
  }
}

/** Whether publishing `event` now sends something signed by one of this agent's keys. */
const signsOwn = (event: LedgerEvent, keyFor: ((author: string) => AgentKey | undefined) | undefined) =>
  event.author !== undefined && keyFor?.(event.author) !== undefined;

/**
 * Publishes to `url` the events of `ledger` appended since the last publication there (the position is kept in the
 * ledger's local store): events the ledger received over Nostr go out as they came (their authors' signatures), the
 * others are wrapped now, signed by `keyFor(author)` or, for anonymous votes, a one-time key. An own anonymous event
 * is wrapped once, the first time it is sent anywhere, and that wrapper stored and sent to every relay: each piece
 * is one Nostr event on the whole network, however many relays the voter uses. Events of authors without a key and no
 * original are skipped.
 *
 * This ledger's own anonymous events (no author, no original) dated after now are held back and sent by the first
 * publication at or after their `created` time: a voter's pieces, each dated by the client at its own random time in
 * the window, then reach relays one by one at those times instead of together when the vote is cast, so the moment
 * they arrive does not tie them to each other. Run publications as those times come (see {@link publishWhenDue}).
 *
 * Every anonymous event goes out over a connection of its own, opened for it and closed after, nothing else sent on
 * it: a relay sees which events arrive on one connection, so a piece sent beside the agent's signed events (or beside
 * another piece) would be linked to them whatever key signs its wrapper. Relayed pieces (originals received from
 * others) go alone too: a voter's own pieces, once pulled back from a relay, are among them.
 *
 * Separate connections hide which events travel together, not when they arrive. So a held event goes out only in a run
 * that sends nothing signed by this agent's keys (`keyFor`), and at most one held event more than
 * {@link OVERDUE_SECONDS} past its time goes out per run: an agent publishing now and then would otherwise send every
 * piece that fell due since its last run in one burst. With `redate` (what `agora sync` passes: the governance
 * layer's `redatePiece`), every held event kept back for these reasons, or overdue, and never sent to any relay, is
 * replaced in the ledger by a copy under a fresh `created` (same body, same nullifier for a vote piece:
 * `Ledger.redateUnpublished`, so the stale one is neither sent nor counted here, where no other replica holds it) and
 * held until then, and the one overdue event sent is dated now: each still reaches the relay alone, at its own time.
 * One sent to some relay already keeps its date everywhere (a copy would be counted here, the original where both
 * are held). Without `redate` they stay held under their old dates and go out, one per run, hours late.
 */
export async function publishToRelay(
  ledger: Ledger,
  url: string,
  options: {
    keyFor?: (author: string) => AgentKey | undefined;
    timeoutMs?: number;
    clock?: Clock;
    redate?: Redate;
  } = {},
): Promise<PublishResult> {
  const store = ledger.localStore(STORE);
  const positionKey = `published:${url}`;
  const after = Number((await store.get(positionKey)) ?? '0');
  const now = unixSeconds(options.clock ?? systemClock);
  const prefix = heldPrefix(url);
  // Held events, their `created` kept beside their id: those due now go out first.
  const due: string[] = [];
  let nextAt: number | undefined;
  let held = 0;
  for await (const [key, created] of store.iterator({ gte: prefix, lt: `${prefix}\uffff` })) {
    if (Number(created) <= now) due.push(key.slice(prefix.length));
    else {
      held++;
      nextAt = Math.min(nextAt ?? Number.POSITIVE_INFINITY, Number(created));
    }
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  // The connection for signed events, opened on the first one.
  let shared: AbstractRelay | undefined;
  let published = 0;
  let skipped = 0;
  let redated = 0;
  let last = after;
  // Written with the position, in one batch: a held event is never lost between the two.
  const changes: [string, string | undefined][] = [];
  const hold = (id: string, created: number) => {
    changes.push([`${prefix}${id}`, String(created)]);
    held++;
    // Kept back past its time (no `redate`): the next run sends it, a while after this one.
    nextAt = Math.min(nextAt ?? Number.POSITIVE_INFINITY, Math.max(created, now + OVERDUE_SECONDS));
  };
  // Copies stored by this run: the pass over new events skips them (held or sent here already).
  const copies = new Set<string>();
  // A held event never goes out in a run that sends this agent's signed events: the two arrivals would be linked.
  let signing = false;
  for await (const { id, event } of ledger.events({ afterSeq: after }))
    if ((await store.get(`original:${id}`)) === undefined && signsOwn(event, options.keyFor)) {
      signing = true;
      break;
    }
  let overdueSent = false;
  /** Sends this agent's own anonymous event, due now, or keeps it back (re-dated where `redate` is given). */
  const release = async (id: string, event: LedgerEvent): Promise<number | undefined> => {
    const overdue = now - event.created > OVERDUE_SECONDS;
    const sendable = !signing && (!overdue || !overdueSent);
    /** Sends `id` (its one wrapper); false when another relay's publication re-dated it meanwhile (gone). */
    const send = async (sentId: string, sent: LedgerEvent) => {
      const nostr = await ownWrapper(ledger, store, sentId, sent);
      if (nostr === undefined) return false;
      await publishAlone(url, nostr, timeoutMs);
      published++;
      return true;
    };
    if (sendable && !overdue) return void (await send(id, event));
    // Re-dated by an earlier version, which kept the original beside its copy: the copy goes out, never this one.
    if ((await store.get(`redated:${id}`)) !== undefined) return undefined;
    // Sent to some relay already (or received back): published, so it keeps its date (a copy would be counted by
    // this ledger, the earlier-dated original by every replica holding both).
    const public_ =
      (await store.get(`wrapped:${id}`)) !== undefined || (await store.get(`original:${id}`)) !== undefined;
    const fresh = public_ ? undefined : await options.redate?.(event, now);
    // The one overdue event this run may send goes out dated now; the others at a fresh time of their own.
    const created = fresh === undefined ? undefined : sendable ? now : Math.max(fresh, now + 1);
    const appended = created === undefined ? undefined : await redateOwn(ledger, store, id, created);
    if (appended === 'gone') return undefined;
    if (appended === undefined) {
      // Kept under its old date: the next run that may send it does.
      if (!sendable) return void hold(id, event.created);
      if (await send(id, event)) overdueSent = overdue;
      return undefined;
    }
    const copy = { ...event, created: created as number };
    copies.add(appended.id);
    redated++;
    if (!sendable) {
      changes.push([`${prefix}${appended.id}`, String(copy.created)]);
      held++;
      nextAt = Math.min(nextAt ?? Number.POSITIVE_INFINITY, copy.created);
      return appended.seq;
    }
    if (await send(appended.id, copy)) overdueSent = true;
    return appended.seq;
  };
  try {
    for (const id of due) {
      const stored = await ledger.get(id);
      if (stored !== undefined) await release(id, stored.event);
      // Unheld once released (re-held under the same key when kept back): a failed send keeps it held.
      if (!changes.some(([key]) => key === `${prefix}${id}`)) changes.push([`${prefix}${id}`, undefined]);
    }
    // This agent's own anonymous events due already but kept back by this run: released after the pass.
    const kept: { id: string; event: LedgerEvent }[] = [];
    for await (const { id, seq, event } of ledger.events({ afterSeq: after })) {
      last = seq;
      if (copies.has(id)) continue;
      // This ledger's own anonymous events: never received (no original), or wrapped here (sent, maybe pulled back).
      const original =
        event.author === undefined && (await store.get(`wrapped:${id}`)) !== undefined
          ? undefined
          : await store.get(`original:${id}`);
      const author = event.author === undefined ? undefined : options.keyFor?.(event.author);
      let nostr: NostrEvent | undefined;
      if (original !== undefined) nostr = JSON.parse(original) as NostrEvent;
      else if (event.author === undefined && event.created > now) {
        changes.push([`${prefix}${id}`, String(event.created)]);
        held++;
        nextAt = Math.min(nextAt ?? Number.POSITIVE_INFINITY, event.created);
      } else if (event.author === undefined && signing) kept.push({ id, event });
      else if (event.author === undefined) nostr = await ownWrapper(ledger, store, id, event);
      else if (author !== undefined) nostr = toNostrEvent(event, { author });
      if (nostr !== undefined) {
        if (event.author === undefined) await publishAlone(url, nostr, timeoutMs);
        else {
          shared ??= await connect(url, timeoutMs);
          await shared.publish(nostr);
        }
        published++;
      } else if (event.author !== undefined) skipped++;
    }
    for (const { id, event } of kept) last = Math.max(last, (await release(id, event)) ?? last);
  } finally {
    shared?.close();
    await ledger.localPutMany(store, [...changes, [positionKey, String(last)]]);
  }
  return {
    published,
    skipped,
    held,
    ...(nextAt === undefined ? {} : { nextAt }),
    ...(redated === 0 ? {} : { redated }),
  };
}

/**
 * Those of `ids` that are this ledger's own anonymous events not sent to any relay yet: neither wrapped here for
 * publication (`publishToRelay` stores the one wrapper it sends) nor received over Nostr. What this replica alone
 * holds: an anchor naming them would name them before they are public (see `proposalCommitment`'s `leaveOut`).
 */
export async function unsentOwnEvents(ledger: Ledger, ids: Iterable<string>): Promise<string[]> {
  const store = ledger.localStore(STORE);
  const unsent: string[] = [];
  for (const id of ids) {
    const stored = await ledger.get(id);
    if (stored === undefined || stored.event.author !== undefined) continue;
    if ((await store.get(`wrapped:${id}`)) !== undefined || (await store.get(`original:${id}`)) !== undefined)
      continue;
    unsent.push(id);
  }
  return unsent;
}

/**
 * Publishes to `url` as {@link publishToRelay} does, then again at each held event's time, until nothing is held or
 * `signal` aborts: each of a voter's pieces reaches the relay at its own `created` time, over its own connection
 * (`redate` as there: a piece kept back by a run sending signed events gets a fresh time).
 * `onPublish` hears of each publication; an unreachable relay is retried at the next due time, after `onError`.
 */
export async function publishWhenDue(
  ledger: Ledger,
  url: string,
  options: {
    signal: AbortSignal;
    keyFor?: (author: string) => AgentKey | undefined;
    timeoutMs?: number;
    clock?: Clock;
    redate?: Redate;
    onPublish?: (result: PublishResult) => void;
    onError?: (error: unknown) => void;
  },
): Promise<void> {
  const clock = options.clock ?? systemClock;
  let backoff = 1;
  while (!options.signal.aborted) {
    let next: number | undefined;
    try {
      const result = await publishToRelay(ledger, url, {
        ...(options.keyFor === undefined ? {} : { keyFor: options.keyFor }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.redate === undefined ? {} : { redate: options.redate }),
        clock,
      });
      options.onPublish?.(result);
      next = result.nextAt;
      backoff = 1;
    } catch (error) {
      if (!isAgoraError(error, ErrorCode.BackendUnreachable)) throw error;
      options.onError?.(error);
      next = unixSeconds(clock) + backoff;
      backoff = Math.min(60, backoff * 2);
    }
    if (next === undefined || options.signal.aborted) return;
    const waitMs = Math.max(0, next * 1000 - clock.now());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        resolve();
      }
      options.signal.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * Pulls agora402 events from `url` created since the last pull from it, less an overlap (or from `since`), verifies
 * each (its Nostr signature and binding, then the ledger's own checks) and imports it. An event whose references (a
 * proposal, a lock) have not arrived yet is retried after the others. The original Nostr event is kept so it can be
 * passed on to other relays as it is. The position moves only over events imported (or already held), never past
 * now: junk or forged events, whatever their `created_at`, cannot make later honest events invisible.
 */
export async function pullFromRelay(
  ledger: Ledger,
  url: string,
  options: { since?: number; timeoutMs?: number; overlapSeconds?: number; clock?: Clock } = {},
): Promise<PullResult> {
  const store = ledger.localStore(STORE);
  const positionKey = `pulled:${url}`;
  const stored = Number((await store.get(positionKey)) ?? '0');
  const since = options.since ?? resumeFrom(stored, options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS);
  const relay = await connect(url, options.timeoutMs ?? 10_000);
  const byId = new Map<string, NostrEvent>();
  try {
    // Relays cap what one query returns (newest first): page backwards with `until` until a page brings nothing new.
    for (let until: number | undefined; ; ) {
      const page = await query(
        relay,
        url,
        { since, ...(until === undefined ? {} : { until }) },
        options.timeoutMs,
      );
      let fresh = 0;
      for (const event of page)
        if (!byId.has(event.id)) {
          byId.set(event.id, event);
          fresh++;
        }
      if (fresh === 0) break;
      until = Math.min(...page.map((event) => event.created_at));
    }
  } finally {
    relay.close();
  }
  // Oldest first, so that what an event refers to tends to come before it.
  const events = [...byId.values()].sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  let imported = 0;
  let duplicates = 0;
  let invalid = 0;
  // The position only moves over events that verified and are in the ledger now; an explicit `since` that is older
  // than the stored position does not move it back.
  let newest = options.since === undefined ? stored : Math.max(stored, options.since);
  const held = (item: { nostr: NostrEvent }) => {
    newest = Math.max(newest, item.nostr.created_at);
  };
  let waiting: { nostr: NostrEvent; event: unknown; id: string }[] = [];
  for (const nostr of events) {
    try {
      const { id, event } = fromNostrEvent(nostr);
      waiting.push({ nostr, event, id });
    } catch {
      invalid++;
    }
  }
  // Batches first (one verified, atomic write each); a batch with a bad or early event is done one by one below.
  const single: typeof waiting = [];
  for (let at = 0; at < waiting.length; at += PULL_BATCH) {
    const chunk = waiting.slice(at, at + PULL_BATCH);
    try {
      const results = await ledger.appendBatch(chunk.map((item) => item.event));
      await ledger.localPutMany(
        store,
        chunk.map((item) => [`original:${item.id}`, JSON.stringify(item.nostr)] as const),
      );
      for (const result of results) {
        if (result.added) imported++;
        else duplicates++;
      }
      for (const item of chunk) held(item);
    } catch (error) {
      if (!isAgoraError(error)) throw error;
      single.push(...chunk);
    }
  }
  waiting = single;
  // Retry while progress is made: an event may refer to another that came later in the relay's order.
  for (let progress = true; progress && waiting.length > 0; ) {
    progress = false;
    const again: typeof waiting = [];
    for (const item of waiting) {
      try {
        const { added } = await ledger.append(item.event);
        await ledger.localPut(store, `original:${item.id}`, JSON.stringify(item.nostr));
        if (added) imported++;
        else duplicates++;
        held(item);
        progress = true;
      } catch (error) {
        if (!isAgoraError(error)) throw error;
        again.push(item);
      }
    }
    waiting = again;
  }
  invalid += waiting.length;
  // Never past now: an event dated in the future (valid or not) must not hide those created until then.
  const position = Math.min(newest, unixSeconds(options.clock ?? systemClock));
  await ledger.localPut(store, positionKey, String(position));
  return { received: events.length, imported, duplicates, invalid, position };
}

/**
 * Follows `url` until `signal` aborts: pulls what is new since the last position, then keeps a subscription open and
 * imports each event as it comes (verified like a pull). When the relay drops or cannot be reached, it tries again
 * after 1, 2, 4... seconds (at most `maxBackoffMs`), resuming from the last position. `onImport` hears of each pull
 * and each live event.
 */
export async function followRelay(
  ledger: Ledger,
  url: string,
  options: {
    signal: AbortSignal;
    maxBackoffMs?: number;
    timeoutMs?: number;
    /** How far each pull and subscription reaches back before the position; default {@link DEFAULT_OVERLAP_SECONDS}. */
    overlapSeconds?: number;
    clock?: Clock;
    onImport?: (summary: { relay: string; imported: number; invalid: number }) => void;
    onError?: (error: unknown) => void;
  },
): Promise<void> {
  const store = ledger.localStore(STORE);
  const first = Math.min(1_000, options.maxBackoffMs ?? 60_000);
  let backoff = first;
  while (!options.signal.aborted) {
    try {
      const pulled = await pullFromRelay(ledger, url, {
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.overlapSeconds === undefined ? {} : { overlapSeconds: options.overlapSeconds }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
      options.onImport?.({ relay: url, imported: pulled.imported, invalid: pulled.invalid });
      backoff = first;
      const relay = await connect(url, options.timeoutMs ?? 10_000);
      await new Promise<void>((resolve) => {
        const stop = () => {
          subscription.close();
          relay.close();
          resolve();
        };
        const overlap = options.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS;
        let position = pulled.position;
        const subscription = relay.subscribe(
          [{ kinds: [AGORA_NOSTR_KIND], since: resumeFrom(position, overlap) }],
          {
            onevent: (nostr) => {
              void (async () => {
                let imported = 0;
                let invalid = 0;
                try {
                  const { id, event } = fromNostrEvent(nostr);
                  const { added } = await ledger.append(event);
                  // As in a pull: only an imported event moves the position, and never past now.
                  position = Math.max(
                    position,
                    Math.min(nostr.created_at, unixSeconds(options.clock ?? systemClock)),
                  );
                  await ledger.localPutMany(store, [
                    [`original:${id}`, JSON.stringify(nostr)],
                    [`pulled:${url}`, String(position)],
                  ]);
                  imported = added ? 1 : 0;
                } catch {
                  invalid = 1;
                }
                options.onImport?.({ relay: url, imported, invalid });
              })();
            },
            onclose: () => resolve(),
          },
        );
        relay.onclose = () => resolve();
        options.signal.addEventListener('abort', stop, { once: true });
      });
    } catch (error) {
      options.onError?.(error);
    }
    if (options.signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, backoff);
      options.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    backoff = Math.min(backoff * 2, options.maxBackoffMs ?? 60_000);
  }
}
