import {
  AgoraError,
  type Clock,
  ErrorCode,
  fromBase64Url,
  fromUtf8,
  parseJson,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import { decodeInvoice, defaultMaxFeeMsat, type LightningBackend } from '../lightning/index.js';
import { type VerifiedReceipt, verifyReceipt } from '../receipts/index.js';
import { parseCaveat } from './caveats.js';
import {
  CREDENTIAL_CAVEAT,
  CREDENTIAL_EPOCH_SECONDS,
  CREDENTIAL_EPOCH_SKEW_SECONDS,
  type CredentialHolder,
  checkCredentialEpoch,
  credentialEpoch,
  DEFAULT_CREDENTIAL_ANONYMITY,
  formatCredentialHeader,
  levelOf,
  parseCredentialCaveat,
  parseCredentialHeader,
  proveCredential,
} from './credential.js';
import { type CredentialHistory, originScope } from './credential-history.js';
import { formatAuthorization, NODE_INVOICE_HEADER, parseChallenge } from './headers.js';
import { decodeIdentifier } from './identifier.js';
import { decodeMacaroon } from './macaroon.js';
import { formatPayerHeader, type PayerProofTarget } from './payer-proof.js';

/** A total spending limit shared by every request that uses it. */
export class Budget {
  private spent = 0;
  private reserved = 0;

  constructor(readonly limitMsat: number) {}

  get spentMsat(): number {
    return this.spent;
  }

  get remainingMsat(): number {
    return this.limitMsat - this.spent - this.reserved;
  }

  /** Sets aside `msat` for a payment under way; `BUDGET_EXCEEDED` if it does not fit. */
  reserve(msat: number): void {
    if (msat > this.remainingMsat) {
      throw new AgoraError(
        ErrorCode.BudgetExceeded,
        `paying ${msat} msat would exceed the budget (${this.remainingMsat} msat left)`,
      );
    }
    this.reserved += msat;
  }

  /** Ends a reservation: `spentMsat` of it was really spent (0 if the payment failed). */
  settle(reservedMsat: number, spentMsat: number): void {
    this.reserved -= reservedMsat;
    this.spent += spentMsat;
  }
}

/**
 * A paid token: the macaroon and the preimage that proves its payment, with what a payer proof signs about it
 * (a {@link PayerProofTarget}: its whole identifier, the provider's node key, the service).
 */
export interface PaidToken extends PayerProofTarget {
  readonly macaroon: string;
  readonly preimage: string;
  readonly tokenId: Uint8Array;
  readonly paymentHash: string;
  /** The `Agora-Credential` proved for this token, when its provider asked for one: sent with every use. */
  readonly credential?: string;
  /** The credential epoch that credential serves: the token is not shown once the payer's clock has left it. */
  readonly credentialEpoch?: number;
}

/**
 * A payment in flight or done, shared by the requests that need the same payment hash paid: with the invoice it
 * paid (the first request's), which may name another payee than a later request's invoice of the same hash.
 */
export type Payment = Promise<{ preimage: string; feeMsat: number; invoice: string }>;

/**
 * Tokens per origin and service, which service each path turned out to be, and the payments under way and received
 * receipts of the requests sharing it. All client state lives here, none in the module: callers that share nothing
 * share no state, and it goes away with the cache.
 */
export class TokenCache {
  private readonly tokens = new Map<string, PaidToken>();
  private readonly services = new Map<string, string>();
  /** Payments under way, by backend and payment hash: concurrent requests for one invoice pay it once. */
  private readonly inFlight = new WeakMap<LightningBackend, Map<string, Payment>>();
  /** Payments whose receipt arrived (the provider then stops sending it), as many as tokens held. */
  private readonly receipted = new Set<string>();
  /** The credential history the calls using this cache are given (`null`: none), fixed by the first (see {@link serve}). */
  private history: CredentialHistory | null | undefined;

  /**
   * Pays `invoice` once however many requests ask at the same time, by payment hash: one preimage settles every
   * invoice of that hash, so a second invoice of it (another payee's) is never paid beside the first. What was paid
   * is the payment's `invoice`: a caller crediting the payee (the client counting a node as paid) checks it is its own.
   */
  pay(lightning: LightningBackend, invoice: string, paymentHash: string, maxFeeMsat: number): Payment {
    const pending = this.inFlight.get(lightning) ?? new Map<string, Payment>();
    this.inFlight.set(lightning, pending);
    const existing = pending.get(paymentHash);
    if (existing !== undefined) return existing;
    const payment = lightning
      .payInvoice(invoice, { maxFeeMsat })
      .then(({ preimage, feeMsat }) => ({ preimage, feeMsat, invoice }))
      .finally(() => pending.delete(paymentHash));
    pending.set(paymentHash, payment);
    return payment;
  }

  hasReceipt(paymentHash: string): boolean {
    return this.receipted.has(paymentHash);
  }

  markReceipt(paymentHash: string): void {
    this.receipted.add(paymentHash);
  }

  tokenFor(origin: string, service: string): PaidToken | undefined {
    return this.tokens.get(`${origin} ${service}`);
  }

  serviceOf(origin: string, path: string): string | undefined {
    return this.services.get(`${origin} ${path}`);
  }

  /** Keeps `token` for `origin` and `path`. */
  store(origin: string, path: string, token: PaidToken): void {
    this.tokens.set(`${origin} ${token.service}`, token);
    this.services.set(`${origin} ${path}`, token.service);
  }

  /**
   * Fixes the credential history every call using this cache is given: `history` (or none) on the first call, and
   * refuses another after that (`INVALID_ARGUMENT`, before anything is sent). A held token links every request sending
   * it, and the requests of one call link every token it sends: a cache shared by calls given different histories, or
   * a history and none, would send requests the operator links to the payer's proofs that its history never recorded
   * (the shared-cache, shared-purchase, refusal-rebuy and token-swap bridges). {@link l402Fetch} calls it; an agent
   * may call it when making the cache. Compared by object, and never undone: the agent opens its history once and
   * gives every fetch sharing the cache that object, or gives the others a `TokenCache` of their own (the refusal
   * says which).
   */
  serve(history: CredentialHistory | undefined): void {
    const given = history ?? null;
    if (this.history === undefined) this.history = given;
    else if (this.history !== given)
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        this.history === null
          ? 'this token cache serves fetches given no credential history: a fetch given one needs a TokenCache of its own, whose tokens it has seen every use of'
          : history === undefined
            ? 'this token cache serves a credential history: every fetch using it must be given that history (a token sent without it would link requests the history never recorded), or use a TokenCache of its own'
            : 'this token cache serves another credential history: give every fetch using it the same CredentialHistory object it was first given (one per agent, opened once, not another opened on the same store), or use a TokenCache of its own',
      );
  }

  forget(origin: string, token: PaidToken): void {
    if (this.tokens.get(`${origin} ${token.service}`) === token) {
      this.tokens.delete(`${origin} ${token.service}`);
      this.receipted.delete(token.paymentHash);
    }
  }
}

