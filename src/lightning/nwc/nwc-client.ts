import type { Event as NostrEvent } from 'nostr-tools';
import { getPublicKey } from 'nostr-tools/pure';
import { AgoraError, ErrorCode, type JsonObject } from '../../core/index.js';
import {
  capabilitiesOf,
  chooseEncryption,
  type Nip47Method,
  type Nip47Transaction,
  NWC_KIND,
  type NwcEncryption,
  parseNotification,
  parseResponse,
  type WalletCapabilities,
} from './nip47.js';
import { errorFromNip47 } from './nip47-errors.js';
import { NwcCipher, signNostrEvent } from './nwc-crypto.js';
import { type NwcConnection, parseNwcUri } from './nwc-uri.js';
import { RelaySet, type RelaySubscription } from './relay-set.js';

/** How an {@link NwcClient} waits. */
export interface NwcClientOptions {
  /** Longest wait for a reply (default 30 s); `pay_invoice` waits for its payment unless told otherwise. */
  requestTimeoutMs?: number;
  /** Longest wait to reach the relays and read the wallet's info event (default 10 s). */
  connectTimeoutMs?: number;
}

/** A wallet notification: `payment_received`, `payment_sent`, `hold_invoice_accepted`... */
export interface NwcNotification {
  readonly type: string;
  readonly transaction: Nip47Transaction;
}

interface Pending {
  readonly method: string;
  readonly encryption: NwcEncryption;
  readonly resolve: (result: JsonObject) => void;
  readonly reject: (error: unknown) => void;
  timer?: ReturnType<typeof setTimeout>;
}

interface Session {
  readonly relays: RelaySet;
  readonly capabilities: WalletCapabilities;
  readonly encryption: NwcEncryption;
  readonly responses: RelaySubscription;
}

const unixNow = () => Math.floor(Date.now() / 1000);

/**
 * The client side of one NIP-47 connection: signs and encrypts requests with the connection's secret, matches each
 * response to its request (signed by the wallet, tagged with the request's id), times out, and delivers
 * notifications. It reads the wallet's info event first: the encryption it offers (NIP-44, else NIP-04) and its
 * methods, so that a missing method fails at once with `METHOD_UNSUPPORTED`.
 */
export class NwcClient {
  readonly connection: NwcConnection;
  /** The client's public key, derived from the connection secret: the wallet knows the client by it. */
  readonly clientPubkey: string;
  private readonly cipher: NwcCipher;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(notification: NwcNotification) => void>();
  private readonly seenNotifications = new Set<string>();
  private notifications: RelaySubscription | undefined;
  private session: Promise<Session> | undefined;
  private closed = false;

