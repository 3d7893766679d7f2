import {
  AgoraError,
  bytesEqual,
  ErrorCode,
  fromBase64,
  fromBase64Url,
  fromUtf8,
  hmacSha256,
  toBase64,
  utf8,
} from '../core/index.js';
import { isBase64Token } from './headers.js';

/** A macaroon with first-party caveats: what L402 tokens are. */
export interface Macaroon {
  readonly location: string;
  readonly identifier: Uint8Array;
  /** First-party caveat conditions, in order. */
  readonly caveats: readonly string[];
  readonly signature: Uint8Array;
}

// Field types of the V2 binary format (libmacaroons, go-macaroon).
const FIELD_EOS = 0;
const FIELD_LOCATION = 1;
const FIELD_IDENTIFIER = 2;
const FIELD_VID = 4;
const FIELD_SIGNATURE = 6;
const VERSION_2 = 2;
const MAX_FIELD = 64 * 1024;
/** Longest macaroon decoded (base64 characters, or bytes): checked before any decoding, as L402 headers are capped. */
export const MAX_MACAROON = 16 * 1024;
/** Most caveats in one macaroon: each costs an HMAC on every full verification, so their number is bounded. */
export const MAX_CAVEATS = 64;

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidToken, `invalid macaroon: ${message}`);
}

const keyGenerator = utf8('macaroons-key-generator');

/** The key a macaroon's HMAC chain starts from: `HMAC-SHA256("macaroons-key-generator", rootKey)`. */
export function derivedKey(rootKey: Uint8Array): Uint8Array {
  return hmacSha256(keyGenerator, rootKey);
}

/** The signature of `identifier` and `caveats` under `rootKey`: the HMAC chain of the macaroon construction. */
export function macaroonSignature(
  rootKey: Uint8Array,
  identifier: Uint8Array,
  caveats: readonly string[],
): Uint8Array {
  let signature = hmacSha256(derivedKey(rootKey), identifier);
  for (const caveat of caveats) signature = hmacSha256(signature, utf8(caveat));
  return signature;
}

/** Mints a macaroon: `rootKey` is secret and stays with the minter. */
export function mintMacaroon(options: {
  rootKey: Uint8Array;
  identifier: Uint8Array;
  location?: string;
  caveats?: readonly string[];
}): Macaroon {
  const caveats = [...(options.caveats ?? [])];
  return {
    location: options.location ?? '',
    identifier: Uint8Array.from(options.identifier),
    caveats,
    signature: macaroonSignature(options.rootKey, options.identifier, caveats),
  };
}

/** Adds a first-party caveat; anyone holding a macaroon can do this (attenuation), nobody can remove one. */
export function addCaveat(macaroon: Macaroon, caveat: string): Macaroon {
  return {
    ...macaroon,
    caveats: [...macaroon.caveats, caveat],
    signature: hmacSha256(macaroon.signature, utf8(caveat)),
  };
}

/** True when the HMAC chain of `macaroon` under `rootKey` gives its signature (constant-time comparison). */
export function verifyMacaroonSignature(macaroon: Macaroon, rootKey: Uint8Array): boolean {
  return bytesEqual(macaroonSignature(rootKey, macaroon.identifier, macaroon.caveats), macaroon.signature);
}

function pushVarint(out: number[], value: number): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

function pushField(out: number[], type: number, data: Uint8Array): void {
  out.push(type);
  pushVarint(out, data.length);
  for (const byte of data) out.push(byte);
}

/** Serializes in the V2 binary format, byte-compatible with go-macaroon (and so Aperture). */
export function encodeMacaroon(macaroon: Macaroon): Uint8Array {
  const out: number[] = [VERSION_2];
  if (macaroon.location !== '') pushField(out, FIELD_LOCATION, utf8(macaroon.location));
  pushField(out, FIELD_IDENTIFIER, macaroon.identifier);
  out.push(FIELD_EOS);
  for (const caveat of macaroon.caveats) {
    pushField(out, FIELD_IDENTIFIER, utf8(caveat));
    out.push(FIELD_EOS);
  }
  out.push(FIELD_EOS);
  pushField(out, FIELD_SIGNATURE, macaroon.signature);
  return Uint8Array.from(out);
}

