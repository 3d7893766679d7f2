import { randomBytes } from 'node:crypto';
import {
  type Clock,
  canonicalJson,
  ErrorCode,
  fromHex,
  isAgoraError,
  sha256,
  systemClock,
  toBase64Url,
  toHex,
  unixSeconds,
  utf8,
} from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import type { LightningBackend } from '../lightning/index.js';
import { createReceipt } from '../receipts/index.js';
import {
  type BlacklistLookup,
  checkCaveats,
  type ReputationLookup,
  servicesCaveat,
  validUntilCaveat,
} from './caveats.js';
import { formatChallenges, parseAuthorization } from './headers.js';
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

export interface L402ProviderOptions {
  lightning: LightningBackend;
  rootKeys: RootKeyStore;
  /** The service name in `services=` and the other caveats. */
  service: string;
  tier?: number;
  /** Price of one request, in msat: a function of the request. */
  price: (request: Request) => number | Promise<number>;
  /** The capability a request needs (`<service>_capabilities`), if any. */
  capability?: (request: Request) => string | undefined;
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
  reputation?: ReputationLookup;
  blacklist?: BlacklistLookup;
  clock?: Clock;
}

/** What the paid handler learns about the payment. */
export interface PaidRequest {
  readonly paymentHash: string;
  readonly tokenId: string;
  readonly amountMsat: number;
  /** The payer's agent id, when it proved it. */
  readonly payer?: string;
}

export type PaidHandler = (request: Request, paid: PaidRequest) => Response | Promise<Response>;

const CACHE_LIMIT = 100_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

