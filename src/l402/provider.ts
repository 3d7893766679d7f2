import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  AgoraError,
  type Clock,
  canonicalJson,
  ErrorCode,
  fromHex,
  isAgoraError,
  systemClock,
  toBase64Url,
  toHex,
  unixSeconds,
  utf8,
} from '../core/index.js';
import { KeptUntilFailed } from '../core/kept-until-failed.js';
import type { AgentKey } from '../identity/index.js';
import type { LightningBackend } from '../lightning/index.js';
import { createReceipt } from '../receipts/index.js';
import {
  type BlacklistLookup,
  capabilitiesCaveat,
  checkCaveats,
  paidMsatCaveat,
  type ReputationLookup,
  servicesCaveat,
  validUntilCaveat,
} from './caveats.js';
import {
  CREDENTIAL_CAVEAT,
  type CredentialRequirement,
  credentialCaveat,
  credentialEpoch,
  credentialProof,
  credentialStatement,
  levelAtLeast,
  levelOf,
  MAX_CREDENTIAL_ROOTS,
  parseCredentialCaveat,
  parseCredentialHeader,
  REPUTATION_LEVELS,
} from './credential.js';
import type { CredentialBatcher } from './credential-batch.js';
import { ExpiringCache } from './expiring-cache.js';
import { formatChallenges, NODE_INVOICE_HEADER, parseAuthorization } from './headers.js';
import { decodeIdentifier, encodeIdentifier } from './identifier.js';
import { decodeMacaroon, encodeMacaroonBase64, mintMacaroon, verifyMacaroonSignature } from './macaroon.js';
import { parsePayerHeader, verifyPayerProof } from './payer-proof.js';
import type { RootKeyStore } from './root-keys.js';

/** Who may buy, beyond paying: Agora's caveats added to every token minted. */
export interface PayerPolicy {
  /** Bind each token to the payer that asked for it (`agora_payer`); requires the `Agora-Payer` header. */
  bindPayer?: boolean;
  /** Refuse payers whose reputation is below this (`agora_min_reputation`). */
  minReputation?: number;
  /** Refuse payers on the governance blacklist (`agora_blacklist`). */
  blacklist?: boolean;
}

/**
 * Sell only to payers that prove, anonymously, a reputation of at least `minScore` in a recent reputation snapshot
 * (the `agora_anon_reputation` caveat, docs/anonymous-credentials.md): the provider learns a pseudonym per epoch,
 * never the payer's agent id.
 */
export interface CredentialPolicy {
  /** Least reputation score, ppb: rounded up to the next of the fixed levels (`REPUTATION_LEVELS`). */
  readonly minScore: number;
  /**
   * The snapshot roots accepted now, newest first (the last few valid `reputation.snapshot` events): tokens list
   * them when minted, and a proof is accepted against a root both lists still hold; a cached verdict ends when its
   * root leaves this list. Asked on every gated request: keep it cheap (a list kept up to date, not a ledger scan).
   * Only the first 8 are used.
   */
  readonly roots: () => readonly bigint[] | Promise<readonly bigint[]>;
  /** What checks the proofs, in batches under load. */
  readonly verifier: CredentialBatcher;
  /** Whether a pseudonym is banned (checked on every request, a cached verdict included). */
  readonly banned?: (pseudonym: string) => boolean | Promise<boolean>;
}

