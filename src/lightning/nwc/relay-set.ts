import type { Event as NostrEvent } from 'nostr-tools';
import type { Filter } from 'nostr-tools/filter';
import type { AbstractRelay } from 'nostr-tools/relay';
import { AgoraError, ErrorCode } from '../../core/index.js';
import { verifyNostrEvent } from './nwc-crypto.js';

/** Waits between reconnection attempts (nostr-tools' default starts at 10 s, long for a payment in flight). */
const RECONNECT_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];

/** One live subscription over every relay of a {@link RelaySet}. */
export interface RelaySubscription {
  /** Resolves once every connected relay has sent its stored events (EOSE), or after the timeout. */
  readonly stored: Promise<void>;
  close(): void;
}

/**
 * The relays of one NWC connection: every relay is subscribed and published to, events are signature-checked
 * (nostr-tools drops the others), and a dropped connection is reopened and its subscriptions renewed.
 */
export class RelaySet {
  private constructor(
    private readonly relays: readonly AbstractRelay[],
    private readonly timeoutMs: number,
  ) {}

  /** Connects to every reachable relay; `BACKEND_UNREACHABLE` if none answers within `timeoutMs`. */
  static async connect(urls: readonly string[], timeoutMs: number): Promise<RelaySet> {
    // Loaded on the first connection, not with `agora402/lightning`: most users of the subpath never speak NWC.
    const [{ AbstractRelay }, { default: WebSocket }] = await Promise.all([
      import('nostr-tools/relay'),
      import('ws'),
    ]);
    const relays = urls.map(
      (url) =>
        new AbstractRelay(url, {
          verifyEvent: verifyNostrEvent,
          websocketImplementation: WebSocket as never,
          enableReconnect: true,
          enablePing: true,
        }),
    );
    for (const relay of relays) relay.resubscribeBackoff = RECONNECT_BACKOFF_MS;
    const results = await Promise.allSettled(relays.map((relay) => relay.connect({ timeout: timeoutMs })));
    const connected = relays.filter((_, i) => results[i]?.status === 'fulfilled');
    for (const relay of relays) if (!connected.includes(relay)) relay.close();
    if (connected.length === 0) {
      throw new AgoraError(ErrorCode.BackendUnreachable, `cannot reach the NWC relay(s) ${urls.join(', ')}`);
    }
    return new RelaySet(connected, timeoutMs);
  }

  /** Delivers matching events (each relay's copy: callers deduplicate by id). */
  subscribe(filter: Filter, onevent: (event: NostrEvent) => void): RelaySubscription {
    let pending = this.relays.length;
    let resolveStored = () => {};
    const stored = new Promise<void>((resolve) => {
      resolveStored = resolve;
    });
    const timer = setTimeout(resolveStored, this.timeoutMs);
    const subscriptions = this.relays.map((relay) =>
      relay.subscribe([filter], {
        onevent,
        oneose: () => {
          pending--;
          if (pending === 0) {
            clearTimeout(timer);
            resolveStored();
          }
        },
      }),
    );
    return {
      stored,
      close: () => {
        clearTimeout(timer);
        resolveStored();
        for (const subscription of subscriptions) subscription.close();
      },
    };
  }

  /** The stored events matching `filter`, from every relay, until each has sent them all. */
  async query(filter: Filter): Promise<NostrEvent[]> {
    const events: NostrEvent[] = [];
    const subscription = this.subscribe(filter, (event) => events.push(event));
    await subscription.stored;
    subscription.close();
    return events;
  }

  /** Resolves when at least one relay accepted the event; `BACKEND_UNREACHABLE` if none did. */
  async publish(event: NostrEvent): Promise<void> {
    try {
      await Promise.any(this.relays.map((relay) => relay.publish(event)));
    } catch (cause) {
      throw new AgoraError(ErrorCode.BackendUnreachable, 'no NWC relay accepted the event', { cause });
    }
  }

  close(): void {
    for (const relay of this.relays) relay.close();
  }
}
