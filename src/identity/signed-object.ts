import { randomBytes } from 'node:crypto';
import {
  AgoraError,
  canonicalJson,
  ErrorCode,
  fromHex,
  isLowerHex,
  type JsonValue,
  taggedHash,
  toHex,
  utf8,
} from '../core/index.js';
import type { AgentKey } from './agent-key.js';
import { defaultSchnorr, type SchnorrBackend, type SchnorrVerifier } from './schnorr.js';
import { type SchnorrPool, sharedSchnorrPool } from './schnorr-pool.js';

/** The fields every agora402 object carries; anything else is part of the signed content too. */
export interface AgoraObject {
  /** Format version of the object. */
  v: number;
  /** Dotted lower-case type name such as `agent.registered`; also the hash tag's suffix. */
  type: string;
  body: JsonValue;
  [field: string]: JsonValue;
}

/** An object signed by an agent: `author` is its x-only key in hex and `sig` a BIP-340 signature of the id. */
export interface SignedObject extends AgoraObject {
  author: string;
  sig: string;
}

const TYPE_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/** True when `type` is a well-formed object type name. */
export function isTypeName(type: unknown): type is string {
  return typeof type === 'string' && type.length <= 64 && TYPE_NAME.test(type);
}

/**
 * The object's id: `taggedHash("agora402/" + type, canonicalJson(object without sig and proof))`.
 * This is the only serialization agora402 ever signs.
 */
export function objectId(object: AgoraObject): Uint8Array {
  return objectIdWithContent(object).id;
}

/**
 * The object's id with the canonical JSON it hashes (the object without `sig` and `proof`): for callers that need
 * that text too, so that the object is canonicalized once (a ledger derives the stored form of an event from
 * it).
 */
export function objectIdWithContent(object: AgoraObject): {
  readonly id: Uint8Array;
  readonly content: string;
} {
  if (!isTypeName(object.type)) {
    throw new AgoraError(ErrorCode.InvalidEvent, `invalid object type ${JSON.stringify(object.type)}`);
  }
  const { sig: _sig, proof: _proof, ...rest } = object;
  const content = canonicalJson(rest);
  return { id: taggedHash(`agora402/${object.type}`, utf8(content)), content };
}

/** Signs `object` as `key`: sets `author`, then signs the id with BIP-340. Returns a new object. */
export function signObject<T extends AgoraObject>(
  key: AgentKey,
  object: T,
  backend: SchnorrBackend = defaultSchnorr,
): T & SignedObject {
  const { sig: _sig, ...unsigned } = object;
  const withAuthor = { ...unsigned, author: key.id } as T & { author: string };
  const id = objectId(withAuthor);
  return { ...withAuthor, sig: toHex(backend.sign(id, key.secretKey)) };
}

/**
 * Verifies a signed object and returns its id. Throws {@link AgoraError} `INVALID_SIGNATURE` when the
 * signature does not match the content and author, or when `author`/`sig` are malformed.
 */
export function verifyObject(object: AgoraObject, verifier: SchnorrVerifier = defaultSchnorr): Uint8Array {
  const { author, sig } = object as Partial<SignedObject> & AgoraObject;
  if (!isLowerHex(author, 32))
    throw new AgoraError(ErrorCode.InvalidSignature, 'author must be 32 bytes of hex');
  if (!isLowerHex(sig, 64)) throw new AgoraError(ErrorCode.InvalidSignature, 'sig must be 64 bytes of hex');
  const id = objectId(object);
  if (!verifier.verify(fromHex(sig), id, fromHex(author))) {
    throw new AgoraError(ErrorCode.InvalidSignature, `bad signature on ${object.type} by ${author}`, {
      details: { id: toHex(id), author },
    });
  }
  return id;
}

/**
 * Signs many objects, each as {@link signObject} would, over `pool`'s worker threads: the calling thread only
 * computes the ids and stays free for other work while the signatures are made. For bulk signing that can wait,
 * such as a simulated market's ratings of one round.
 */
export async function signObjects<T extends AgoraObject>(
  items: readonly { readonly key: AgentKey; readonly object: T }[],
  pool: SchnorrPool = sharedSchnorrPool(),
): Promise<(T & SignedObject)[]> {
  const unsigned = items.map(({ key, object }) => {
    const { sig: _sig, ...rest } = object;
    return { ...rest, author: key.id } as T & { author: string };
  });
  const signatures = await pool.signMany(
    unsigned.map((object, i) => ({
      message: objectId(object),
      secretKey: (items[i] as (typeof items)[number]).key.secretKey,
      auxRand: randomBytes(32),
    })),
  );
  return unsigned.map((object, i) => ({ ...object, sig: toHex(signatures[i] as Uint8Array) }));
}