/** How {@link l402Fetch} pays: the node it pays with, its price limits, the token cache and what it does with receipts. */
export interface L402FetchOptions {
  lightning: LightningBackend;
  /** Most one request may cost, msat. */
  maxPriceMsat: number;
  /** Most routing fees one payment may cost (default {@link defaultMaxFeeMsat}); reserved in the budget and passed to the backend. */
  maxFeeMsat?: number;
  /** Shared spending limit over many requests. */
  budget?: Budget;
  /**
   * Shared token cache; requests that share it never pay twice for a valid token. It serves one credential `history`
   * or none, that of the first fetch using it ({@link TokenCache.serve}).
   */
  tokens?: TokenCache;
  /**
   * The payer's agent key: sent as `Agora-Payer`, so providers can bind tokens and check reputation. With a
   * `credential`, never on a first (unpaid) request nor with a token that carries a credential: a provider gating
   * anonymously learns no agent id. Never to a provider the `history` says was shown a pseudonym.
   */
  identity?: AgentKey;
  /**
   * Proves an anonymous reputation credential when a challenge asks for one (`agora_anon_reputation`): proved before
   * paying (a payer below the threshold pays nothing) and sent as `Agora-Credential` with the token.
   */
  credential?: CredentialHolder;
  /**
   * The agent's credential history (default the `credential` holder's, and with a `credential`, that one only:
   * another is refused `INVALID_ARGUMENT`): which providers, by node key and origin,
   * were given the agent id and which a pseudonym. A provider given one is never given the other (`WOULD_LINK`
   * before proving; no `Agora-Payer` after a pseudonym). An agent that ever pays anonymously passes it to every
   * fetch, whether it sends its `identity` or not, so that no call forgets: a request of a fetch given none is a visit
   * the history never sees; a token cache serves one history or none ({@link TokenCache.serve}: another is refused
   * `INVALID_ARGUMENT`). Given (with a credential or not), every 402 naming a node key and every request
   * sending a held token is recorded in it as a visit of that node and the origin, and every other request as a visit
   * of the origin alone: at the credential's `minAnonymity` (else `DEFAULT_CREDENTIAL_ANONYMITY`), and with none when
   * no credential is given (what its component left is carried whatever its number, the strict side for a holder of
   * any `minAnonymity`).
   */
  history?: CredentialHistory;
  /** What says the time: a credential challenge's epoch is checked against it (default the system clock). */
  clock?: Clock;
  /** Per attempt; default 30 s. Combined with `init.signal`, which aborts every attempt too. */
  timeoutMs?: number;
  /** Attempts after a network failure or timeout, reusing the paid token (default 2). */
  retries?: number;
  /**
   * Called with every verified receipt (to append it to a ledger, to rate it...); may be async (awaited before
   * `l402Fetch` returns). What it returns is otherwise ignored, so `(r, event) => ledger.append(event)` fits.
   */
  onReceipt?: (receipt: VerifiedReceipt, event: LedgerEvent) => unknown;
  fetch?: typeof fetch;
}

