import { AgoraError, ErrorCode } from '../core/index.js';
import { parseCredentialCaveat } from './credential.js';

/** A first-party caveat in Aperture's `condition=value` form. */
export interface Caveat {
  readonly condition: string;
  readonly value: string;
}

/** Splits `condition=value`; `INVALID_TOKEN` when there is no `=` or no condition. */
export function parseCaveat(text: string): Caveat {
  const at = text.indexOf('=');
  if (at <= 0)
    throw new AgoraError(ErrorCode.InvalidToken, `caveat ${JSON.stringify(text)} is not condition=value`);
  return { condition: text.slice(0, at).trim(), value: text.slice(at + 1).trim() };
}

/** A service a token grants, with Aperture's tier. */
export interface ServiceGrant {
  readonly name: string;
  readonly tier: number;
}

/** `services=name:tier,...` */
export function servicesCaveat(services: readonly ServiceGrant[]): string {
  return `services=${services.map((s) => `${s.name}:${s.tier}`).join(',')}`;
}

/** `<service>_capabilities=a,b` */
export function capabilitiesCaveat(service: string, capabilities: readonly string[]): string {
  return `${service}_capabilities=${capabilities.join(',')}`;
}

/** `<service>_valid_until=<unix seconds>` */
export function validUntilCaveat(service: string, unixSeconds: number): string {
  return `${service}_valid_until=${unixSeconds}`;
}

/**
 * `agora_paid_msat=<msat>`: what the token was paid for, written at mint time. Every request it is used for must be
 * priced at most this; a later caveat may only lower it.
 */
export function paidMsatCaveat(msat: number): string {
  return `agora_paid_msat=${msat}`;
}

/** Looks up an agent's reputation score (filled in by the reputation layer). */
export interface ReputationLookup {
  score(agentId: string): Promise<number> | number;
}

/** Tells whether an agent is on the governance blacklist (filled in by the governance layer). */
export interface BlacklistLookup {
  has(agentId: string): Promise<boolean> | boolean;
}

/** What the caveats are checked against. */
export interface CaveatContext {
  readonly service: string;
  /** The capability the request needs, if any. */
  readonly capability?: string;
  /** Unix seconds. */
  readonly now: number;
  /** What this request costs (the provider's `price(request)`), msat: refused with 402 above what the token paid. */
  readonly priceMsat?: number;
  /**
   * What the token's invoice settled for, msat: the ceiling (with any `agora_paid_msat` caveat, whichever is
   * lower), so a token minted without the caveat (elsewhere, or before it existed) is still bound to its payment.
   */
  readonly paidMsat?: number;
  /** The payer's agent id, when it proved it (Agora-Payer header). */
  readonly payer?: string;
  readonly reputation?: ReputationLookup;
  readonly blacklist?: BlacklistLookup;
}

/**
 * Why caveats refused a request, and the HTTP status that says it: 401 the token, 402 a request priced above what
 * the token paid (a new token pays for it), 403 the payer.
 */
export interface CaveatRefusal {
  readonly status: 401 | 402 | 403;
  readonly reason: string;
}

function list(value: string): string[] {
  return value === '' ? [] : value.split(',').map((s) => s.trim());
}

function parseServices(value: string): ServiceGrant[] {
  return list(value).map((entry) => {
    const [name, tier = '0'] = entry.split(':');
    if (!name || !/^\d+$/.test(tier))
      throw new AgoraError(ErrorCode.InvalidToken, `bad services caveat entry ${entry}`);
    return { name, tier: Number(tier) };
  });
}

// A set, not `includes`: a caveat lists up to a header's length of items, and a quadratic check is a lever.
function subset(later: readonly string[], earlier: readonly string[]): boolean {
  const allowed = new Set(earlier);
  return later.every((item) => allowed.has(item));
}

/**
 * Checks a token's caveats for one request. Aperture's conventions: `services`, `<service>_capabilities` and
 * `<service>_valid_until`, where a later caveat may only narrow an earlier one (a widening caveat refuses the
 * token); caveats of other services do not concern this request. Agora's: `agora_payer=<id>` (the token belongs to
 * that payer), `agora_min_reputation=<n>` (later ones may only raise it), `agora_blacklist=<list>` (refuse
 * blacklisted payers), `agora_paid_msat=<msat>` (the most a request it serves may cost: 402 above it, or above
 * `context.paidMsat`), `agora_anon_reputation=<threshold>:<epoch>:<roots>` (well formed, one value; the provider
 * checks the credential itself). An `agora_` condition this version does not know refuses the token (fail closed).
 * Returns undefined when the request may proceed.
 */
