import { AgoraError, ErrorCode, fromHex, toHex } from '../core/index.js';

/** Aperture's token identifier: what an L402 macaroon commits to. */
export interface TokenIdentifier {
  /** 0: the only version Aperture defines. */
  readonly version: number;
  /** SHA-256 of the preimage that pays for the token. */
  readonly paymentHash: Uint8Array;
  /** 32 random bytes naming the token (and its root key). */
  readonly tokenId: Uint8Array;
}

const LENGTH = 2 + 32 + 32;

/** Writes the identifier as Aperture does: u16 big-endian version | payment hash | token id (66 bytes). */
export function encodeIdentifier(identifier: TokenIdentifier): Uint8Array {
  if (identifier.paymentHash.length !== 32 || identifier.tokenId.length !== 32) {
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'an identifier holds a 32-byte payment hash and a 32-byte token id',
    );
  }
  const out = new Uint8Array(LENGTH);
  new DataView(out.buffer).setUint16(0, identifier.version);
  out.set(identifier.paymentHash, 2);
  out.set(identifier.tokenId, 34);
  return out;
}

/**
 * Reads an identifier: Aperture's 66 raw bytes, or the 132-character hex text of them that lsat-js and boltwall
 * put in their macaroons. Only version 0 exists; anything else is `INVALID_TOKEN`.
 */
export function decodeIdentifier(bytes: Uint8Array): TokenIdentifier {
  let raw = bytes;
  if (bytes.length === 2 * LENGTH && /^[0-9a-f]+$/i.test(new TextDecoder().decode(bytes))) {
    raw = fromHex(new TextDecoder().decode(bytes));
  }
  if (raw.length !== LENGTH)
    throw new AgoraError(ErrorCode.InvalidToken, `an L402 identifier is ${LENGTH} bytes, not ${raw.length}`);
  const version = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getUint16(0);
  if (version !== 0)
    throw new AgoraError(ErrorCode.InvalidToken, `unknown L402 identifier version ${version}`);
  return { version, paymentHash: raw.slice(2, 34), tokenId: raw.slice(34, 66) };
}

/** Hex of a token id: the key its root key is stored under. */
export function tokenIdHex(identifier: TokenIdentifier): string {
  return toHex(identifier.tokenId);
}