/** What an {@link L402Provider} sells, for how much, through which node, and whom it refuses. */
export interface L402ProviderOptions {
  lightning: LightningBackend;
  rootKeys: RootKeyStore;
  /** The service name in `services=` and the other caveats. */
  service: string;
  tier?: number;
  /**
   * Price of one request, in msat (a positive whole number): a function of the request. A token serves only requests
   * priced at most what it paid (`agora_paid_msat`, written at mint time); a dearer one gets a 402 for a new token.
   */
  price: (request: RequestLike) => number | Promise<number>;
  /**
   * The capability a request needs (`<service>_capabilities`), if any. A token minted for a request with a
   * capability grants that capability only.
   */
  capability?: (request: RequestLike) => string | undefined;
  /** How long a token stays valid (`<service>_valid_until`); default one hour. */
  validForSeconds?: number;
  invoiceExpirySeconds?: number;
  /** Macaroon location. */
  location?: string;
  /** Also send Aperture's `macaroon=` parameter and an `LSAT` challenge for older clients. */
  legacyChallenge?: boolean;
  /** The provider's agent key: when set, served requests carry a signed receipt (`Agora-Receipt`). */
  identity?: AgentKey;
  policy?: PayerPolicy;
  /**
   * Remember tokens that verified (by exact header value, for a minute) so repeated use skips the HMAC chain and
   * the invoice lookup; caveats and payer checks still run on every request. Default true.
   */
  cacheVerifiedTokens?: boolean;
  /** Gate sales on an anonymous reputation credential (see {@link CredentialPolicy}). */
  credential?: CredentialPolicy;
  /** Required when `policy.minReputation` is set (checked when the provider is made). */
  reputation?: ReputationLookup;
  /** Required when `policy.blacklist` is set (checked when the provider is made). */
  blacklist?: BlacklistLookup;
  clock?: Clock;
  /**
   * Hears of every failure that is not the client's (backend unreachable, a throwing `price`...): the client gets a
   * generic 500 or 503 body, details go here only.
   */
  onError?: (error: unknown) => void;
}

/** What the paid handler learns about the payment. */
export interface PaidRequest {
  readonly paymentHash: string;
  readonly tokenId: string;
  readonly amountMsat: number;
  /** The payer's agent id, when it proved it. */
  readonly payer?: string;
  /**
   * The payer's pseudonym at this provider for the token's epoch (a decimal nullifier), when the token asked for an
   * anonymous credential: the same for every purchase of one payer here in one epoch, unlinkable elsewhere.
   */
  readonly pseudonym?: string;
}

/** The parts of a request the provider reads: a Fetch `Request` fits, adapters pass lighter objects. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: { get(name: string): string | null };
}

/** The outcome of {@link L402Provider.authorize}. */
export type Decision =
  | {
      readonly kind: 'paid';
      readonly paid: PaidRequest;
      /** The payment's signed receipt for a response of `status`, as an `Agora-Receipt` value (undefined without identity). */
      readonly receiptFor: (status: number) => string | undefined;
    }
  /** A 402 challenge, or a 401/403 refusal, ready to send. */
  | { readonly kind: 'refused'; readonly response: Response };

/** A paid Fetch handler: answers `request` once it is paid for; `paid` tells who paid for what. */
export type PaidHandler = (request: Request, paid: PaidRequest) => Response | Promise<Response>;

/** How long the invoice naming the node in {@link NODE_INVOICE_HEADER} lasts (one is reused until near its end). */
const NODE_INVOICE_EXPIRY_SECONDS = 3_600;

const CACHE_LIMIT = 100_000;
/** Verified tokens are re-verified from scratch after this long (revocation straight in the store takes effect). */
const VERIFIED_TTL_MS = 60_000;

/**
 * Credential proofs the provider verifies for one paid token, counted when a verification starts (requests sent
 * together all count): one payment must not buy a pairing check per retry. An honest client sends one proof per
 * token (the same proof sent concurrently is verified once) and a new one only when the accepted roots move.
 */
const CREDENTIAL_ATTEMPTS = 3;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

type Refused = { kind: 'refused'; response: Response };

function refusal(status: 403 | 500 | 503, reason?: string): Refused {
  const error = { 403: 'forbidden', 500: 'internal error', 503: 'service unavailable' }[status];
  const body = reason === undefined ? { error } : { error, reason };
  const response = new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
  return { kind: 'refused', response };
}

