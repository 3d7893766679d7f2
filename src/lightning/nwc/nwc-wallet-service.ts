import type { Event as NostrEvent } from 'nostr-tools';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import {
  AgoraError,
  type Clock,
  ErrorCode,
  isLowerHex,
  type JsonObject,
  systemClock,
  unixSeconds,
} from '../../core/index.js';
import type { InvoiceStatus, InvoiceSubscription, LightningBackend } from '../backend.js';
import { decodeInvoice } from '../bolt11.js';
import { checkHash32 } from '../hashes.js';
import {
  NIP47_METHODS,
  NIP47_NOTIFICATIONS,
  type Nip47ErrorBody,
  type Nip47Method,
  type Nip47NotificationType,
  type Nip47Transaction,
  NWC_KIND,
  type NwcEncryption,
  networkToNip47,
  parseRequest,
  transactionOf,
} from './nip47.js';
import { nip47ErrorOf } from './nip47-errors.js';
import { NwcCipher, signNostrEvent } from './nwc-crypto.js';
import { formatNwcUri } from './nwc-uri.js';
import { RelaySet, type RelaySubscription } from './relay-set.js';

/** How an {@link NwcWalletService} runs: its relays, the backend it fronts, its clock and limits. */
export interface NwcWalletServiceOptions {
  /** Relays to listen on (and to name in connection URIs). */
  relays: readonly string[];
  /** The node whose funds the connections use. */
  backend: LightningBackend;
  /** The service's Nostr secret key; default: a fresh one. */
  secret?: Uint8Array;
  /** Methods offered; default: every method of {@link NIP47_METHODS}. */
  methods?: readonly Nip47Method[];
  /** Encryptions offered, in preference order; default NIP-44 v2 then NIP-04. */
  encryptions?: readonly NwcEncryption[];
  /** Send notifications (payment_received, payment_sent, hold_invoice_accepted); default true. */
  notifications?: boolean;
  /** The backend's time (invoice expiry in reported states); default the system clock. */
  clock?: Clock;
  /** Requests older than this are dropped as replays (default 600 s). */
  maxRequestAgeSeconds?: number;
  connectTimeoutMs?: number;
}

/** What the service remembers of a payment it made, for `lookup_invoice` on outgoing payments. */
interface Outgoing {
  readonly invoice: string;
  readonly paymentHash: string;
  readonly amountMsat: number;
  readonly feeMsat: number;
  readonly preimage: string;
  readonly settledAt: number;
}

/** Outgoing payments remembered for `lookup_invoice`. */
const MAX_OUTGOING = 10_000;

function badRequest(why: string): never {
  throw new AgoraError(ErrorCode.InvalidArgument, `bad NIP-47 request: ${why}`);
}

function param(params: JsonObject, key: string, type: 'string' | 'count', required: true): string | number;
function param(
  params: JsonObject,
  key: string,
  type: 'string' | 'count',
  required?: false,
): string | number | undefined;
function param(params: JsonObject, key: string, type: 'string' | 'count', required = false) {
  const value = params[key];
  if (value === undefined || value === null) {
    if (required) badRequest(`${key} is required`);
    return undefined;
  }
  if (type === 'string' && typeof value !== 'string') badRequest(`${key} must be a string`);
  if (type === 'count' && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0))
    badRequest(`${key} must be a whole number`);
  return value;
}

/**
 * A NIP-47 wallet service in front of any {@link LightningBackend} (a sim node, an LDK node, LND): agents built on
 * NWC clients (Alby's `NWCClient`, {@link NwcBackend}) use that node's funds through it. Alby's own
 * `NWCWalletService` has no hold-invoice methods nor notifications, so this one is written on nostr-tools.
 *
 * Only connections made with {@link connect} are served (others get `UNAUTHORIZED`); a request is acted on once
 * (replays of its event are dropped), and not at all when past its `expiration` tag or older than
 * `maxRequestAgeSeconds`. One service key serves every connection.
 */
export class NwcWalletService {
  readonly walletPubkey: string;
  readonly methods: readonly Nip47Method[];
  readonly encryptions: readonly NwcEncryption[];
  private readonly secret: Uint8Array;
  private readonly backend: LightningBackend;
  private readonly relayUrls: readonly string[];
  private readonly clock: Clock;
  private readonly notify: boolean;
  private readonly maxAge: number;
  private readonly clients = new Map<string, NwcCipher>();
  /** The encryption each client last used: its notifications go out in that one only. */
  private readonly clientEncryption = new Map<string, NwcEncryption>();
  private readonly seen = new Map<string, number>();
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly watches = new Set<InvoiceSubscription>();
  private relays: RelaySet | undefined;
  private requests: RelaySubscription | undefined;
  private closed = false;