type RequestBody = NonNullable<RequestInit['body']>;

function serviceOfToken(macaroon: ReturnType<typeof decodeMacaroon>): string {
  for (const text of macaroon.caveats) {
    try {
      const { condition, value } = parseCaveat(text);
      if (condition === 'services') return value.split(',')[0]?.split(':')[0] ?? '';
    } catch {
      // a caveat this client does not read
    }
  }
  return '';
}

function signalFor(caller: AbortSignal | null | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return caller ? AbortSignal.any([caller, timeout]) : timeout;
}

async function bodyOf(init: RequestInit): Promise<RequestBody | undefined> {
  const body = init.body;
  if (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer
  ) {
    return body ?? undefined;
  }
  // Retries resend the body, so a stream is read once into bytes.
  return new Uint8Array(await new Response(body as RequestBody).arrayBuffer());
}

/** A 402's challenge, read: the token text, its macaroon and the service it is for. */
interface ReadChallenge {
  readonly invoice: string;
  readonly macaroonText: string;
  readonly macaroon: ReturnType<typeof decodeMacaroon>;
  readonly service: string;
}

/**
 * Reads a 402's challenge. With a credential history (`history`), a challenge whose invoice names a node key is first
 * recorded as the visit of that node and `origin` the operator sees ({@link recordVisit}), whatever follows: paid or
 * refused, asking a credential or not, its token readable or not.
 */
async function readChallenge(
  origin: string,
  response: Response,
  options: L402FetchOptions,
  history: CredentialHistory | undefined,
): Promise<ReadChallenge> {
  const header = response.headers.get('www-authenticate');
  if (header === null)
    throw new AgoraError(ErrorCode.InvalidToken, `${origin} answered 402 without an L402 challenge`);
  const challenge = parseChallenge(header);
  const macaroonText = challenge.tokens[0] as string;
  let macaroon: ReturnType<typeof decodeMacaroon> | undefined;
  let unreadable: unknown;
  try {
    macaroon = decodeMacaroon(macaroonText);
  } catch (error) {
    unreadable = error;
  }
  // An invoice the client cannot read names no node key: an origin's request, as one answered without a challenge.
  const payee = payeeOf(challenge.invoice);
  if (payee !== undefined)
    await recordVisit(
      history,
      payee,
      visitEpoch(macaroon, unixSeconds(options.clock ?? systemClock)),
      origin,
      options,
    );
  if (macaroon === undefined) throw unreadable;
  return { invoice: challenge.invoice, macaroonText, macaroon, service: serviceOfToken(macaroon) };
}

/** The node key an invoice names (its payee); undefined for one the client cannot read. */
function payeeOf(invoice: string): string | undefined {
  try {
    return decodeInvoice(invoice).payee;
  } catch {
    return undefined;
  }
}

