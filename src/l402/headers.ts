import { AgoraError, ErrorCode } from '../core/index.js';

/** One L402 (or older LSAT) challenge from a `WWW-Authenticate` header. */
export interface Challenge {
  readonly scheme: 'L402' | 'LSAT';
  /** `version` parameter of the current specification, when sent. */
  readonly version?: string;
  /** Macaroons as received (base64), from `token=` or the older `macaroon=`. */
  readonly tokens: string[];
  readonly invoice: string;
}

/** The parts of an `Authorization: L402 <tokens>:<preimage>` header. */
export interface Authorization {
  readonly scheme: 'L402' | 'LSAT';
  readonly tokens: string[];
  /** 64 lower-case hex characters. */
  readonly preimage: string;
}

const MAX_HEADER = 16 * 1024;
const SCHEMES = new Set(['L402', 'LSAT']);

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidToken, `invalid L402 header: ${message}`);
}

// At each position: separators, then either `name = value` (quoted, or bare up to a space or comma, so that bare
// base64 keeps its '=' padding) or a bare word, which starts a new challenge (its scheme).
const PART = /[\s,]*(?:([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"([^"]*)"|([^\s,"]*))|([A-Za-z][A-Za-z0-9_-]*))/y;

/**
 * Parses every L402/LSAT challenge in a `WWW-Authenticate` value (several may share one header). Accepts what
 * servers send in the wild: `token=` (current specification) or `macaroon=` (Aperture, older clients), parameters in
 * any order, quoted or bare values, missing or extra commas and spaces, schemes and keys in any case. Challenges of
 * other schemes are skipped. Throws `INVALID_TOKEN` when no usable L402 challenge is present.
 */
export function parseChallenges(value: string): Challenge[] {
  if (typeof value !== 'string' || value.length > MAX_HEADER) invalid('missing or too long');
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  let current: { scheme: string; params: Map<string, string> } | undefined;
  PART.lastIndex = 0;
  while (PART.lastIndex < value.length) {
    if (/^[\s,]*$/.test(value.slice(PART.lastIndex))) break;
    const match = PART.exec(value);
    if (match === null) invalid(`unexpected character at ${PART.lastIndex}`);
    const [, name, quoted, bare, scheme] = match;
    if (scheme !== undefined) {
      current = { scheme: scheme.toUpperCase(), params: new Map() };
      challenges.push(current);
    } else {
      if (current === undefined) invalid(`parameter ${name} before any scheme`);
      current.params.set((name as string).toLowerCase(), quoted ?? bare ?? '');
    }
  }
  const result: Challenge[] = [];
  for (const { scheme, params } of challenges) {
    if (!SCHEMES.has(scheme)) continue;
    const token = params.get('token') ?? params.get('macaroon');
    const invoice = params.get('invoice');
    if (token === undefined || token === '' || invoice === undefined || invoice === '') continue;
    const version = params.get('version');
    result.push({
      scheme: scheme as 'L402' | 'LSAT',
      ...(version === undefined ? {} : { version }),
      tokens: token
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
      invoice: invoice.trim(),
    });
  }
  if (result.length === 0) invalid('no L402 or LSAT challenge with a token and an invoice');
  return result;
}

/** The first usable challenge, L402 preferred over LSAT. */
export function parseChallenge(value: string): Challenge {
  const challenges = parseChallenges(value);
  return challenges.find((c) => c.scheme === 'L402') ?? (challenges[0] as Challenge);
}

/**
 * Writes the current specification's challenge: `L402 version="0", token="…", invoice="…"`. With `legacy`, also
 * Aperture's `macaroon=` parameter and an `LSAT` challenge for older clients (as separate header values).
 */
export function formatChallenges(
  token: string,
  invoice: string,
  options: { legacy?: boolean } = {},
): string[] {
  const current = `L402 version="0", token="${token}", invoice="${invoice}"`;
  if (!options.legacy) return [current];
  return [
    `L402 version="0", token="${token}", macaroon="${token}", invoice="${invoice}"`,
    `LSAT macaroon="${token}", invoice="${invoice}"`,
  ];
}

/**
 * Parses `Authorization: L402 <base64>[,<base64>…]:<preimage hex>` (or `LSAT`), scheme case-insensitive, spaces
 * tolerated around separators. Throws `INVALID_TOKEN` on anything else.
 */
export function parseAuthorization(value: string): Authorization {
  if (typeof value !== 'string' || value.length > MAX_HEADER) invalid('missing or too long');
  const match = /^\s*(l402|lsat)\s+(.+?)\s*:\s*([0-9a-fA-F]{64})\s*$/i.exec(value);
  if (match === null) invalid('expected "L402 <token>:<64 hex preimage>"');
  const [, scheme, tokenList, preimage] = match as unknown as [string, string, string, string];
  const tokens = tokenList.split(',').map((t) => t.trim());
  if (tokens.length === 0 || tokens.some((t) => !/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)))
    invalid('tokens must be base64');
  return { scheme: scheme.toUpperCase() as 'L402' | 'LSAT', tokens, preimage: preimage.toLowerCase() };
}

/** Writes `L402 <tokens>:<preimage>`. */
export function formatAuthorization(tokens: readonly string[], preimage: string): string {
  return `L402 ${tokens.join(',')}:${preimage}`;
}