export async function checkCaveats(
  caveats: readonly string[],
  context: CaveatContext,
): Promise<CaveatRefusal | undefined> {
  const refuse = (status: 401 | 402 | 403, reason: string): CaveatRefusal => ({ status, reason });
  let services: ServiceGrant[] | undefined;
  let capabilities: string[] | undefined;
  let validUntil: number | undefined;
  let boundPayer: string | undefined;
  let minReputation: number | undefined;
  let blacklist = false;
  let credential: string | undefined;
  let paid = context.paidMsat;
  let paidCaveat: number | undefined;
  for (const text of caveats) {
    let caveat: Caveat;
    try {
      caveat = parseCaveat(text);
    } catch {
      return refuse(401, `malformed caveat ${JSON.stringify(text)}`);
    }
    const { condition, value } = caveat;
    if (condition === 'services') {
      let granted: ServiceGrant[];
      try {
        granted = parseServices(value);
      } catch {
        return refuse(401, `malformed services caveat ${JSON.stringify(value)}`);
      }
      if (
        services !== undefined &&
        !subset(
          granted.map((g) => `${g.name}:${g.tier}`),
          services.map((g) => `${g.name}:${g.tier}`),
        )
      ) {
        return refuse(401, 'a services caveat widens an earlier one');
      }
      services = granted;
    } else if (condition === `${context.service}_capabilities`) {
      const granted = list(value);
      if (capabilities !== undefined && !subset(granted, capabilities))
        return refuse(401, 'a capabilities caveat widens an earlier one');
      capabilities = granted;
    } else if (condition === `${context.service}_valid_until`) {
      if (!/^\d+$/.test(value)) return refuse(401, `malformed valid_until ${JSON.stringify(value)}`);
      const until = Number(value);
      if (validUntil !== undefined && until > validUntil)
        return refuse(401, 'a valid_until caveat widens an earlier one');
      validUntil = until;
    } else if (condition === 'agora_payer') {
      if (boundPayer !== undefined && value !== boundPayer)
        return refuse(401, 'two agora_payer caveats disagree');
      boundPayer = value;
    } else if (condition === 'agora_min_reputation') {
      if (!/^\d+$/.test(value)) return refuse(401, `malformed agora_min_reputation ${JSON.stringify(value)}`);
      const minimum = Number(value);
      if (minReputation !== undefined && minimum < minReputation)
        return refuse(401, 'an agora_min_reputation caveat lowers an earlier one');
      minReputation = minimum;
    } else if (condition === 'agora_paid_msat') {
      if (!/^\d{1,15}$/.test(value)) return refuse(401, `malformed agora_paid_msat ${JSON.stringify(value)}`);
      const amount = Number(value);
      if (paidCaveat !== undefined && amount > paidCaveat)
        return refuse(401, 'an agora_paid_msat caveat raises an earlier one');
      paidCaveat = amount;
      paid = paid === undefined ? amount : Math.min(paid, amount);
    } else if (condition === 'agora_blacklist') {
      blacklist = true;
    } else if (condition === 'agora_anon_reputation') {
      // Checked by the provider against the request's Agora-Credential; here only its form and its uniqueness.
      if (credential !== undefined && value !== credential)
        return refuse(401, 'two agora_anon_reputation caveats disagree');
      try {
        parseCredentialCaveat(value);
      } catch {
        return refuse(401, `malformed agora_anon_reputation ${JSON.stringify(value.slice(0, 80))}`);
      }
      credential = value;
    } else if (condition.startsWith('agora_')) {
      return refuse(401, `unknown caveat condition ${condition}`);
    }
  }
  if (services !== undefined && !services.some((s) => s.name === context.service)) {
    return refuse(401, `the token does not grant service ${context.service}`);
  }
  if (
    context.capability !== undefined &&
    capabilities !== undefined &&
    !capabilities.includes(context.capability)
  ) {
    return refuse(401, `the token does not grant capability ${context.capability}`);
  }
  if (validUntil !== undefined && context.now >= validUntil)
    return refuse(401, `the token expired at ${validUntil}`);
  // The price check comes after the token's own validity (a 402 invites paying again, which an expired or foreign
  // token should not be told) and before the payer's (a payer refused on reputation should not be asked to pay).
  if (context.priceMsat !== undefined && paid !== undefined && context.priceMsat > paid) {
    return refuse(402, `this request costs ${context.priceMsat} msat; the token paid for ${paid} msat`);
  }
  if (boundPayer !== undefined && context.payer !== boundPayer) {
    return refuse(
      401,
      context.payer === undefined
        ? 'the token is bound to a payer: sign it in an Agora-Payer header'
        : 'the token belongs to another payer',
    );
  }
  const payer = context.payer;
  if (minReputation !== undefined) {
    if (payer === undefined)
      return refuse(403, 'this service requires a payer identity (Agora-Payer header)');
    if (context.reputation === undefined)
      return refuse(403, 'no reputation source to check agora_min_reputation');
    const score = await context.reputation.score(payer);
    if (score < minReputation)
      return refuse(403, `payer reputation ${score} is below the required ${minReputation}`);
  }
  if (blacklist) {
    if (payer === undefined)
      return refuse(403, 'this service requires a payer identity (Agora-Payer header)');
    if (context.blacklist === undefined) return refuse(403, 'no blacklist source to check agora_blacklist');
    if (await context.blacklist.has(payer)) return refuse(403, 'payer is on the governance blacklist');
  }
  return undefined;
}

/** Reputation scores held in memory: for tests, and until the reputation engine provides them. */
export class MemoryReputation implements ReputationLookup {
  private readonly scores = new Map<string, number>();

  set(agentId: string, score: number): this {
    this.scores.set(agentId, score);
    return this;
  }

  score(agentId: string): number {
    return this.scores.get(agentId) ?? 0;
  }
}

/** A blacklist held in memory: for tests, and until governance decisions feed it. */
export class MemoryBlacklist implements BlacklistLookup {
  private readonly agents = new Set<string>();

  add(agentId: string): this {
    this.agents.add(agentId);
    return this;
  }

  remove(agentId: string): this {
    this.agents.delete(agentId);
    return this;
  }

  has(agentId: string): boolean {
    return this.agents.has(agentId);
  }
}