/**
 * A 401 for a credential that is malformed or does not verify. RFC 9110 requires a challenge with every 401:
 * `L402 realm="<service>", error="invalid_token"` says which scheme to use without minting a token (a refusal must
 * not cost state); a client recovers by asking again without the credential, which brings a 402 with a new token.
 */
function unauthorized(service: string, reason: string): Refused {
  const response = new Response(JSON.stringify({ error: 'unauthorized', reason }), {
    status: 401,
    headers: {
      'content-type': 'application/json',
      'www-authenticate': `L402 realm="${service.replace(/["\\]/g, '')}", error="invalid_token"`,
    },
  });
  return { kind: 'refused', response };
}

/** The 402 for a token whose invoice is not paid yet: the same token and invoice again, so the client can pay them. */
function unpaid(token: string, invoice: string, legacy: boolean, reason: string): Refused {
  const headers = new Headers({ 'content-type': 'application/json' });
  for (const value of formatChallenges(token, invoice, { legacy })) headers.append('www-authenticate', value);
  const body = JSON.stringify({ error: 'payment required', reason, invoice, token });
  return { kind: 'refused', response: new Response(body, { status: 402, headers }) };
}

/**
 * The 402 for a paid token whose credential is missing or refused: the same token and its settled invoice, so a
 * client sees it need not pay again, and the reason.
 */
function credentialRefused(token: VerifiedToken, legacy: boolean, reason: string): Refused {
  const headers = new Headers({ 'content-type': 'application/json' });
  for (const value of formatChallenges(token.macaroon, token.invoice, { legacy }))
    headers.append('www-authenticate', value);
  const body = JSON.stringify({ error: 'credential required', reason });
  return { kind: 'refused', response: new Response(body, { status: 402, headers }) };
}

/** The credential requirement among a token's caveats (checkCaveats has refused two that differ). */
function requirementOf(caveats: readonly string[]): CredentialRequirement | undefined {
  for (const text of caveats) {
    const at = text.indexOf('=');
    if (text.slice(0, at).trim() === CREDENTIAL_CAVEAT)
      return parseCredentialCaveat(text.slice(at + 1).trim());
  }
  return undefined;
}

/** What survives from a token's full verification (signature, preimage, settled invoice). */
interface VerifiedToken {
  /** The macaroon's whole identifier, as a payer proof signs it. */
  readonly identifier: Uint8Array;
  /** The macaroon as the client sent it (base64). */
  readonly macaroon: string;
  readonly tokenId: Uint8Array;
  readonly tokenIdHex: string;
  readonly paymentHash: string;
  readonly preimage: string;
  readonly caveats: readonly string[];
  readonly invoice: string;
  readonly amountMsat: number;
  readonly verifiedAt: number;
}

/**
 * The provider side of L402 for one service, framework-neutral: answers unpaid requests with a 402 challenge
 * (invoice + macaroon), verifies `Authorization: L402 …` (macaroon HMAC chain under its root key, preimage
 * against the identifier's payment hash, settled invoice; then the caveats and payer checks on every request),
 * and signs one receipt per payment. A token that verified is remembered for a minute by its exact header value,
 * so repeated use costs a map lookup plus the caveat checks.
 */
export class L402Provider {
  private readonly options: L402ProviderOptions;
  private readonly clock: Clock;
  // Verified tokens and payer proofs for a minute, receipts while their token may still be used: what a provider
  // holds stays what is live, however long it serves.
  private readonly verified = new ExpiringCache<string, VerifiedToken>(CACHE_LIMIT);
  private readonly provenPayers = new ExpiringCache<string, string>(CACHE_LIMIT);
  private readonly receipts = new ExpiringCache<string, string>(CACHE_LIMIT);
  /**
   * Pseudonyms of paid tokens whose credential verified, with the root it was proved against, by token id: a token
   * proves once, and its verdict lasts while that root is accepted.
   */
  private readonly pseudonyms = new Map<string, { pseudonym: string; root: bigint }>();
  /** Credential verifications started per paid token, by token id: at {@link CREDENTIAL_ATTEMPTS} it gets no more. */
  private readonly credentialChecks = new Map<string, number>();
  /** Verifications under way, by token id and credential header: the same proof sent concurrently is checked once. */
  private readonly verifying = new Map<string, Promise<boolean>>();
  // A failed lookup is asked again on the next request rather than remembered.
  private readonly ownNodeKey = new KeptUntilFailed(() =>
    this.options.lightning.info().then((info) => info.nodeKey),
  );
  private identityInvoice: { readonly invoice: Promise<string>; readonly renewAt: number } | undefined;

