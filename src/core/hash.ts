import { createHmac } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from './encoding.js';

/**
 * HMAC-SHA256 through Node's native crypto: macaroon chains and root keys take several per request, and the native
 * one costs less than half of a JavaScript HMAC here (`npm run bench -- l402`).
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const digest = createHmac('sha256', key).update(data).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

const tagPrefixes = new Map<string, Uint8Array>();

/**
 * BIP-340 tagged hash: `SHA256(SHA256(tag) || SHA256(tag) || data)`.
 * Tagging keeps hashes made for one purpose from ever being valid for another.
 */
export function taggedHash(tag: string, data: Uint8Array): Uint8Array {
  let prefix = tagPrefixes.get(tag);
  if (prefix === undefined) {
    const tagHash = sha256(utf8(tag));
    prefix = new Uint8Array(64);
    prefix.set(tagHash, 0);
    prefix.set(tagHash, 32);
    tagPrefixes.set(tag, prefix);
  }
  return sha256.create().update(prefix).update(data).digest();
}

/** Bitcoin's double SHA-256. */
export function doubleSha256(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/**
 * The levels of Bitcoin's Merkle tree over txids (internal byte order), leaves first, root last: each node is the
 * double SHA-256 of its two children, an odd node paired with itself.
 */
export function bitcoinMerkleLevels(leaves: readonly Uint8Array[]): Uint8Array[][] {
  const levels: Uint8Array[][] = [[...leaves]];
  for (let level = levels[0] as Uint8Array[]; level.length > 1; ) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const pair = new Uint8Array(64);
      pair.set(left, 0);
      pair.set(level[i + 1] ?? left, 32);
      next.push(doubleSha256(pair));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}
