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

/** Parses an `Agora-Payer` header; `INVALID_TOKEN` when malformed. */
export function parsePayerHeader(value: string): { id: string; sig?: string } {
  const match = /^\s*([0-9a-f]{64})\s*(?:;\s*sig=([0-9a-f]{128})\s*)?$/.exec(value);
  if (match === null)
    throw new AgoraError(
      ErrorCode.InvalidToken,
      'Agora-Payer is "<agent id>[; sig=<signature>]" in lower-case hex',
    );
  const [, id, sig] = match as unknown as [string, string, string | undefined];
  return sig === undefined ? { id } : { id, sig };
}

/** True when `sig` is `id`'s signature of the token id. */
export function verifyPayerProof(id: string, sig: string, tokenId: Uint8Array): boolean {
  if (!isLowerHex(id, 32) || !isLowerHex(sig, 64)) return false;
  return defaultSchnorr.verify(fromHex(sig), payerProofMessage(tokenId), fromHex(id));
}
