import * as nip04 from 'nostr-tools/nip04';
import * as nip44 from 'nostr-tools/nip44';
import { AgoraError, ErrorCode } from '../../core/index.js';
import type { NwcEncryption } from './nip47.js';

/** Larger payloads are refused before decryption (NIP-44 caps plaintexts at 64 KiB; NIP-04 has no cap). */
const MAX_PAYLOAD_CHARS = 200_000;

/** Encrypts NIP-47 payloads between one secret key and one peer, with NIP-44 v2 or NIP-04. */
export class NwcCipher {
  private conversationKey: Uint8Array | undefined;

  constructor(
    private readonly secret: Uint8Array,
    readonly peerPubkey: string,
  ) {}

  private key(): Uint8Array {
    this.conversationKey ??= nip44.getConversationKey(this.secret, this.peerPubkey);
    return this.conversationKey;
  }

  encrypt(encryption: NwcEncryption, text: string): string {
    return encryption === 'nip04'
      ? nip04.encrypt(this.secret, this.peerPubkey, text)
      : nip44.encrypt(text, this.key());
  }

  /** `INVALID_JSON` when the payload does not decrypt (wrong key, tampered, wrong scheme, oversized). */
  decrypt(encryption: NwcEncryption, payload: string): string {
    try {
      if (payload.length > MAX_PAYLOAD_CHARS) throw new Error('payload too large');
      return encryption === 'nip04'
        ? nip04.decrypt(this.secret, this.peerPubkey, payload)
        : nip44.decrypt(payload, this.key());
    } catch (cause) {
      throw new AgoraError(ErrorCode.InvalidJson, `a NIP-47 payload does not decrypt with ${encryption}`, {
        cause,
      });
    }
  }
}
