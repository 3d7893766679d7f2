import { AgoraError, ErrorCode } from './errors.js';

/** A value that JSON can carry and canonical JSON can serialize. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fail(path: string, why: string): never {
  throw new AgoraError(ErrorCode.NotCanonicalizable, `cannot canonicalize ${path}: ${why}`, {
    details: { path },
  });
}

function writeString(value: string, path: string, out: string[]): void {
  // I-JSON (RFC 7493), which RFC 8785 builds on, forbids strings that are not valid Unicode.
  if (LONE_SURROGATE.test(value)) fail(path, 'string holds a lone surrogate');
  // ECMAScript's JSON.stringify string escaping is exactly the one RFC 8785 section 3.2.2.2 prescribes.
  out.push(JSON.stringify(value));
}

function write(value: unknown, path: string, out: string[], seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      writeString(value, path, out);
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, `${value} is not a finite number`);
      // Number-to-string of ECMAScript is RFC 8785's number format (it also turns -0 into 0).
      out.push(JSON.stringify(value));
      return;
    case 'object':
      break;
    default:
      fail(path, `${typeof value} is not a JSON value`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (seen.has(value)) fail(path, 'the value contains a cycle');
  seen.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (!(i in value)) fail(`${path}[${i}]`, 'sparse array hole');
      write(value[i], `${path}[${i}]`, out, seen);
    }
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      fail(path, `${proto?.constructor?.name ?? 'object'} is not a plain object`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, the order RFC 8785 section 3.2.3 requires.
    const keys = Object.keys(record).sort();
    out.push('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (i > 0) out.push(',');
      writeString(key, `${path}.${key}`, out);
      out.push(':');
      write(record[key], `${path}.${key}`, out, seen);
    }
    out.push('}');
  }
  seen.delete(value);
}

/**
 * Serializes `value` as RFC 8785 (JCS) canonical JSON: sorted keys, no whitespace, ECMAScript number format.
 *
 * Throws {@link AgoraError} `NOT_CANONICALIZABLE` on anything JSON cannot carry faithfully: non-finite numbers,
 * BigInt, `undefined` (also as an object property), functions, symbols, non-plain objects, sparse arrays,
 * cycles and strings with lone surrogates.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '$', out, new Set());
  return out.join('');
}

/** Parses JSON text, throwing {@link AgoraError} `INVALID_JSON` instead of a bare `SyntaxError`. */
export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidJson, `not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

/** True when `value` has exactly these keys, no more, no fewer (a body's shape check). */
export function hasExactKeys(value: JsonObject, keys: readonly string[]): boolean {
  return Object.keys(value).length === keys.length && keys.every((key) => Object.hasOwn(value, key));
}

/** True when `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
