import { randomBytes } from 'node:crypto';
import { AgoraError, ErrorCode, fromHex, hmacSha256, isLowerHex, toHex, utf8 } from '../core/index.js';
import { KeptUntilFailed } from '../core/kept-until-failed.js';
import type { Ledger } from '../ledger/index.js';

/**
 * Root keys of L402 tokens, one per token id: a token verifies only while its key is given, so revoking the key
 * revokes the token.
 */
export interface RootKeyStore {
  /** The 32-byte root key for a new token id. */
  create(tokenId: string): Promise<Uint8Array>;
  /** The token's root key; undefined once revoked. */
  get(tokenId: string): Promise<Uint8Array | undefined>;
  /** Forgets the key: the token stops verifying. Idempotent. */
  revoke(tokenId: string): Promise<void>;
}

function checkId(tokenId: string): string {
  if (!isLowerHex(tokenId, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a token id is 32 bytes of lower-case hex');
  return tokenId;
}

const ROOT_KEY_TAG = utf8('agora402/l402-root-key');

/**
 * A token's root key, derived from the provider's secret: `HMAC-SHA256(secret, tag | token id)`. Nothing is stored
 * per token, so requests that never pay (each one makes a challenge, and so a token id) leave no state behind; only
 * revocations are kept (docs/security.md, l402-unpaid-state).
 */
export function deriveRootKey(secret: Uint8Array, tokenId: string): Uint8Array {
  const message = new Uint8Array(ROOT_KEY_TAG.length + 32);
  message.set(ROOT_KEY_TAG);
  message.set(fromHex(checkId(tokenId)), ROOT_KEY_TAG.length);
  return hmacSha256(secret, message);
}

/** Root keys derived from a secret held in memory (random unless given), revocations in memory: for tests and throwaway providers. */
export class MemoryRootKeyStore implements RootKeyStore {
  private readonly secret: Uint8Array;
  private readonly revoked = new Set<string>();

  constructor(secret?: Uint8Array) {
    if (secret !== undefined && secret.length < 32)
      throw new AgoraError(ErrorCode.InvalidArgument, 'a root key secret is at least 32 bytes');
    this.secret = secret ?? new Uint8Array(randomBytes(32));
  }

  async create(tokenId: string): Promise<Uint8Array> {
    return deriveRootKey(this.secret, tokenId);
  }

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    return this.revoked.has(checkId(tokenId)) ? undefined : deriveRootKey(this.secret, tokenId);
  }

  async revoke(tokenId: string): Promise<void> {
    this.revoked.add(checkId(tokenId));
  }
}

const SECRET = 'secret';
const REVOKED = 'revoked:';

/**
 * Root keys derived from a secret kept in a local area of the ledger's LevelDB (made on first use; durable like the
 * ledger, never replicated), with revocations there too. Keys stored one per token by earlier versions still verify
 * until revoked.
 */
export class LedgerRootKeyStore implements RootKeyStore {
  private readonly store;
  // A failed read or write is tried again on the next call rather than remembered.
  private readonly secret = new KeptUntilFailed(async () => {
    const stored = await this.store.get(SECRET);
    if (stored !== undefined) return fromHex(stored);
    const made = new Uint8Array(randomBytes(32));
    await this.ledger.localPut(this.store, SECRET, toHex(made));
    return made;
  });

  constructor(private readonly ledger: Ledger) {
    this.store = ledger.localStore('l402-root-keys');
  }

  private providerSecret(): Promise<Uint8Array> {
    return this.secret.get();
  }

  async create(tokenId: string): Promise<Uint8Array> {
    return deriveRootKey(await this.providerSecret(), checkId(tokenId));
  }

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    checkId(tokenId);
    if ((await this.store.get(`${REVOKED}${tokenId}`)) !== undefined) return undefined;
    const legacy = await this.store.get(tokenId);
    if (legacy !== undefined) return fromHex(legacy);
    return deriveRootKey(await this.providerSecret(), tokenId);
  }

  async revoke(tokenId: string): Promise<void> {
    checkId(tokenId);
    await this.ledger.localPutMany(this.store, [
      [`${REVOKED}${tokenId}`, '1'],
      [tokenId, undefined],
    ]);
  }
}
