import {
  AgoraError,
  canonicalJson,
  ErrorCode,
  fromHex,
  isLowerHex,
  taggedHash,
  toHex,
  utf8,
} from '../core/index.js';
import { type AgentKey, defaultSchnorr } from '../identity/index.js';

/**
 * What a payer proof is about: one token at one provider for one service. A proof over the token id alone could be
 * relayed: a provider that sold the payer a macaroon carrying another provider's token id captured the proof and
 * replayed it there, borrowing the payer's reputation (docs/security.md, l402-payer-proof-relay).
 */
export interface PayerProofTarget {
  /** The macaroon's whole identifier, as it is in the macaroon (payment hash and token id). */
  readonly identifier: Uint8Array;
  /**
   * The provider's Lightning node key (33 bytes, hex): the payee of the invoice the payer paid for this token. The
   * payer learns it from the invoice's signature, so a relaying provider cannot present another provider's; the
   * provider knows its own from its backend.
   */
  readonly provider: string;
  /** The service the token was sold for (its `services` caveat). */
  readonly service: string;
}

/** What a payer signs to show it holds a token: the whole identifier, the provider and the service, tagged. */
export function payerProofMessage(target: PayerProofTarget): Uint8Array {
  return taggedHash(
    'agora402/l402-payer/v2',
    utf8(
      canonicalJson({
        identifier: toHex(target.identifier),
        provider: target.provider,
        service: target.service,
      }),
    ),
  );
}

/**
 * The `Agora-Payer` header: `<agent id>` when asking for a challenge (the provider may bind the token to it, and
 * refuse before invoicing a payer its policy would refuse; it grants nothing), and
 * `<agent id>; sig=<BIP-340 signature of payerProofMessage(target)>` when using a token.
 */
export function formatPayerHeader(key: AgentKey, target?: PayerProofTarget): string {
  if (target === undefined) return key.id;
  return `${key.id}; sig=${toHex(defaultSchnorr.sign(payerProofMessage(target), key.secretKey))}`;
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

/** True when `sig` is `id`'s signature of {@link payerProofMessage} for `target`. */
export function verifyPayerProof(id: string, sig: string, target: PayerProofTarget): boolean {
  if (!isLowerHex(id, 32) || !isLowerHex(sig, 64)) return false;
  return defaultSchnorr.verify(fromHex(sig), payerProofMessage(target), fromHex(id));
}