  private constructor(options: NwcWalletServiceOptions) {
    this.secret = options.secret ?? generateSecretKey();
    this.walletPubkey = getPublicKey(this.secret);
    this.backend = options.backend;
    this.relayUrls = options.relays;
    this.methods = options.methods ?? NIP47_METHODS;
    this.encryptions = options.encryptions ?? ['nip44_v2', 'nip04'];
    this.notify = options.notifications ?? true;
    this.clock = options.clock ?? systemClock;
    this.maxAge = options.maxRequestAgeSeconds ?? 600;
  }

  /** Connects to the relays, publishes the info event and starts answering. */
  static async start(options: NwcWalletServiceOptions): Promise<NwcWalletService> {
    const service = new NwcWalletService(options);
    const relays = await RelaySet.connect(options.relays, options.connectTimeoutMs ?? 10_000);
    service.relays = relays;
    try {
      const content = [...service.methods, ...(service.notify ? ['notifications'] : [])].join(' ');
      await relays.publish(
        signNostrEvent(
          {
            kind: NWC_KIND.info,
            created_at: Math.floor(Date.now() / 1000),
            tags: [
              ['encryption', service.encryptions.join(' ')],
              ...(service.notify ? [['notifications', NIP47_NOTIFICATIONS.join(' ')]] : []),
            ],
            content,
          },
          service.secret,
        ),
      );
      service.requests = relays.subscribe(
        { kinds: [NWC_KIND.request], '#p': [service.walletPubkey] },
        (event) => void service.onRequest(event),
      );
      await service.requests.stored;
    } catch (error) {
      relays.close();
      throw error;
    }
    return service;
  }

  /**
   * Authorizes a new client and returns its connection URI, which carries the client's secret (fresh unless given):
   * hand it to the agent, keep it from anyone else.
   */
  connect(options: { secret?: Uint8Array } = {}): string {
    const secret = options.secret ?? generateSecretKey();
    const clientPubkey = getPublicKey(secret);
    this.clients.set(clientPubkey, new NwcCipher(this.secret, clientPubkey));
    return formatNwcUri({ walletPubkey: this.walletPubkey, relays: this.relayUrls, secret });
  }

  /** Stops serving a client. */
  revoke(clientPubkey: string): void {
    this.clients.delete(clientPubkey);
  }