  /** `INVALID_ARGUMENT` for a policy without its lookup source: it would take payments, then refuse every payer. */
  constructor(options: L402ProviderOptions) {
    const policy = options.policy ?? {};
    if (policy.minReputation !== undefined && options.reputation === undefined)
      throw new AgoraError(ErrorCode.InvalidArgument, 'policy.minReputation needs a reputation lookup');
    if (policy.blacklist && options.blacklist === undefined)
      throw new AgoraError(ErrorCode.InvalidArgument, 'policy.blacklist needs a blacklist lookup');
    if (options.credential !== undefined) levelAtLeast(options.credential.minScore);
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  private validForSeconds(): number {
    return this.options.validForSeconds ?? 3600;
  }

  /** The credential epoch now: fixed-length UTC days (`CREDENTIAL_EPOCH_SECONDS`), which payers check. */
  private epoch(): number {
    return credentialEpoch(unixSeconds(this.clock));
  }

  /** The roots accepted now, newest first, at most {@link MAX_CREDENTIAL_ROOTS}. */
  private async acceptedRoots(policy: CredentialPolicy): Promise<bigint[]> {
    return [...(await policy.roots())].slice(0, MAX_CREDENTIAL_ROOTS);
  }

  /**
   * The pseudonym a paid token's credential proves, or the refusal: the token's epoch must be this one, the proof's
   * root one the token lists and this provider still accepts, the proof valid for this provider, service, epoch and
   * token. Only paid tokens get here, so only they leave a cached verdict; a cached verdict is dropped once its
   * root is no longer accepted.
   */
  private async credentialOf(
    request: RequestLike,
    token: VerifiedToken,
    requirement: CredentialRequirement,
  ): Promise<string | Refused> {
    const policy = this.options.credential;
    const legacy = this.options.legacyChallenge ?? false;
    if (policy === undefined) return refusal(403, 'this provider checks no anonymous credentials');
    // On every request, a cached verdict too: a pseudonym lives one epoch, and a token used in the next would show
    // the provider two pseudonyms of one payer side by side.
    if (requirement.epoch !== this.epoch()) {
      this.pseudonyms.delete(token.tokenIdHex);
      return unauthorized(this.options.service, "the token's credential epoch is over: buy a new token");
    }
    const accepted = await this.acceptedRoots(policy);
    const cached = this.pseudonyms.get(token.tokenIdHex);
    if (cached !== undefined && !accepted.includes(cached.root)) {
      // The snapshot it was proved against is no longer accepted (replaced, or found to omit events).
      this.pseudonyms.delete(token.tokenIdHex);
      return unauthorized(
        this.options.service,
        "the snapshot root this token's credential was proved against is no longer accepted: buy a new token",
      );
    }
    let pseudonym = cached?.pseudonym;
    if (pseudonym === undefined) {
      const header = request.headers.get('agora-credential');
      if (header === null)
        return credentialRefused(
          token,
          legacy,
          `this token needs an anonymous reputation credential (at least ${requirement.threshold} ppb): send Agora-Credential`,
        );
      let credential: ReturnType<typeof parseCredentialHeader>;
      try {
        credential = parseCredentialHeader(header);
      } catch (error) {
        return credentialRefused(token, legacy, (error as Error).message);
      }
      if (!requirement.roots.includes(credential.root) || !accepted.includes(credential.root))
        return credentialRefused(
          token,
          legacy,
          'the credential is for a snapshot root this provider does not accept now',
        );
      const key = `${token.tokenIdHex} ${header}`;
      let verdict = this.verifying.get(key);
      if (verdict === undefined) {
        // Counted before the check, so that requests sent together cannot all pass the limit.
        const started = this.credentialChecks.get(token.tokenIdHex) ?? 0;
        if (started >= CREDENTIAL_ATTEMPTS)
          return refusal(403, `this token's credential was checked ${started} times: buy a new token`);
        remember(this.credentialChecks, token.tokenIdHex, started + 1);
        const proof = credential;
        verdict = (async () => {
          const statement = credentialStatement(
            { provider: await this.nodeKey(), service: this.options.service, epoch: requirement.epoch },
            token.identifier,
            levelOf(requirement.threshold) as number,
            proof.root,
          );
          return policy.verifier.verify(credentialProof(statement, proof));
        })();
        this.verifying.set(key, verdict);
        verdict.finally(() => this.verifying.delete(key)).catch(() => undefined);
      }
      if (!(await verdict)) {
        return credentialRefused(
          token,
          legacy,
          'the credential proof does not hold for this provider, service, epoch, token and threshold',
        );
      }
      pseudonym = credential.nullifier.toString();
      remember(this.pseudonyms, token.tokenIdHex, { pseudonym, root: credential.root });
    }
    if (await policy.banned?.(pseudonym)) return refusal(403, 'this pseudonym is banned here');
    return pseudonym;
  }

  /** Serves a Fetch `Request`: the handler runs only for a valid, paid token; its response gets the receipt. */
  async handle(request: Request, handler: PaidHandler): Promise<Response> {
    const decision = await this.authorize(request);
    if (decision.kind === 'refused') return decision.response;
    const response = await handler(request, decision.paid);
    const receipt = decision.receiptFor(response.status);
    if (receipt === undefined) return response;
    const headers = new Headers(response.headers);
    headers.set('agora-receipt', receipt);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }

  /**
   * Decides whether `request` may be served: paid, or the response to send instead: 402 (a challenge), 401 (with
   * `WWW-Authenticate`) or 403 for the client's input, 500 or 503 with a generic body for the provider's own
   * failures (details to `onError`). Never rejects.
   */
  async authorize(request: RequestLike): Promise<Decision> {
    try {
      const authorization = request.headers.get('authorization');
      if (authorization === null || authorization.trim() === '') return await this.challenge(request);
      return await this.check(request, authorization);
    } catch (error) {
      if (isAgoraError(error, ErrorCode.InvalidToken))
        return unauthorized(this.options.service, error.message);
      this.options.onError?.(error);
      return isAgoraError(error, ErrorCode.BackendUnreachable) ? refusal(503) : refusal(500);
    }
  }

  /**
   * An invoice of this provider's node, not for payment, naming its node key to payers asked to identify themselves
   * (`Agora-Node-Invoice`): one kept until a minute before it expires, so refusals do not each cost an invoice.
   */
  private nodeInvoice(): Promise<string> {
    const now = this.clock.now();
    if (this.identityInvoice === undefined || this.identityInvoice.renewAt <= now) {
      const expirySeconds = NODE_INVOICE_EXPIRY_SECONDS;
      const made = this.options.lightning
        .createInvoice({
          amountMsat: 1_000,
          description: `${this.options.service}: names this provider's node, not for payment`,
          expirySeconds,
        })
        .then((invoice) => invoice.paymentRequest);
      const entry = { invoice: made, renewAt: now + (expirySeconds - 60) * 1000 };
      // A failed invoice is asked again on the next refusal rather than remembered.
      made.catch(() => {
        if (this.identityInvoice === entry) this.identityInvoice = undefined;
      });
      this.identityInvoice = entry;
    }
    return this.identityInvoice.invoice;
  }

  /** This provider's Lightning node key (asked of the backend once): what payer proofs are bound to. */
  private nodeKey(): Promise<string> {
    return this.ownNodeKey.get();
  }

  /** Revokes a token: its root key is forgotten and the token is refused from now on. */
  async revoke(tokenId: string): Promise<void> {
    await this.options.rootKeys.revoke(tokenId);
    for (const [header, token] of [...this.verified.live(this.clock.now())])
      if (token.tokenIdHex === tokenId) this.verified.delete(header);
  }

  /** `price(request)`, checked: a price that is not a positive whole msat is the provider's bug, never the client's. */
  private async priceOf(request: RequestLike): Promise<number> {
    const price = await this.options.price(request);
    if (!Number.isSafeInteger(price) || price <= 0)
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        `price(request) gave ${price}, not a positive whole msat`,
      );
    return price;
  }

