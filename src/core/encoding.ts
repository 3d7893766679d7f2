import { base64, base64url, hex } from '@scure/base';
import { AgoraError, ErrorCode } from './errors.js';

function decodeWith(name: string, decode: (text: string) => Uint8Array, text: string): Uint8Array {
  if (typeof text !== 'string') {
    throw new AgoraError(ErrorCode.InvalidEncoding, `${name}: expected a string, got ${typeof text}`);
  }
  try {
    return decode(text);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidEncoding, `not valid ${name}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/**
 * Decodes hex (either case). With `length`, also requires exactly that many bytes.
 * Throws {@link AgoraError} `INVALID_ENCODING`.
 */
export function fromHex(text: string, length?: number): Uint8Array {
  const bytes = decodeWith('hex', (t) => hex.decode(t.toLowerCase()), text);
  if (length !== undefined && bytes.length !== length) {
    throw new AgoraError(ErrorCode.InvalidEncoding, `expected ${length} bytes of hex, got ${bytes.length}`);
  }
  return bytes;
}

/** True when `text` is lower-case hex of exactly `length` bytes: the form agora402 writes ids and keys in. */
export function isLowerHex(text: unknown, length: number): text is string {
  return typeof text === 'string' && text.length === length * 2 && /^[0-9a-f]*$/.test(text);
}

/**
 * True when `text` is a canonical non-negative decimal integer of at most 77 digits (no sign, no leading zero): the
 * one spelling of each number, so that equal values are equal strings (nullifiers, weights, field elements).
 */
export function isDecimal(text: unknown): text is string {
  return typeof text === 'string' && /^(0|[1-9][0-9]{0,76})$/.test(text);
}

/** Standard padded base64 (RFC 4648 section 4). */
export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Decodes standard padded base64. Throws {@link AgoraError} `INVALID_ENCODING`. */
export function fromBase64(text: string): Uint8Array {
  return decodeWith('base64', (t) => base64.decode(t), text);
}

/** URL-safe base64 with padding (RFC 4648 section 5), as LND's REST gateway wants in URL paths. */
export function toBase64Url(bytes: Uint8Array): string {
  return base64url.encode(bytes);
}

/** Decodes URL-safe base64 with padding. Throws {@link AgoraError} `INVALID_ENCODING`. */
export function fromBase64Url(text: string): Uint8Array {
  return decodeWith('base64url', (t) => base64url.decode(t), text);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes strict UTF-8. Throws {@link AgoraError} `INVALID_ENCODING` on invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidEncoding, 'not valid UTF-8', { cause });
  }
}

/** Constant-time comparison of two byte arrays (length is not secret). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