  constructor(connection: NwcConnection | string, options: NwcClientOptions = {}) {
    this.connection = typeof connection === 'string' ? parseNwcUri(connection) : connection;
    this.clientPubkey = getPublicKey(this.connection.secret);
    this.cipher = new NwcCipher(this.connection.secret, this.connection.walletPubkey);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  /** What the wallet's info event advertises (methods, notifications, encryptions). */
  async capabilities(): Promise<WalletCapabilities> {
    return (await this.start()).capabilities;
  }

  /** The encryption requests use: NIP-44 when the wallet offers it, else NIP-04. */
  async encryption(): Promise<NwcEncryption> {
    return (await this.start()).encryption;
  }

  private start(): Promise<Session> {
    if (this.closed) return Promise.reject(this.closedError());
    this.session ??= this.open().catch((error: unknown) => {
      this.session = undefined; // the next call tries again
      throw error;
    });
    return this.session;
  }

  private async open(): Promise<Session> {
    const { walletPubkey } = this.connection;
    const relays = await RelaySet.connect(this.connection.relays, this.connectTimeoutMs);
    try {
      const infos = (await relays.query({ kinds: [NWC_KIND.info], authors: [walletPubkey] })).filter(
        (event) => event.pubkey === walletPubkey,
      );
      const info = infos.sort((a, b) => b.created_at - a.created_at)[0];
      if (info === undefined) {
        throw new AgoraError(
          ErrorCode.BackendUnreachable,
          `the NWC wallet ${walletPubkey.slice(0, 12)}… published no info event (kind ${NWC_KIND.info}) on ${this.connection.relays.join(', ')}`,
        );
      }
      const capabilities = capabilitiesOf(info.content, info.tags);
      const encryption = chooseEncryption(capabilities);
      // The response subscription is open (the relays said so with EOSE) before any request goes out: responses
      // are ephemeral events, a relay forwards them to the subscriptions open at that moment and keeps none.
      const responses = relays.subscribe(
        { kinds: [NWC_KIND.response], authors: [walletPubkey], '#p': [this.clientPubkey] },
        (event) => this.onResponse(event),
      );
      await responses.stored;
      if (this.closed) throw this.closedError();
      return { relays, capabilities, encryption, responses };
    } catch (error) {
      relays.close();
      throw error;
    }
  }

  private closedError(): AgoraError {
    return new AgoraError(ErrorCode.BackendUnreachable, 'the NWC connection is closed');
  }

  private onResponse(event: NostrEvent): void {
    // A relay may ignore the filter: only the wallet's own signed answers count (nostr-tools checked the signature).
    if (event.pubkey !== this.connection.walletPubkey || event.kind !== NWC_KIND.response) return;
    const requestId = event.tags.find((t) => t[0] === 'e')?.[1];
    const pending = requestId === undefined ? undefined : this.pending.get(requestId);
    if (pending === undefined || requestId === undefined) return;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    try {
      const response = parseResponse(this.cipher.decrypt(pending.encryption, event.content));
      if (response.resultType !== pending.method) {
        throw new AgoraError(
          ErrorCode.InvalidJson,
          `the NWC wallet answered ${response.resultType} to a ${pending.method} request`,
        );
      }
      if (response.error !== undefined) pending.reject(errorFromNip47(pending.method, response.error));
      else pending.resolve(response.result as JsonObject);
    } catch (error) {
      pending.reject(error);
    }
  }

  /**
   * Sends one request and waits for its result. `METHOD_UNSUPPORTED` if the wallet does not advertise `method`;
   * the wallet's NIP-47 errors as typed errors; `BACKEND_UNREACHABLE` without a reply within `timeoutMs` (default
   * the client's; `null`: wait as long as it takes). A request carries an `expiration` tag when it times out, so that
   * a wallet reached late drops it rather than acting on it after the client gave up.
   */
  async request(method: Nip47Method, params: JsonObject, options: { timeoutMs?: number | null } = {}) {
    const session = await this.start();
    if (!session.capabilities.methods.has(method)) {
      throw new AgoraError(
        ErrorCode.MethodUnsupported,
        `the NWC wallet does not offer ${method} (it offers: ${[...session.capabilities.methods].join(' ') || 'nothing'})`,
        { details: { method } },
      );
    }
    const timeoutMs = options.timeoutMs === undefined ? this.requestTimeoutMs : options.timeoutMs;
    const createdAt = unixNow();
    const tags = [
      ['p', this.connection.walletPubkey],
      ['encryption', session.encryption],
    ];
    if (timeoutMs !== null) tags.push(['expiration', String(createdAt + Math.ceil(timeoutMs / 1000))]);
    const event = signNostrEvent(
      {
        kind: NWC_KIND.request,
        created_at: createdAt,
        tags,
        content: this.cipher.encrypt(session.encryption, JSON.stringify({ method, params })),
      },
      this.connection.secret,
    );
    const result = new Promise<JsonObject>((resolve, reject) => {
      const pending: Pending = { method, encryption: session.encryption, resolve, reject };
      if (timeoutMs !== null) {
        pending.timer = setTimeout(() => {
          this.pending.delete(event.id);
          reject(
            new AgoraError(
              ErrorCode.BackendUnreachable,
              `NWC ${method}: no reply from the wallet within ${timeoutMs} ms`,
              { details: { method } },
            ),
          );
        }, timeoutMs);
      }
      // Registered before publishing: the answer may arrive before the relay's OK.
      this.pending.set(event.id, pending);
    });
    try {
      await session.relays.publish(event);
    } catch (error) {
      const pending = this.pending.get(event.id);
      this.pending.delete(event.id);
      clearTimeout(pending?.timer);
      throw error;
    }
    return result;
  }

  /**
   * Calls `listener` for each wallet notification (when the wallet advertises notifications); returns the
   * unsubscribe function. Notifications are a hint: they are not stored by relays and may be missed.
   */
  async onNotification(listener: (notification: NwcNotification) => void): Promise<() => void> {
    const session = await this.start();
    this.listeners.add(listener);
    if (this.notifications === undefined && session.capabilities.methods.has('notifications')) {
      const kind = session.encryption === 'nip04' ? NWC_KIND.notificationNip04 : NWC_KIND.notification;
      this.notifications = session.relays.subscribe(
        { kinds: [kind], authors: [this.connection.walletPubkey], '#p': [this.clientPubkey] },
        (event) => this.onNotificationEvent(event, session.encryption),
      );
      await this.notifications.stored;
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  private onNotificationEvent(event: NostrEvent, encryption: NwcEncryption): void {
    if (event.pubkey !== this.connection.walletPubkey || this.seenNotifications.has(event.id)) return;
    this.seenNotifications.add(event.id);
    if (this.seenNotifications.size > 10_000) this.seenNotifications.clear();
    let notification: NwcNotification;
    try {
      notification = parseNotification(this.cipher.decrypt(encryption, event.content));
    } catch {
      return; // a notification is a hint; a malformed one is dropped
    }
    for (const listener of this.listeners) listener(notification);
  }

  /** Fails the requests still waiting and closes the relay connections. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(this.closedError());
      this.pending.delete(id);
    }
    this.listeners.clear();
    const session = this.session;
    this.session = undefined;
    void session?.then(
      (s) => {
        s.responses.close();
        this.notifications?.close();
        s.relays.close();
      },
      () => {},
    );
  }
}