  /**
   * A 402 challenge for `request`: a new token that records what it is paid for (its price in `agora_paid_msat`,
   * the service and tier, the capability when the provider names one), so it never serves a dearer request.
   */
  private async challenge(request: RequestLike, reason?: string): Promise<Decision> {
    const { options } = this;
    const policy = options.policy ?? {};
    const amountMsat = await this.priceOf(request);
    const capability = options.capability?.(request);
    const caveats = [
      servicesCaveat([{ name: options.service, tier: options.tier ?? 0 }]),
      validUntilCaveat(options.service, unixSeconds(this.clock) + this.validForSeconds()),
      paidMsatCaveat(amountMsat),
    ];
    if (capability !== undefined) caveats.push(capabilitiesCaveat(options.service, [capability]));
    const payerHeader = request.headers.get('agora-payer');
    const needsPayer = policy.bindPayer || policy.minReputation !== undefined || policy.blacklist;
    let payer: string | undefined;
    if (payerHeader !== null) payer = parsePayerHeader(payerHeader).id;
    if (needsPayer && payer === undefined) {
      const refused = unauthorized(
        options.service,
        'this service sells only to identified payers: send "Agora-Payer: <agent id>"',
      );
      // A payer sends its id only to a provider it knows by node key (an agent never gives its id to a node it showed
      // a pseudonym): an invoice signed by this node names it. Not for payment: no token goes with it.
      refused.response.headers.set(NODE_INVOICE_HEADER, await this.nodeInvoice());
      return refused;
    }
    // Refuse before invoicing: nobody should pay for a token that would be refused.
    if (payer !== undefined) {
      if (policy.blacklist && (await options.blacklist?.has(payer)))
        return refusal(403, 'payer is on the governance blacklist');
      if (policy.minReputation !== undefined) {
        const score = (await options.reputation?.score(payer)) ?? 0;
        if (score < policy.minReputation)
          return refusal(403, `payer reputation ${score} is below the required ${policy.minReputation}`);
      }
    }
    if (policy.bindPayer && payer !== undefined) caveats.push(`agora_payer=${payer}`);
    if (policy.minReputation !== undefined) caveats.push(`agora_min_reputation=${policy.minReputation}`);
    if (policy.blacklist) caveats.push('agora_blacklist=governance');
    if (options.credential !== undefined) {
      const roots = await this.acceptedRoots(options.credential);
      // The provider's own gap (no snapshot yet): nobody should pay for a token no credential can satisfy.
      if (roots.length === 0) return refusal(503, 'no reputation snapshot to check credentials against yet');
      const threshold = REPUTATION_LEVELS[levelAtLeast(options.credential.minScore)] as number;
      caveats.push(credentialCaveat({ threshold, epoch: this.epoch(), roots }));
    }
    const invoice = await options.lightning.createInvoice({
      amountMsat,
      description: `${options.service} via L402`,
      expirySeconds: options.invoiceExpirySeconds ?? 600,
    });
    const tokenId = new Uint8Array(randomBytes(32));
    const rootKey = await options.rootKeys.create(toHex(tokenId));
    const identifier = encodeIdentifier({ version: 0, paymentHash: fromHex(invoice.paymentHash), tokenId });
    const macaroon = mintMacaroon({ rootKey, identifier, location: options.location ?? 'agora402', caveats });
    const token = encodeMacaroonBase64(macaroon);
    const headers = new Headers({ 'content-type': 'application/json' });
    for (const value of formatChallenges(token, invoice.paymentRequest, {
      legacy: options.legacyChallenge ?? false,
    })) {
      headers.append('www-authenticate', value);
    }
    const body = {
      error: 'payment required',
      ...(reason === undefined ? {} : { reason }),
      service: options.service,
      priceMsat: amountMsat,
      invoice: invoice.paymentRequest,
      token,
    };
    return { kind: 'refused', response: new Response(JSON.stringify(body), { status: 402, headers }) };
  }

