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

/** Longest header value parsed, checked before any parsing: a proxy or client never needs more. */
export const MAX_HEADER = 16 * 1024;
/** Most tokens in one `Authorization` value (L402 uses one; a few are tolerated for delegation chains). */
export const MAX_TOKENS = 16;
/**
 * Most items (schemes and parameters, of any scheme) read from one `WWW-Authenticate` value: real servers send a
 * few challenges of a few parameters each, and a cap on items keeps the allocation per header small.
 */
export const MAX_CHALLENGE_ITEMS = 64;
const SCHEMES = new Set(['L402', 'LSAT']);

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidToken, `invalid L402 header: ${message}`);
}

// Character tests by code, not by regular expression: every parser here reads each character a bounded number of
// times, so its cost is linear in the (capped) input whatever the input is. A backtracking pattern on attacker
// text froze the event loop for seconds (docs/security.md, l402-header-redos).
function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0xfeff;
}

function isNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isNamePart(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d;
}

function isBase64(code: number): boolean {
  return isNamePart(code) || code === 0x2b || code === 0x2f;
}

/** True for base64 (standard or URL-safe) with at most two `=` of padding, in one linear pass. */
export function isBase64Token(text: string): boolean {
  let at = 0;
  while (at < text.length && isBase64(text.charCodeAt(at))) at++;
  if (at === 0) return false;
  const padding = text.length - at;
  if (padding > 2) return false;
  for (; at < text.length; at++) if (text.charCodeAt(at) !== 0x3d) return false;
  return true;
}

function isHex64(text: string): boolean {
  if (text.length !== 64) return false;
  for (let at = 0; at < 64; at++) {
    const code = text.charCodeAt(at);
    const hex =
      (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46);
    if (!hex) return false;
  }
  return true;
}

/**
 * Parses every L402/LSAT challenge in a `WWW-Authenticate` value (several may share one header). Accepts what
 * servers send in the wild: `token=` (current specification) or `macaroon=` (Aperture, older clients), parameters in
 * any order, quoted or bare values, missing or extra commas and spaces, schemes and keys in any case. Challenges of
 * other schemes are skipped. Throws `INVALID_TOKEN` when no usable L402 challenge is present, and on values longer
 * than {@link MAX_HEADER}. Linear time: one left-to-right scan.
 */
export function parseChallenges(value: string): Challenge[] {
  if (typeof value !== 'string' || value.length > MAX_HEADER) invalid('missing or too long');
  const challenges: { scheme: string; params: Map<string, string> }[] = [];
  let current: { scheme: string; params: Map<string, string> } | undefined;
  const length = value.length;
  let at = 0;
  let items = 0;
  const skipSpaces = () => {
    while (at < length && isSpace(value.charCodeAt(at))) at++;
  };
  for (;;) {
    // Separators, then either `name = value` (quoted, or bare up to a space, comma or quote, so that bare base64
    // keeps its '=' padding) or a bare word, which starts a new challenge (its scheme).
    while (at < length && (isSpace(value.charCodeAt(at)) || value.charCodeAt(at) === 0x2c)) at++;
    if (at >= length) break;
    if (!isNameStart(value.charCodeAt(at))) invalid(`unexpected character at ${at}`);
    if (++items > MAX_CHALLENGE_ITEMS) invalid(`more than ${MAX_CHALLENGE_ITEMS} schemes and parameters`);
    const nameStart = at;
    while (at < length && isNamePart(value.charCodeAt(at))) at++;
    const name = value.slice(nameStart, at);
    const afterName = at;
    skipSpaces();
    if (value.charCodeAt(at) !== 0x3d) {
      // No '=': the word is a scheme; what follows it is read from just after the word.
      at = afterName;
      current = { scheme: name.toUpperCase(), params: new Map() };
      challenges.push(current);
      continue;
    }
    at++;
    skipSpaces();
    let parameter: string;
    if (value.charCodeAt(at) === 0x22) {
      const close = value.indexOf('"', at + 1);
      if (close < 0) invalid(`unterminated quoted value at ${at}`);
      parameter = value.slice(at + 1, close);
      at = close + 1;
    } else {
      const start = at;
      while (at < length) {
        const code = value.charCodeAt(at);
        if (isSpace(code) || code === 0x2c || code === 0x22) break;
        at++;
      }
      parameter = value.slice(start, at);
    }
    if (current === undefined) invalid(`parameter ${name} before any scheme`);
    current.params.set(name.toLowerCase(), parameter);
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
 * tolerated around separators. Throws `INVALID_TOKEN` on anything else, on values longer than {@link MAX_HEADER}
 * and on more than {@link MAX_TOKENS} tokens. Linear time: the value is split at fixed characters, never matched
 * by a pattern that could backtrack.
 */
export function parseAuthorization(value: string): Authorization {
  if (typeof value !== 'string' || value.length > MAX_HEADER) invalid('missing or too long');
  const expected = 'expected "L402 <token>:<64 hex preimage>"';
  const text = value.trim();
  let at = 0;
  while (at < text.length && !isSpace(text.charCodeAt(at))) at++;
  const scheme = text.slice(0, at).toUpperCase();
  if (scheme !== 'L402' && scheme !== 'LSAT') invalid(expected);
  const colon = text.lastIndexOf(':');
  if (colon <= at) invalid(expected);
  const preimage = text.slice(colon + 1).trim();
  if (!isHex64(preimage)) invalid(expected);
  const tokens = text.slice(at, colon).split(',', MAX_TOKENS + 1);
  if (tokens.length > MAX_TOKENS) invalid(`more than ${MAX_TOKENS} tokens`);
  for (let i = 0; i < tokens.length; i++) tokens[i] = (tokens[i] as string).trim();
  if (!tokens.every(isBase64Token)) invalid('tokens must be base64');
  return { scheme, tokens, preimage: preimage.toLowerCase() };
}

/** Writes `L402 <tokens>:<preimage>`. */
export function formatAuthorization(tokens: readonly string[], preimage: string): string {
  return `L402 ${tokens.join(',')}:${preimage}`;
}

/**
 * The header of a 401 asking an unpaid request for `Agora-Payer`: an invoice of the provider's node (never to be
 * paid), whose signature names the node key the payer checks its credential history against before sending its id.
 */
export const NODE_INVOICE_HEADER = 'agora-node-invoice';