function refusal(status: 401 | 402 | 403, reason: string, headers: Record<string, string> = {}): Response {
  const error = { 401: 'unauthorized', 402: 'payment required', 403: 'forbidden' }[status];
  return new Response(JSON.stringify({ error, reason }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * The provider side of L402 for one service, framework-neutral (Fetch API `Request` and `Response`): answers
 * unpaid requests with a 402 challenge (invoice + macaroon), verifies `Authorization: L402 …` (macaroon HMAC
 * chain under its root key, preimage against the identifier's payment hash, caveats, settled invoice), runs the
 * handler, and signs a receipt for the payment.
 */
export class L402Provider {
  private readonly options: L402ProviderOptions;
  private readonly clock: Clock;
  private readonly settled = new Map<string, { invoice: string; amountMsat: number }>();
  private readonly receipts = new Map<string, string>();

  constructor(options: L402ProviderOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  /** Serves `request`: the handler runs only for a valid, paid token. */
  async handle(request: Request, handler: PaidHandler): Promise<Response> {
    const authorization = request.headers.get('authorization');
    if (authorization === null || authorization.trim() === '') return this.challenge(request);
    try {
      const verified = await this.verify(request, authorization);
      if (verified instanceof Response) return verified;
      const response = await handler(request, verified.paid);
      return this.withReceipt(response, verified);
    } catch (error) {
      if (isAgoraError(error, ErrorCode.InvalidToken)) return refusal(401, error.message);
      throw error;
    }
  }

  private async challenge(request: Request): Promise<Response> {
    const { options } = this;
    const policy = options.policy ?? {};
    const caveats = [
      servicesCaveat([{ name: options.service, tier: options.tier ?? 0 }]),
      validUntilCaveat(options.service, unixSeconds(this.clock) + (options.validForSeconds ?? 3600)),
    ];
    const payerHeader = request.headers.get('agora-payer');
    const needsPayer = policy.bindPayer || policy.minReputation !== undefined || policy.blacklist;
    let payer: string | undefined;
    if (payerHeader !== null) {
      try {
        payer = parsePayerHeader(payerHeader).id;
      } catch (error) {
        return refusal(401, (error as Error).message);
      }
    }
    if (needsPayer && payer === undefined) return refuse401NeedsPayer();
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
    const amountMsat = await options.price(request);
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
      service: options.service,
      priceMsat: amountMsat,
      invoice: invoice.paymentRequest,
      token,
    };
    return new Response(JSON.stringify(body), { status: 402, headers });
  }

  private async verify(
    request: Request,
    authorization: string,
  ): Promise<Response | { paid: PaidRequest; preimage: string; invoice: string }> {
    const { options } = this;
    const { tokens, preimage } = parseAuthorization(authorization);
    const macaroon = decodeMacaroon(tokens[0] as string);
    const identifier = decodeIdentifier(macaroon.identifier);
    const tokenId = toHex(identifier.tokenId);
    const paymentHash = toHex(identifier.paymentHash);
    const rootKey = await options.rootKeys.get(tokenId);
    if (rootKey === undefined) return refusal(401, 'unknown or revoked token');
    if (!verifyMacaroonSignature(macaroon, rootKey))
      return refusal(401, 'the token signature does not verify (tampered caveats?)');
    if (toHex(sha256(fromHex(preimage))) !== paymentHash)
      return refusal(401, 'the preimage does not match the token payment hash');
    let payer: string | undefined;
    const payerHeader = request.headers.get('agora-payer');
    if (payerHeader !== null) {
      const { id, sig } = parsePayerHeader(payerHeader);
      if (sig === undefined || !verifyPayerProof(id, sig, identifier.tokenId)) {
        return refusal(401, 'Agora-Payer must carry the payer signature of the token id');
      }
      payer = id;
    }
    const refused = await checkCaveats(macaroon.caveats, {
      service: options.service,
      ...(options.capability?.(request) === undefined
        ? {}
        : { capability: options.capability(request) as string }),
      now: unixSeconds(this.clock),
      ...(payer === undefined ? {} : { payer }),
      ...(options.reputation === undefined ? {} : { reputation: options.reputation }),
      ...(options.blacklist === undefined ? {} : { blacklist: options.blacklist }),
    });
    if (refused !== undefined) return refusal(refused.status, refused.reason);
    let settled = this.settled.get(paymentHash);
    if (settled === undefined) {
      let status: Awaited<ReturnType<LightningBackend['lookupInvoice']>>;
      try {
        status = await options.lightning.lookupInvoice(paymentHash);
      } catch (error) {
        if (isAgoraError(error, ErrorCode.UnknownInvoice))
          return refusal(401, 'the token was not issued here');
        throw error;
      }
      if (status.state !== 'SETTLED') return refusal(402, `the invoice is ${status.state}, not paid`);
      settled = { invoice: status.paymentRequest, amountMsat: status.amountPaidMsat };
      remember(this.settled, paymentHash, settled);
    }
    const paid: PaidRequest = {
      paymentHash,
      tokenId,
      amountMsat: settled.amountMsat,
      ...(payer === undefined ? {} : { payer }),
    };
    return { paid, preimage, invoice: settled.invoice };
  }

  /** Adds the payment's receipt (one per payment, signed once) to a served response. */
  private withReceipt(
    response: Response,
    verified: { paid: PaidRequest; preimage: string; invoice: string },
  ): Response {
    const identity = this.options.identity;
    if (identity === undefined || response.status >= 500) return response;
    let header = this.receipts.get(verified.paid.paymentHash);
    if (header === undefined) {
      const receipt = createReceipt(
        identity,
        {
          service: this.options.service,
          invoice: verified.invoice,
          paymentHash: verified.paid.paymentHash,
          preimage: verified.preimage,
          amountMsat: verified.paid.amountMsat,
          payer: verified.paid.payer ?? null,
          status: response.status,
        },
        { clock: this.clock },
      );
      header = toBase64Url(utf8(canonicalJson(receipt)));
      remember(this.receipts, verified.paid.paymentHash, header);
    }
    const headers = new Headers(response.headers);
    headers.set('agora-receipt', header);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}

function refuse401NeedsPayer(): Response {
  return refusal(401, 'this service sells only to identified payers: send "Agora-Payer: <agent id>"');
}