/**
 * The epoch a visit is recorded at: the one a credential challenge asks, when the payer would prove it (within the
 * tolerated skew), so that the visit and the reservation that follows it count one label (the provider picks it at an
 * edge, as for a reservation); otherwise the payer's own (no credential asked, a label refused, a caveat or token the
 * client cannot read), as `claimEpoch` records the label it refuses at the payer's own.
 */
function visitEpoch(macaroon: ReturnType<typeof decodeMacaroon> | undefined, now: number): number {
  const text = macaroon?.caveats.find((caveat) => caveat.startsWith(`${CREDENTIAL_CAVEAT}=`));
  if (text !== undefined)
    try {
      const { epoch } = parseCredentialCaveat(text.slice(CREDENTIAL_CAVEAT.length + 1));
      checkCredentialEpoch(epoch, now);
      return epoch;
    } catch {
      // refused later: recorded at the payer's own epoch
    }
  return credentialEpoch(now);
}

/**
 * The keys a provider is known by in the agent's credential history: its origin and, once a challenge named it,
 * its Lightning node key (the invoice's payee). An operator serving under several origins is one node key.
 */
const providerKeys = (origin: string, payee: string | undefined): string[] =>
  payee === undefined ? [`origin:${origin}`] : [`origin:${origin}`, `node:${payee}`];

/** What a credential token shown in this call proved: its pseudonym's scope (node key, service, epoch, level). */
interface ShownScope {
  readonly provider: string;
  readonly service: string;
  readonly epoch: number | undefined;
  readonly threshold: number | undefined;
}

/** The scope of the pseudonym a held credential token shows (its requirement read from its own caveat). */
function shownScopeOf(token: PaidToken): ShownScope {
  const text = decodeMacaroon(token.macaroon).caveats.find((caveat) =>
    caveat.startsWith(`${CREDENTIAL_CAVEAT}=`),
  );
  const requirement =
    text === undefined ? undefined : parseCredentialCaveat(text.slice(CREDENTIAL_CAVEAT.length + 1));
  return {
    provider: token.provider,
    service: token.service,
    epoch: token.credentialEpoch,
    threshold: requirement?.threshold,
  };
}

/**
 * The `Agora-Credential` a challenge's token asks for, proved for its provider (the invoice's payee), service,
 * epoch and identifier; undefined when it asks for none. `INVALID_TOKEN` when its epoch is not the current one,
 * `INVALID_PROOF` when it asks and the payer cannot prove it, `WOULD_LINK` when the provider was given the agent id
 * or, in this call, a pseudonym of another scope (`shown`: another epoch, node key, service or level).
 */
async function credentialFor(
  origin: string,
  challenge: ReadChallenge,
  provider: string,
  options: L402FetchOptions,
  shown: ShownScope | undefined,
): Promise<{ header: string; epoch: number } | undefined> {
  const text = challenge.macaroon.caveats.find((caveat) => caveat.startsWith(`${CREDENTIAL_CAVEAT}=`));
  if (text === undefined) return undefined;
  if (options.credential === undefined)
    throw new AgoraError(
      ErrorCode.InvalidProof,
      'the provider sells only to payers with an anonymous reputation credential: none is configured',
    );
  const history = options.history ?? options.credential.history;
  const minAnonymity = options.credential.minAnonymity ?? DEFAULT_CREDENTIAL_ANONYMITY;
  // A refusal from here on (a caveat the client cannot read, the epoch label, a second pseudonym in one call,
  // `claimEpoch`, `claimAnonymous`) leaves the visit the operator saw recorded as the challenge was read (`recordVisit`).
  const requirement = parseCredentialCaveat(text.slice(CREDENTIAL_CAVEAT.length + 1));
  // The epoch is the provider's word: one it never changed would link every purchase under one pseudonym.
  checkCredentialEpoch(requirement.epoch, unixSeconds(options.clock ?? systemClock));
  // One call shows one epoch's pseudonym: a token of the last epoch refused, then the new one proved, would be the
  // payer's two pseudonyms side by side.
  if (shown !== undefined && shown.epoch !== requirement.epoch)
    throw new AgoraError(
      ErrorCode.WouldLink,
      `${origin} refused this payer's epoch ${shown.epoch} credential and asks for epoch ${requirement.epoch}: proving it in the same call would link both pseudonyms`,
    );
  // Nor another pseudonym of the same epoch (another service, payee node key or level): shown back to back, the
  // two would hide the payer only among the members reaching the threshold in both roots, which no entry sees.
  if (
    shown !== undefined &&
    (shown.provider !== provider ||
      shown.service !== challenge.service ||
      shown.threshold !== requirement.threshold)
  )
    throw new AgoraError(
      ErrorCode.WouldLink,
      `${origin} refused this payer's credential for ${shown.service} and asks for another pseudonym (${challenge.service}): proving it in the same call would link both`,
    );
  // Per node key, never back to an earlier epoch: at an epoch's edge the provider picks the epoch per challenge. And
  // per origin, few node keys never paid: checked first, so an origin over its bound leaves nothing in the history
  // but the visit the operator sees (each scope's component renewed, its window carried on, nothing joined).
  await history.claimEpoch(provider, requirement.epoch, origin, minAnonymity);
  await history.claimAnonymous(providerKeys(origin, provider));
  const credential = await proveCredential(
    options.credential,
    requirement,
    { provider, service: challenge.service, origin },
    challenge.macaroon.identifier,
    unixSeconds(options.clock ?? systemClock),
  );
  return { header: formatCredentialHeader(credential), epoch: requirement.epoch };
}

