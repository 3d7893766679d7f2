import {
  AgoraError,
  type Clock,
  canonicalJson,
  ErrorCode,
  isJsonObject,
  isLowerHex,
  type JsonValue,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import {
  type AgentKey,
  type AgoraObject,
  isTypeName,
  objectId,
  objectIdWithContent,
  signObject,
} from '../identity/index.js';

/**
 * One ledger event. Signed types carry `author` and `sig`; anonymous types (votes) carry a `proof` instead.
 * The id is the tagged hash of everything but `sig` and `proof` (see `objectId`).
 */
export interface LedgerEvent {
  v: 1;
  type: string;
  /** Unix seconds at which the author made the event. */
  created: number;
  author?: string;
  body: JsonValue;
  sig?: string;
  proof?: JsonValue;
}

/** An event as stored: its id, its position in this replica's append order, and the event. */
export interface StoredEvent {
  readonly id: string;
  /** Local append order, starting at 1. Differs between replicas; never part of derived state. */
  readonly seq: number;
  readonly event: LedgerEvent;
}

/** Largest canonical event accepted; votes with proofs are far below it. */
export const MAX_EVENT_BYTES = 64 * 1024;

/** An event whose envelope passed {@link parseEnvelope}. */
export interface ParsedEnvelope {
  readonly event: LedgerEvent;
  /** Hex of `idBytes`. */
  readonly id: string;
  readonly idBytes: Uint8Array;
  /** The whole event (with `sig`/`proof`) as canonical JSON: the form stored and exported. */
  readonly canonical: string;
}

const ENVELOPE_FIELDS = new Set(['v', 'type', 'created', 'author', 'body', 'sig', 'proof']);

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, message);
}

/**
 * Checks the envelope of an untrusted value (fields, types, size) and returns it as an event with its id.
 * Says nothing about signatures or the body: those are the registry's and verifier's business.
 */
export function parseEnvelope(raw: unknown): ParsedEnvelope {
  if (!isJsonObject(raw)) invalid('an event is a JSON object');
  for (const field of Object.keys(raw)) {
    if (!ENVELOPE_FIELDS.has(field)) invalid(`unknown event field ${JSON.stringify(field)}`);
  }
  if (raw.v !== 1) invalid(`unsupported event version ${JSON.stringify(raw.v ?? null)}`);
  if (!isTypeName(raw.type)) invalid(`invalid event type ${JSON.stringify(raw.type ?? null)}`);
  const created = raw.created;
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created < 0) {
    invalid('created must be a non-negative integer (unix seconds)');
  }
  if (!('body' in raw)) invalid('an event has a body');
  if (raw.author !== undefined && !isLowerHex(raw.author, 32))
    invalid('author must be 32 bytes of lower-case hex');
  if (raw.sig !== undefined && !isLowerHex(raw.sig, 64)) invalid('sig must be 64 bytes of lower-case hex');
  const event = raw as unknown as LedgerEvent;
  let canonical: string;
  let idBytes: Uint8Array | undefined;
  try {
    const signed = signedCanonical(event);
    idBytes = signed?.id;
    canonical = signed?.canonical ?? canonicalJson(event);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidEvent, `event is not canonical JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (canonical.length > MAX_EVENT_BYTES) invalid(`event is larger than ${MAX_EVENT_BYTES} bytes`);
  idBytes ??= objectId(raw as AgoraObject);
  return { event, id: toHex(idBytes), idBytes, canonical };
}

/**
 * For a signed event (a `sig`, no `proof` field), its id and its canonical JSON from one canonicalization: the
 * content the id hashes is the event without `sig`, and sorted keys put `sig` (lower-case hex, checked by the
 * caller) just before `type` and `v`, which end every event. Undefined for any other event, canonicalized in full.
 */
function signedCanonical(event: LedgerEvent): { id: Uint8Array; canonical: string } | undefined {
  if (typeof event.sig !== 'string' || 'proof' in event) return undefined;
  const { id, content } = objectIdWithContent(event as unknown as AgoraObject);
  const tail = `"type":${JSON.stringify(event.type)},"v":1}`;
  if (!content.endsWith(tail)) return undefined;
  const at = content.length - tail.length;
  return { id, canonical: `${content.slice(0, at)}"sig":"${event.sig}",${content.slice(at)}` };
}

/** Signs an event of `type` as `key`, made now by `clock` (default: the system clock). */
export function signEvent(
  key: AgentKey,
  type: string,
  body: JsonValue,
  options: { clock?: Clock } = {},
): LedgerEvent {
  return signObject(key, {
    v: 1,
    type,
    created: unixSeconds(options.clock ?? systemClock),
    body,
  }) as LedgerEvent;
}