  private now(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** True the first time a request event is seen, within its age window; false for replays and stale events. */
  private fresh(event: NostrEvent): boolean {
    const now = this.now();
    for (const [id, createdAt] of this.seen) {
      if (createdAt >= now - this.maxAge) break; // insertion order is arrival order: the rest are newer
      this.seen.delete(id);
    }
    if (this.seen.has(event.id) || event.created_at < now - this.maxAge) return false;
    const expiration = Number(event.tags.find((t) => t[0] === 'expiration')?.[1]);
    if (Number.isFinite(expiration) && expiration <= now) return false;
    this.seen.set(event.id, Math.max(event.created_at, now - this.maxAge));
    return true;
  }

  private async onRequest(event: NostrEvent): Promise<void> {
    if (this.closed || event.kind !== NWC_KIND.request) return;
    if (!event.tags.some((t) => t[0] === 'p' && t[1] === this.walletPubkey)) return;
    if (!this.fresh(event)) return;
    const encryption = (event.tags.find((t) => t[0] === 'encryption')?.[1] ?? 'nip04') as NwcEncryption;
    if (!this.encryptions.includes(encryption)) {
      // Answered in an encryption the service speaks, so that the client learns why.
      const fallback = this.encryptions[0] as NwcEncryption;
      const cipher = new NwcCipher(this.secret, event.pubkey);
      await this.respond(event, cipher, fallback, 'unknown', {
        error: { code: 'UNSUPPORTED_ENCRYPTION', message: `encryption ${encryption} is not offered` },
      });
      return;
    }
    const client = this.clients.get(event.pubkey);
    const cipher = client ?? new NwcCipher(this.secret, event.pubkey);
    let method = 'unknown';
    let answer: { result: JsonObject } | { error: Nip47ErrorBody };
    try {
      const request = parseRequest(cipher.decrypt(encryption, event.content));
      method = request.method;
      if (client !== undefined) this.clientEncryption.set(event.pubkey, encryption);
      if (client === undefined) {
        answer = { error: { code: 'UNAUTHORIZED', message: 'no wallet is connected for this key' } };
      } else if (!(this.methods as readonly string[]).includes(method)) {
        answer = { error: { code: 'NOT_IMPLEMENTED', message: `${method} is not offered` } };
      } else {
        answer = { result: await this.handle(method as Nip47Method, request.params, event.pubkey) };
      }
    } catch (error) {
      answer = { error: nip47ErrorOf(error) };
    }
    await this.respond(event, cipher, encryption, method, answer);
  }

  private async respond(
    request: NostrEvent,
    cipher: NwcCipher,
    encryption: NwcEncryption,
    method: string,
    answer: { result: JsonObject } | { error: Nip47ErrorBody },
  ): Promise<void> {
    if (this.closed || this.relays === undefined) return;
    const body =
      'result' in answer
        ? { result_type: method, error: null, result: answer.result }
        : { result_type: method, error: answer.error, result: null };
    const event = signNostrEvent(
      {
        kind: NWC_KIND.response,
        created_at: this.now(),
        tags: [
          ['p', request.pubkey],
          ['e', request.id],
        ],
        content: cipher.encrypt(encryption, JSON.stringify(body)),
      },
      this.secret,
    );
    await this.relays.publish(event).catch(() => {});
  }

  private async handle(method: Nip47Method, params: JsonObject, clientPubkey: string): Promise<JsonObject> {
    const backend = this.backend;
    switch (method) {
      case 'get_info': {
        const info = await backend.info();
        return {
          alias: info.alias,
          color: '#000000',
          pubkey: info.nodeKey,
          network: networkToNip47(info.network),
          block_height: info.blockHeight,
          block_hash: '',
          methods: [...this.methods],
          notifications: this.notify ? [...NIP47_NOTIFICATIONS] : [],
        };
      }
      case 'get_balance':
        return { balance: (await backend.balance()).spendableMsat };
      case 'make_invoice': {
        const description = param(params, 'description', 'string') as string | undefined;
        const descriptionHash = param(params, 'description_hash', 'string') as string | undefined;
        const expirySeconds = param(params, 'expiry', 'count') as number | undefined;
        const created = await backend.createInvoice({
          amountMsat: param(params, 'amount', 'count', true) as number,
          ...(description === undefined ? {} : { description }),
          ...(descriptionHash === undefined ? {} : { descriptionHash }),
          ...(expirySeconds === undefined ? {} : { expirySeconds }),
        });
        return this.incoming(created.paymentHash, clientPubkey, { description, descriptionHash });
      }
      case 'make_hold_invoice': {
        const description = param(params, 'description', 'string') as string | undefined;
        const expirySeconds = param(params, 'expiry', 'count') as number | undefined;
        const created = await backend.createHoldInvoice({
          paymentHash: checkHash32(param(params, 'payment_hash', 'string', true), 'payment_hash'),
          amountMsat: param(params, 'amount', 'count', true) as number,
          cltvExpiry: (param(params, 'min_cltv_expiry_delta', 'count') as number | undefined) ?? 144,
          ...(description === undefined ? {} : { description }),
          ...(expirySeconds === undefined ? {} : { expirySeconds }),
        });
        return this.incoming(created.paymentHash, clientPubkey, { description });
      }
      case 'settle_hold_invoice':
        await backend.settleHoldInvoice(checkHash32(param(params, 'preimage', 'string', true), 'preimage'));
        return {};
      case 'cancel_hold_invoice':
        await backend.cancelInvoice(
          checkHash32(param(params, 'payment_hash', 'string', true), 'payment_hash'),
        );
        return {};
      case 'lookup_invoice': {
        const invoice = param(params, 'invoice', 'string') as string | undefined;
        const hash = param(params, 'payment_hash', 'string') as string | undefined;
        const paymentHash = hash ?? (invoice === undefined ? undefined : decodeInvoice(invoice).paymentHash);
        if (paymentHash === undefined || !isLowerHex(paymentHash, 32))
          badRequest('payment_hash or invoice is required');
        const sent = this.outgoing.get(paymentHash);
        if (sent !== undefined) return outgoingTransaction(sent) as unknown as JsonObject;
        return transactionOf(await backend.lookupInvoice(paymentHash), {
          now: unixSeconds(this.clock),
        }) as unknown as JsonObject;
      }
      case 'pay_invoice': {
        const invoice = param(params, 'invoice', 'string', true) as string;
        const paid = await backend.payInvoice(invoice);
        const sent: Outgoing = {
          invoice,
          paymentHash: paid.paymentHash,
          amountMsat: paid.amountMsat,
          feeMsat: paid.feeMsat,
          preimage: paid.preimage,
          settledAt: unixSeconds(this.clock),
        };
        this.outgoing.set(paid.paymentHash, sent);
        // Kept for lookups, the most recent ones only.
        if (this.outgoing.size > MAX_OUTGOING)
          this.outgoing.delete(this.outgoing.keys().next().value as string);
        void this.notifyClient(clientPubkey, 'payment_sent', outgoingTransaction(sent));
        return { preimage: paid.preimage, fees_paid: paid.feeMsat };
      }
    }
  }

  /** The transaction of an invoice just made; its creator is notified as it is paid (or held). */
  private async incoming(
    paymentHash: string,
    clientPubkey: string,
    extra: { description?: string | undefined; descriptionHash?: string | undefined },
  ): Promise<JsonObject> {
    const now = unixSeconds(this.clock);
    const status = await this.backend.lookupInvoice(paymentHash);
    if (this.notify) this.watch(paymentHash, clientPubkey, now);
    return {
      ...transactionOf(status, { now, createdAt: now }),
      ...(extra.description === undefined ? {} : { description: extra.description }),
      ...(extra.descriptionHash === undefined ? {} : { description_hash: extra.descriptionHash }),
    } as unknown as JsonObject;
  }

  private watch(paymentHash: string, clientPubkey: string, createdAt: number): void {
    const subscription = this.backend.subscribeInvoice(paymentHash);
    this.watches.add(subscription);
    void (async () => {
      try {
        for await (const status of subscription) {
          const type: Nip47NotificationType | undefined =
            status.state === 'ACCEPTED'
              ? 'hold_invoice_accepted'
              : status.state === 'SETTLED'
                ? 'payment_received'
                : undefined;
          if (type !== undefined)
            await this.notifyClient(clientPubkey, type, this.transaction(status, createdAt));
        }
      } catch {
        // The backend went away: notifications are hints, lookups still answer.
      } finally {
        this.watches.delete(subscription);
      }
    })();
  }

  private transaction(status: InvoiceStatus, createdAt: number): Nip47Transaction {
    return transactionOf(status, { now: unixSeconds(this.clock), createdAt });
  }

  /**
   * Sends a notification in the encryption the client last used, or in every one offered before it asked anything
   * (NIP-44 as kind 23197, NIP-04 as 23196): each is one more signed event on the relay.
   */
  private async notifyClient(
    clientPubkey: string,
    type: Nip47NotificationType,
    transaction: Nip47Transaction,
  ): Promise<void> {
    const cipher = this.clients.get(clientPubkey);
    const relays = this.relays;
    if (cipher === undefined || relays === undefined || this.closed) return;
    const body = JSON.stringify({ notification_type: type, notification: transaction });
    const used = this.clientEncryption.get(clientPubkey);
    for (const encryption of used === undefined ? this.encryptions : [used]) {
      const event = signNostrEvent(
        {
          kind: encryption === 'nip04' ? NWC_KIND.notificationNip04 : NWC_KIND.notification,
          created_at: this.now(),
          tags: [['p', clientPubkey]],
          content: cipher.encrypt(encryption, body),
        },
        this.secret,
      );
      await relays.publish(event).catch(() => {});
    }
  }

  /** Stops answering and closes the relay connections. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const watch of this.watches) void watch.return();
    this.requests?.close();
    this.relays?.close();
  }
}

function outgoingTransaction(sent: Outgoing): Nip47Transaction {
  return {
    type: 'outgoing',
    state: 'settled',
    invoice: sent.invoice,
    payment_hash: sent.paymentHash,
    preimage: sent.preimage,
    amount: sent.amountMsat,
    fees_paid: sent.feeMsat,
    settled_at: sent.settledAt,
  };
}