/**
 * The `minAnonymity` a visit of this call is recorded at: the holder's (else `DEFAULT_CREDENTIAL_ANONYMITY`), none for
 * a call given the history alone. Such a call has no holder to ask, and the history may be any holder's: recorded with
 * none, a visit carries the members its component left whatever their number, what a visit of a holder of any
 * `minAnonymity` carries or fewer (the stricter side: a later proof is checked against as many members or fewer).
 * Recorded at `DEFAULT_CREDENTIAL_ANONYMITY` instead, it carried its scope's own window for a component leaving 4
 * to 7 members, which a holder of `minAnonymity` 4 had accepted, and a later proof narrowed that holder below 4 over
 * the operator's chain (review r18n).
 */
function visitAnonymity(options: L402FetchOptions): number | undefined {
  return options.credential === undefined
    ? undefined
    : (options.credential.minAnonymity ?? DEFAULT_CREDENTIAL_ANONYMITY);
}

/**
 * Records a visit of node key `node` and `origin` the operator sees, at `epoch` (`CredentialHistory.refusedVisit`:
 * each scope apart, its component linked again and carrying what it left, nothing joined, nothing written for a scope
 * with no history, at most one entry and one link pair per scope and epoch), before the client does anything with it:
 * every 402 whose invoice names a node key (`readChallenge`, at {@link visitEpoch}) and every request sending a held
 * token (`l402Fetch`, under the node the token was paid to). Whatever the challenge asks (a credential or none) and
 * however the call goes on (paid and served, refused for its price, its token, its label, `WOULD_LINK`, or no
 * credential configured), an operator links that visit by timing and address, or by the token, to the others of the
 * node and the origin: one the history never saw would let it chain visits the history breaks (the stale-label,
 * price, malformed, ungated and token-reuse bridges). A reservation that follows sees the same windows: what this
 * carries under each scope is what that scope's component already left. Nothing without a history.
 */
async function recordVisit(
  history: CredentialHistory | undefined,
  node: string,
  epoch: number,
  origin: string,
  options: L402FetchOptions,
): Promise<void> {
  await history?.refusedVisit(node, epoch, origin, visitAnonymity(options));
}

