import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from './encoding.js';

export { sha256 };

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
