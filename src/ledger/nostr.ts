import {
  finalizeEvent,
  generateSecretKey,
  getEventHash,
  type Event as NostrEvent,
  validateEvent,
} from 'nostr-tools/pure';
import { AgoraError, ErrorCode, fromHex, isJsonObject, isLowerHex, parseJson } from '../core/index.js';
import { type AgentKey, defaultSchnorr } from '../identity/index.js';
import type { LedgerEvent } from './event.js';
import { parseEnvelope } from './event.js';

/**
 * The Nostr kind that carries agora402 ledger events: a regular kind (1000-9999), so relays store every one.
 * Ledgers replicate through Nostr relays; each event travels whole, in canonical JSON, and is verified
 * again by every ledger that imports it.
 */
export const AGORA_NOSTR_KIND = 4402;

/**
 * Wraps a ledger event in a Nostr event. A signed event travels under its author's own key (the same BIP-340 key, so
 * relays and readers see who published it); an anonymous vote under `oneTimeKey` (default: a fresh key), so votes stay
 * unlinkable to each other and to their voters. Tags: `t` the event type, `x` the event id (for deduplication and
 * lookups), `proposal` the proposal an event refers to.
 */
export function toNostrEvent(
  event: unknown,
  signer: { author?: AgentKey; oneTimeKey?: Uint8Array } = {},
): NostrEvent {
  const { event: parsed, id, canonical } = parseEnvelope(event);
  let secretKey: Uint8Array;
  if (parsed.author !== undefined) {
    if (signer.author?.id !== parsed.author)
      throw new AgoraError(ErrorCode.InvalidArgument, "a signed event is published under its author's key");
    secretKey = signer.author.secretKey;
  } else {
    secretKey = signer.oneTimeKey ?? generateSecretKey();
  }
  const tags = [
    ['t', parsed.type],
    ['x', id],
  ];
  const body = parsed.body;
  if (isJsonObject(body) && isLowerHex(body.proposal, 32)) tags.push(['proposal', body.proposal]);
  if (parsed.type === 'proposal.created') tags.push(['proposal', id]);
  return finalizeEvent(
    { kind: AGORA_NOSTR_KIND, created_at: parsed.created, tags, content: canonical },
    secretKey,
  );
}

/**
 * Unwraps a Nostr event received from a relay: its own signature and id, the kind, the ledger event in its content
 * (envelope checked), the `x` tag naming that event's id, `created_at` equal to the event's `created`, and for signed events the Nostr key being the author's (a
 * relay cannot pass off one agent's event as published by another). The ledger's own verification comes after, on
 * import. `INVALID_EVENT` (or `INVALID_SIGNATURE`) for anything else.
 */
export function fromNostrEvent(nostr: unknown): { id: string; event: LedgerEvent } {
  if (!isJsonObject(nostr)) throw new AgoraError(ErrorCode.InvalidEvent, 'a Nostr event is an object');
  // Only the seven fields are taken: nostr-tools caches verdicts on event objects under a symbol, which a spread
  // copy would carry along with changed fields.
  const { id: nostrId, pubkey, created_at, kind, tags, content, sig } = nostr as unknown as NostrEvent;
  const candidate = { id: nostrId, pubkey, created_at, kind, tags, content, sig } as NostrEvent;
  // The id is recomputed with nostr-tools; the signature checked with the ledger's WASM Schnorr (several times
  // faster than nostr-tools' own, which matters when a whole relay's history is pulled).
  let valid = false;
  try {
    valid =
      validateEvent(candidate) &&
      isLowerHex(candidate.id, 32) &&
      isLowerHex(candidate.sig, 64) &&
      getEventHash(candidate) === candidate.id &&
      defaultSchnorr.verify(fromHex(candidate.sig), fromHex(candidate.id), fromHex(candidate.pubkey));
  } catch {
    valid = false;
  }
  if (!valid)
    throw new AgoraError(ErrorCode.InvalidSignature, 'the Nostr event id or signature does not verify');
  if (candidate.kind !== AGORA_NOSTR_KIND)
    throw new AgoraError(
      ErrorCode.InvalidEvent,
      `Nostr kind ${candidate.kind} does not carry agora402 events`,
    );
  const { event, id } = parseEnvelope(parseJson(candidate.content));
  const tagged = candidate.tags.find((tag) => tag[0] === 'x')?.[1];
  if (tagged !== id)
    throw new AgoraError(ErrorCode.InvalidEvent, 'the x tag does not name the event carried');
  // The relay filters and orders by the Nostr `created_at`, and a follower's position is made of them: a value other
  // than the event's own `created` would let a publisher place a valid event where followers never look.
  if (candidate.created_at !== event.created)
    throw new AgoraError(ErrorCode.InvalidEvent, "the Nostr created_at is not the event's created");
  if (event.author !== undefined && event.author !== candidate.pubkey)
    throw new AgoraError(ErrorCode.InvalidEvent, "a signed event must be published under its author's key");
  return { id, event };
}