/** Base64 as L402 headers carry it (standard alphabet, padded). */
export function encodeMacaroonBase64(macaroon: Macaroon): string {
  return toBase64(encodeMacaroon(macaroon));
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  byte(): number {
    if (this.at >= this.bytes.length) invalid('truncated');
    return this.bytes[this.at++] as number;
  }

  peek(): number | undefined {
    return this.bytes[this.at];
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return invalid('varint too long');
  }

  field(): { type: number; data: Uint8Array } {
    const type = this.byte();
    if (type === FIELD_EOS) return { type, data: new Uint8Array(0) };
    const length = this.varint();
    if (length > MAX_FIELD || this.at + length > this.bytes.length) invalid('field longer than the macaroon');
    const data = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return { type, data };
  }
}

function text(data: Uint8Array, what: string): string {
  try {
    return fromUtf8(data);
  } catch {
    return invalid(`${what} is not UTF-8`);
  }
}

/**
 * Parses a V2 binary macaroon, or its base64 (standard or URL-safe, padded or not, as found in the wild).
 * Throws {@link AgoraError} `INVALID_TOKEN` on anything else. Third-party caveats are refused: L402 needs none.
 */
export function decodeMacaroon(input: Uint8Array | string): Macaroon {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    if (input.length > MAX_MACAROON) invalid(`longer than ${MAX_MACAROON} characters`);
    const trimmed = input.trim();
    if (!isBase64Token(trimmed)) invalid('not base64');
    let end = trimmed.length;
    while (end > 0 && trimmed.charCodeAt(end - 1) === 0x3d) end--;
    const unpadded = trimmed.slice(0, end);
    if (unpadded.length % 4 === 1) invalid('not base64');
    const padded = unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4);
    try {
      bytes = /[-_]/.test(padded) ? fromBase64Url(padded) : fromBase64(padded);
    } catch {
      return invalid('not base64');
    }
  } else if (input instanceof Uint8Array) {
    if (input.length > MAX_MACAROON) invalid(`longer than ${MAX_MACAROON} bytes`);
    bytes = input;
  } else {
    return invalid('expected bytes or base64');
  }
  const reader = new Reader(bytes);
  if (reader.byte() !== VERSION_2) invalid('not a version 2 macaroon');
  let field = reader.field();
  let location = '';
  if (field.type === FIELD_LOCATION) {
    location = text(field.data, 'location');
    field = reader.field();
  }
  if (field.type !== FIELD_IDENTIFIER) invalid('no identifier');
  const identifier = Uint8Array.from(field.data);
  if (reader.field().type !== FIELD_EOS) invalid('unexpected field after the identifier');
  const caveats: string[] = [];
  for (;;) {
    field = reader.field();
    if (field.type === FIELD_EOS) break;
    if (field.type === FIELD_LOCATION) invalid('third-party caveats are not supported');
    if (field.type !== FIELD_IDENTIFIER) invalid(`unexpected field ${field.type} in a caveat`);
    const caveat = text(field.data, 'caveat');
    const next = reader.field();
    if (next.type === FIELD_VID) invalid('third-party caveats are not supported');
    if (next.type !== FIELD_EOS) invalid('caveat not terminated');
    if (caveats.length >= MAX_CAVEATS) invalid(`more than ${MAX_CAVEATS} caveats`);
    caveats.push(caveat);
  }
  field = reader.field();
  if (field.type !== FIELD_SIGNATURE || field.data.length !== 32) invalid('no 32-byte signature');
  if (!reader.done) invalid('trailing bytes');
  return { location, identifier, caveats, signature: Uint8Array.from(field.data) };
}
