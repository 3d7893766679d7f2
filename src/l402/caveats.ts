import { AgoraError, ErrorCode } from '../core/index.js';

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
  /** The payer's agent id, when it proved it (Agora-Payer header). */
  readonly payer?: string;
  readonly reputation?: ReputationLookup;
  readonly blacklist?: BlacklistLookup;
}

/** Why caveats refused a request, and the HTTP status that says it: 401 the token, 403 the payer. */
export interface CaveatRefusal {
  readonly status: 401 | 403;
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
 * blacklisted payers). An `agora_` condition this version does not know refuses the token (fail closed).
 * Returns undefined when the request may proceed.
 */
export async function checkCaveats(
  caveats: readonly string[],
  context: CaveatContext,
): Promise<CaveatRefusal | undefined> {
  const refuse = (status: 401 | 403, reason: string): CaveatRefusal => ({ status, reason });
  let services: ServiceGrant[] | undefined;
  let capabilities: string[] | undefined;
  let validUntil: number | undefined;
  let boundPayer: string | undefined;
  let minReputation: number | undefined;
  let blacklist = false;
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
    } else if (condition === 'agora_blacklist') {
      blacklist = true;
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