/** Pays a challenge within the price limit and the budget; the token it buys. */
async function payChallenge(
  origin: string,
  challenge: ReadChallenge,
  options: L402FetchOptions,
  tokens: TokenCache,
  shown: ShownScope | undefined,
): Promise<PaidToken> {
  const invoice = decodeInvoice(challenge.invoice);
  // Every refusal here (an identifier the client cannot read, another payment hash, the price) is of the operator's
  // choosing: the visit it saw was recorded as the challenge was read (`recordVisit`, the malformed and price bridges).
  const identifier = decodeIdentifier(challenge.macaroon.identifier);
  const price = invoice.amountMsat;
  const refusal =
    toHex(identifier.paymentHash) !== invoice.paymentHash
      ? new AgoraError(ErrorCode.InvalidToken, 'the challenge token is for another payment than its invoice')
      : price === undefined || price > options.maxPriceMsat
        ? new AgoraError(
            ErrorCode.BudgetExceeded,
            `${origin} asks ${price ?? 'an open amount of'} msat, above the limit of ${options.maxPriceMsat}`,
          )
        : undefined;
  // (An open amount is always refused: `price === undefined` says so to the compiler too.)
  if (refusal !== undefined || price === undefined) throw refusal;
  const credential = await credentialFor(origin, challenge, invoice.payee, options, shown);
  const maxFee = options.maxFeeMsat ?? defaultMaxFeeMsat(price);
  options.budget?.reserve(price + maxFee);
  let spent = 0;
  try {
    // The backend gets the fee cap reserved in the budget, so it can never spend more than was set aside.
    const paid = await tokens.pay(options.lightning, challenge.invoice, invoice.paymentHash, maxFee);
    const { preimage, feeMsat } = paid;
    spent = price + feeMsat;
    // The node's invoice is paid: it no longer counts toward the origin's unpaid node keys. A failure to record it
    // (the history's lock busy) only keeps it counted; the token is bought either way. A payment shared with another
    // request by payment hash may have paid another payee's invoice of that hash (a throwaway key's challenge beside
    // the real node's): only the payee actually paid is recorded, else each such key would escape the bound.
    if (credential !== undefined && decodeInvoice(paid.invoice).payee === invoice.payee)
      await (options.history ?? options.credential?.history)
        ?.paid(invoice.payee, origin)
        .catch(() => undefined);
    return {
      macaroon: challenge.macaroonText,
      preimage,
      identifier: challenge.macaroon.identifier,
      tokenId: identifier.tokenId,
      paymentHash: invoice.paymentHash,
      // The payee that signed the invoice paid: the provider a payer proof for this token is bound to.
      provider: invoice.payee,
      service: challenge.service,
      ...(credential === undefined
        ? {}
        : { credential: credential.header, credentialEpoch: credential.epoch }),
    };
  } finally {
    options.budget?.settle(price + maxFee, spent);
  }
}

/** A redirect, as `redirect: 'manual'` hands it back: the 3xx itself (Node) or an opaque one (browsers). */
const isRedirect = (response: Response): boolean =>
  response.type === 'opaqueredirect' || [301, 302, 303, 307, 308].includes(response.status);

/**
 * `fetch` that pays L402 challenges: on a 402 it reads the challenge (every form found in the wild), pays the
 * invoice through `lightning` if the price fits `maxPriceMsat` and the budget, keeps the token for its origin and
 * service, and repeats the request with `Authorization: L402 <token>:<preimage>`. A valid cached token is reused,
 * never paid again; a request that times out after paying is retried with the same token. Receipts in
 * `Agora-Receipt` are verified and handed to `onReceipt`. Redirects are not followed: `METHOD_UNSUPPORTED`.
 */