  /** Full verification of a token not seen (recently): signature, preimage, settled invoice. */
  private async verifyToken(authorization: string): Promise<VerifiedToken | Refused> {
    const { options } = this;
    const { tokens, preimage } = parseAuthorization(authorization);
    const macaroon = decodeMacaroon(tokens[0] as string);
    const identifier = decodeIdentifier(macaroon.identifier);
    const tokenIdHex = toHex(identifier.tokenId);
    const paymentHash = toHex(identifier.paymentHash);
    const rootKey = await options.rootKeys.get(tokenIdHex);
    const refuse = (reason: string) => unauthorized(options.service, reason);
    if (rootKey === undefined) return refuse('unknown or revoked token');
    if (!verifyMacaroonSignature(macaroon, rootKey))
      return refuse('the token signature does not verify (tampered caveats?)');
    if (toHex(sha256(fromHex(preimage))) !== paymentHash)
      return refuse('the preimage does not match the token payment hash');
    let status: Awaited<ReturnType<LightningBackend['lookupInvoice']>>;
    try {
      status = await options.lightning.lookupInvoice(paymentHash);
    } catch (error) {
      if (isAgoraError(error, ErrorCode.UnknownInvoice)) return refuse('the token was not issued here');
      throw error;
    }
    if (status.state === 'OPEN')
      return unpaid(
        tokens[0] as string,
        status.paymentRequest,
        options.legacyChallenge ?? false,
        'the invoice is not paid yet',
      );
    if (status.state !== 'SETTLED') return refuse(`the token's invoice is ${status.state}, never paid`);
    return {
      identifier: macaroon.identifier,
      macaroon: tokens[0] as string,
      tokenId: identifier.tokenId,
      tokenIdHex,
      paymentHash,
      preimage,
      caveats: macaroon.caveats,
      invoice: status.paymentRequest,
      amountMsat: status.amountPaidMsat,
      verifiedAt: this.clock.now(),
    };
  }

