import { AgoraError, ErrorCode, fromHex, isLowerHex, taggedHash, toHex } from '../core/index.js';
import { type AgentKey, defaultSchnorr } from '../identity/index.js';

/** What a payer signs to show it holds a token: the token id under its own tag. */
export function payerProofMessage(tokenId: Uint8Array): Uint8Array {
  return taggedHash('agora402/l402-payer', tokenId);
}

/**
 * The `Agora-Payer` header: `<agent id>` when asking for a challenge (the provider may bind the token to it), and
 * `<agent id>; sig=<BIP-340 signature of the token id>` when using a token.
 */
export function formatPayerHeader(key: AgentKey, tokenId?: Uint8Array): string {
  if (tokenId === undefined) return key.id;
  return `${key.id}; sig=${toHex(defaultSchnorr.sign(payerProofMessage(tokenId), key.secretKey))}`;
}

/** Longest `Agora-Payer` value read: an id, a signature and their separators fit in far less. */
export const MAX_PAYER_HEADER = 512;

/**
 * Parses an `Agora-Payer` header; `INVALID_TOKEN` when malformed or longer than {@link MAX_PAYER_HEADER}. Split at
 * fixed characters and checked with anchored, fixed-length patterns: linear time whatever the input.
 */
export function parsePayerHeader(value: string): { id: string; sig?: string } {
  const malformed = () =>
    new AgoraError(
      ErrorCode.InvalidToken,
      'Agora-Payer is "<agent id>[; sig=<signature>]" in lower-case hex',
    );
  if (typeof value !== 'string' || value.length > MAX_PAYER_HEADER) throw malformed();
  const semicolon = value.indexOf(';');
  const id = (semicolon < 0 ? value : value.slice(0, semicolon)).trim();
  if (!isLowerHex(id, 32)) throw malformed();
  if (semicolon < 0) return { id };
  const rest = value.slice(semicolon + 1).trim();
  if (!rest.startsWith('sig=')) throw malformed();
  const sig = rest.slice(4).trim();
  if (!isLowerHex(sig, 64)) throw malformed();
  return { id, sig };
}

/** True when `sig` is `id`'s signature of the token id. */
export function verifyPayerProof(id: string, sig: string, tokenId: Uint8Array): boolean {
  if (!isLowerHex(id, 32) || !isLowerHex(sig, 64)) return false;
  return defaultSchnorr.verify(fromHex(sig), payerProofMessage(tokenId), fromHex(id));
}