export async function l402Fetch(
  input: string | URL,
  init: RequestInit = {},
  options: L402FetchOptions,
): Promise<Response> {
  const url = new URL(String(input));
  const origin = url.origin;
  const path = url.pathname;
  const tokens = options.tokens ?? new TokenCache();
  const doFetch = options.fetch ?? fetch;
  const body = await bodyOf(init);
  // One store for reservations and visits: a `history` other than the holder's would record the visits (and the
  // agent id's marks) where no reservation is checked, and the reservations where no visit renews them (the ungated
  // bridge back, split over two stores).
  if (
    options.history !== undefined &&
    options.credential !== undefined &&
    options.history !== options.credential.history
  )
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      "options.history must be the credential holder's history (or be left out): two stores would keep its reservations and its visits apart",
    );
  const history = options.history ?? options.credential?.history;
  tokens.serve(history);
  // The epoch of the credential this call has shown: it proves none of another epoch.
  let shown: ShownScope | undefined;
  // `bareIdFor`: the node key a provider refusing unpaid requests without Agora-Payer named (its node invoice).
  const send = async (token: PaidToken | undefined, bareIdFor?: string): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (token !== undefined)
      headers.set('authorization', formatAuthorization([token.macaroon], token.preimage));
    // A provider that has seen this payer's pseudonym (in any call, under any of its keys) never learns its agent
    // id, whatever it asks next: the two side by side would name the pseudonym's payer.
    const anonymous = token === undefined ? options.credential !== undefined : token.credential !== undefined;
    // Before an invoice has named the provider's node key, the history knows it by this origin only: another host
    // name of a node shown a pseudonym would get the bare id. So an unpaid request names the payer only when the
    // provider refused it without and named its node (`bareIdFor`), checked with the node key.
    // The node a 401 names with an invoice nobody pays is only claimed (any origin can show another node's
    // invoice): it is checked, so a node shown a pseudonym never gets the id, but only the origin is marked. A node
    // is marked given the id only once the payer pays its invoice (its token's provider).
    const node = token?.provider ?? bareIdFor;
    const marked = token === undefined ? providerKeys(origin, undefined) : providerKeys(origin, node);
    if (
      options.identity !== undefined &&
      !anonymous &&
      node !== undefined &&
      (history === undefined || (await history.claimNamed(marked, providerKeys(origin, node))))
    )
      headers.set('agora-payer', formatPayerHeader(options.identity, token));
    if (token?.credential !== undefined) {
      shown = shownScopeOf(token);
      headers.set('agora-credential', token.credential);
    }
    if (token !== undefined && options.onReceipt !== undefined && !tokens.hasReceipt(token.paymentHash)) {
      headers.set('agora-want-receipt', '1');
    }
    // A held token names the node it was paid to: the request sending it is a visit of that node and this origin,
    // linked by the token itself (the token-reuse bridge), at its credential's epoch (its reservation's) or the
    // payer's own.
    // Any other request names no node key: it is a visit of this origin alone (a free endpoint answered without a
    // challenge, a 402 whose invoice the client cannot read, the first request of any purchase), which the operator
    // links by timing and address to the origin's others (the free-endpoint bridge). Recorded once per origin and
    // epoch by this history (`CredentialHistory.originVisit`), nothing written for an origin it has never seen.
    // In this call's history, which is every call's that uses this cache (`TokenCache.serve`): the token's other
    // requests, and the other tokens of this call, are recorded there too.
    if (token !== undefined) {
      await recordVisit(
        history,
        token.provider,
        token.credentialEpoch ?? credentialEpoch(unixSeconds(options.clock ?? systemClock)),
        origin,
        options,
      );
    } else
      await history?.originVisit(
        origin,
        credentialEpoch(unixSeconds(options.clock ?? systemClock)),
        visitAnonymity(options),
      );
    const retries = token === undefined ? 0 : (options.retries ?? 2);
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(url, {
          ...init,
          headers,
          body: body ?? null,
          // A followed redirect would carry Agora-Payer and Agora-Credential to an origin the history was never
          // asked about (a provider shown the payer's pseudonym, say): none is followed.
          redirect: 'manual',
          // The caller's signal still aborts: the timeout is added to it, never put in its place.
          signal: signalFor(init.signal, options.timeoutMs ?? 30_000),
        });
      } catch (error) {
        // The caller gave up: no retry, its own reason comes back.
        if (init.signal?.aborted) throw init.signal.reason ?? error;
        if (attempt >= retries) {
          throw new AgoraError(
            ErrorCode.BackendUnreachable,
            `${origin} did not answer: ${(error as Error).message}`,
            { cause: error },
          );
        }
        continue;
      }
      // The server answered a request carrying the credential: it was shown, under the scopes its reservation named
      // (the node key and this origin). Recorded only now, never at reservation nor payment: a proof whose payment
      // or request failed showed nothing, and counting its level as shown would let a later proof through that the
      // refusals recorded since would name. A failure to record (the lock busy) only counts it unshown. In the
      // holder's history, where `proveCredential` reserved it (`options.history` can be no other).
      const reserved = options.credential?.history;
      if (token?.credential !== undefined && token.credentialEpoch !== undefined && reserved !== undefined) {
        const level = shown?.threshold === undefined ? undefined : levelOf(shown.threshold);
        if (level !== undefined)
          await reserved
            .showed(
              [token.provider, originScope(origin)],
              token.credentialEpoch,
              parseCredentialHeader(token.credential).root,
              level,
            )
            .catch(() => undefined);
      }
      if (isRedirect(response))
        throw new AgoraError(
          ErrorCode.MethodUnsupported,
          `${origin} answered with a redirect (${response.status}${response.headers.has('location') ? ` to ${response.headers.get('location')}` : ''}): l402Fetch follows none`,
        );
      return response;
    }
  };

  // A token whose credential served an epoch the payer's clock has left is not shown again: sent beside the new
  // epoch's proof (bought after its refusal), it would link the payer's pseudonyms of both days. Nor in the last
  // minutes of its epoch (the tolerated skew): a provider whose clock runs that much ahead is in the next epoch
  // already and would refuse it, asking for the new pseudonym. So the payer shows, near an edge, only fresh tokens.
  const current = (held: PaidToken | undefined): PaidToken | undefined => {
    if (held?.credentialEpoch === undefined) return held;
    const now = unixSeconds(options.clock ?? systemClock);
    const end = (held.credentialEpoch + 1) * CREDENTIAL_EPOCH_SECONDS;
    if (held.credentialEpoch === credentialEpoch(now) && now < end - CREDENTIAL_EPOCH_SKEW_SECONDS)
      return held;
    tokens.forget(origin, held);
    return undefined;
  };
  const known = tokens.serviceOf(origin, path);
  let token = known === undefined ? undefined : current(tokens.tokenFor(origin, known));
  let response = await send(token);
  if (response.status === 401 && token !== undefined) {
    tokens.forget(origin, token);
    token = undefined;
    response = await send(undefined);
  }
  // A provider selling to identified payers only refuses the unpaid request without Agora-Payer (401), naming its
  // node with an invoice (not paid): the bare id goes then, checked against the node key and the origin. A refusal
  // naming no node gets no id: the history could check it by origin only.
  const nodeInvoice = response.headers.get(NODE_INVOICE_HEADER);
  // Such a 401 names the node as a 402 does: the visit of (origin, node), recorded as `readChallenge` records one
  // (the node-invoice bridge), whatever follows. An invoice the client cannot read names no node.
  const named = response.status === 401 && nodeInvoice !== null ? payeeOf(nodeInvoice) : undefined;
  if (named !== undefined)
    await recordVisit(
      history,
      named,
      credentialEpoch(unixSeconds(options.clock ?? systemClock)),
      origin,
      options,
    );
  if (
    response.status === 401 &&
    token === undefined &&
    options.identity !== undefined &&
    options.credential === undefined &&
    nodeInvoice !== null
  )
    response = await send(undefined, decodeInvoice(nodeInvoice).payee);
  if (response.status === 402) {
    let challenge = await readChallenge(origin, response, options, history);
    const cached = current(tokens.tokenFor(origin, challenge.service));
    if (cached !== undefined && cached !== token) {
      // A token of this service is held already (bought on another path): try it before paying.
      token = cached;
      tokens.store(origin, path, token);
      response = await send(token);
      // Still 402: this request costs more than that token paid. Its fresh challenge is paid below.
      if (response.status === 402) challenge = await readChallenge(origin, response, options, history);
    }
    // The token sent comes back: it is paid, and refused for another reason (a credential), told in the body.
    if (response.status === 402 && challenge.macaroonText !== token?.macaroon) {
      token = await payChallenge(origin, challenge, options, tokens, shown);
      tokens.store(origin, path, token);
      response = await send(token);
    }
  }
  const receiptHeader = response.headers.get('agora-receipt');
  if (receiptHeader !== null && options.onReceipt !== undefined && token !== undefined) {
    let event: LedgerEvent;
    try {
      event = parseJson(fromUtf8(fromBase64Url(receiptHeader))) as unknown as LedgerEvent;
    } catch (cause) {
      throw new AgoraError(ErrorCode.InvalidEvent, 'the Agora-Receipt header is not a receipt', { cause });
    }
    const receipt = verifyReceipt(event);
    if (receipt.body.paymentHash !== token.paymentHash || receipt.body.preimage !== token.preimage) {
      throw new AgoraError(ErrorCode.InvalidEvent, 'the receipt is for another payment');
    }
    tokens.markReceipt(token.paymentHash);
    await options.onReceipt(receipt, event);
  }
  return response;
}