  private async check(request: RequestLike, authorization: string): Promise<Decision> {
    const { options } = this;
    let token = this.verified.get(authorization, this.clock.now());
    if (token === undefined) {
      const result = await this.verifyToken(authorization);
      if ('kind' in result) return result;
      token = result;
      if (options.cacheVerifiedTokens ?? true)
        this.verified.set(authorization, token, token.verifiedAt + VERIFIED_TTL_MS, token.verifiedAt);
    }
    let payer: string | undefined;
    const payerHeader = request.headers.get('agora-payer');
    if (payerHeader !== null) {
      const proofKey = `${token.tokenIdHex} ${payerHeader}`;
      payer = this.provenPayers.get(proofKey, this.clock.now());
      if (payer === undefined) {
        const { id, sig } = parsePayerHeader(payerHeader);
        // A bare agent id is never enough to use a token: the proof must cover this token's whole identifier,
        // this provider's node key and this service, so a proof given to another provider cannot be relayed here.
        const target = {
          identifier: token.identifier,
          provider: await this.nodeKey(),
          service: options.service,
        };
        if (sig === undefined || !verifyPayerProof(id, sig, target)) {
          return unauthorized(
            options.service,
            "Agora-Payer must carry the payer's signature of this token's identifier, this provider and service",
          );
        }
        payer = id;
        const now = this.clock.now();
        if (options.cacheVerifiedTokens ?? true)
          this.provenPayers.set(proofKey, payer, now + VERIFIED_TTL_MS, now);
      }
    }
    const capability = options.capability?.(request);
    const refused = await checkCaveats(token.caveats, {
      service: options.service,
      ...(capability === undefined ? {} : { capability }),
      now: unixSeconds(this.clock),
      // Every request is priced, and checked against what its token paid: a token bought for a cheap request
      // never serves a dear one.
      priceMsat: await this.priceOf(request),
      paidMsat: token.amountMsat,
      ...(payer === undefined ? {} : { payer }),
      ...(options.reputation === undefined ? {} : { reputation: options.reputation }),
      ...(options.blacklist === undefined ? {} : { blacklist: options.blacklist }),
    });
    if (refused?.status === 402) return this.challenge(request, refused.reason);
    if (refused?.status === 401) return unauthorized(options.service, refused.reason);
    if (refused !== undefined) return refusal(refused.status, refused.reason);
    const requirement = requirementOf(token.caveats);
    if (options.credential !== undefined) {
      // A token minted before gating was turned on (or under another level) carries no requirement this policy
      // accepts: served, it would let a payer below the threshold, or in no snapshot, keep buying. The level must be
      // the policy's own, not merely as high: a macaroon's holder may append caveats, and one appending a higher
      // level to a token minted without a requirement would prove under another pseudonym (the nullifier is per
      // level), shedding a ban or a rate limit on its pseudonym at this level.
      const level = REPUTATION_LEVELS[levelAtLeast(options.credential.minScore)] as number;
      if (requirement === undefined || requirement.threshold !== level)
        return unauthorized(
          options.service,
          `this provider requires an anonymous reputation credential of exactly ${level} ppb${requirement === undefined ? '' : `, not ${requirement.threshold}`}: buy a new token`,
        );
    }
    let pseudonym: string | undefined;
    if (requirement !== undefined) {
      const result = await this.credentialOf(request, token, requirement);
      if (typeof result !== 'string') return result;
      pseudonym = result;
    }
    const paid: PaidRequest = {
      paymentHash: token.paymentHash,
      tokenId: token.tokenIdHex,
      amountMsat: token.amountMsat,
      ...(payer === undefined ? {} : { payer }),
      ...(pseudonym === undefined ? {} : { pseudonym }),
    };
    const verifiedToken = token;
    const wanted = request.headers.get('agora-want-receipt') === '1';
    return { kind: 'paid', paid, receiptFor: (status) => this.receipt(verifiedToken, paid, status, wanted) };
  }

  /**
   * One receipt per payment, signed when first served. It travels with that first response only (a receipt
   * header is ~1.4 kB), and again when a request asks with `Agora-Want-Receipt: 1`.
   */
  private receipt(
    token: VerifiedToken,
    paid: PaidRequest,
    status: number,
    wanted: boolean,
  ): string | undefined {
    const identity = this.options.identity;
    if (identity === undefined || status >= 500) return undefined;
    const now = this.clock.now();
    const sent = this.receipts.get(token.paymentHash, now);
    if (sent !== undefined) return wanted ? sent : undefined;
    const receipt = createReceipt(
      identity,
      {
        service: this.options.service,
        invoice: token.invoice,
        paymentHash: token.paymentHash,
        preimage: token.preimage,
        amountMsat: token.amountMsat,
        payer: paid.payer ?? null,
        status,
      },
      { clock: this.clock },
    );
    const header = toBase64Url(utf8(canonicalJson(receipt)));
    // Kept as long as the token can be used (it was minted before now, valid for `validForSeconds`): after that no
    // request reaches here with it, so a second receipt for the payment can never be signed.
    this.receipts.set(token.paymentHash, header, now + this.validForSeconds() * 1000, now);
    return header;
  }
}
