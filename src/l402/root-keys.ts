import { randomBytes } from 'node:crypto';
import { AgoraError, ErrorCode, fromHex, isLowerHex, toHex } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';

/**
 * Root keys of L402 tokens, one per token id (as Aperture keeps them): a token verifies only while its key exists,
 * so revoking the key revokes the token.
 */
export interface RootKeyStore {
  /** Makes and stores a fresh 32-byte root key for a new token id; `ALREADY_EXISTS` if the id is taken. */
  create(tokenId: string): Promise<Uint8Array>;
  get(tokenId: string): Promise<Uint8Array | undefined>;
  /** Forgets the key: the token stops verifying. Idempotent. */
  revoke(tokenId: string): Promise<void>;
}

function checkId(tokenId: string): string {
  if (!isLowerHex(tokenId, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a token id is 32 bytes of lower-case hex');
  return tokenId;
}

/** Root keys in memory: for tests and throwaway providers. */
export class MemoryRootKeyStore implements RootKeyStore {
  private readonly keys = new Map<string, Uint8Array>();

  async create(tokenId: string): Promise<Uint8Array> {
    if (this.keys.has(checkId(tokenId)))
      throw new AgoraError(ErrorCode.AlreadyExists, `token ${tokenId} has a root key already`);
    const key = new Uint8Array(randomBytes(32));
    this.keys.set(tokenId, key);
    return key;
  }

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    return this.keys.get(checkId(tokenId));
  }

  async revoke(tokenId: string): Promise<void> {
    this.keys.delete(checkId(tokenId));
  }
}

/** Root keys in a local area of the ledger's LevelDB (durable like the ledger, never replicated). */
export class LedgerRootKeyStore implements RootKeyStore {
  private readonly store;

  constructor(private readonly ledger: Ledger) {
    this.store = ledger.localStore('l402-root-keys');
  }

  async create(tokenId: string): Promise<Uint8Array> {
    if ((await this.store.get(checkId(tokenId))) !== undefined) {
      throw new AgoraError(ErrorCode.AlreadyExists, `token ${tokenId} has a root key already`);
    }
    const key = new Uint8Array(randomBytes(32));
    await this.ledger.localPut(this.store, tokenId, toHex(key));
    return key;
  }

  async get(tokenId: string): Promise<Uint8Array | undefined> {
    const hex = await this.store.get(checkId(tokenId));
    return hex === undefined ? undefined : fromHex(hex);
  }

  async revoke(tokenId: string): Promise<void> {
    await this.ledger.localPut(this.store, checkId(tokenId), undefined);
  }
}
