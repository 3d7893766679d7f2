import { AgoraError, ErrorCode, fromHex, isLowerHex, toHex } from '../../core/index.js';

/** The scheme of a NIP-47 connection URI. */
export const NWC_URI_SCHEME = 'nostr+walletconnect:';

/** What a `nostr+walletconnect://` URI names: the wallet service, where it listens, and the client's secret. */
export interface NwcConnection {
  /** The wallet service's 32-byte x-only public key, lower-case hex. */
  readonly walletPubkey: string;
  /** Relays (ws:// or wss://) where the wallet service listens; at least one. */
  readonly relays: readonly string[];
  /** The client's 32-byte secret key: it signs requests and derives the encryption keys. */
  readonly secret: Uint8Array;
  /** A lightning address the wallet suggests, if any. */
  readonly lud16?: string;
}

function invalid(why: string): never {
  // The URI carries a secret: the message never repeats it.
  throw new AgoraError(ErrorCode.InvalidArgument, `not a Nostr Wallet Connect URI: ${why}`);
}

/**
 * Parses a `nostr+walletconnect://<wallet pubkey>?relay=<url>&secret=<hex>[&lud16=...]` URI (NIP-47).
 * `INVALID_ARGUMENT` for anything else; the message never contains the secret.
 */
export function parseNwcUri(uri: string): NwcConnection {
  if (typeof uri !== 'string') invalid('not a string');
  const text = uri.trim();
  if (!text.toLowerCase().startsWith(`${NWC_URI_SCHEME}//`))
    invalid(`it must start with ${NWC_URI_SCHEME}//`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    invalid('it does not parse as a URL');
  }
  const walletPubkey = (url.hostname || url.pathname.replace(/^\/+/, '')).toLowerCase();
  if (!isLowerHex(walletPubkey, 32)) invalid('the wallet public key is not 32 bytes of hex');
  if (url.pathname !== '' && url.pathname !== '/' && url.hostname !== '') invalid('unexpected path');
  const relays = url.searchParams.getAll('relay');
  if (relays.length === 0) invalid('it names no relay');
  for (const relay of relays) {
    let parsed: URL;
    try {
      parsed = new URL(relay);
    } catch {
      invalid('a relay is not a URL');
    }
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')
      invalid('a relay is not a ws:// or wss:// URL');
  }
  const secrets = url.searchParams.getAll('secret');
  if (secrets.length !== 1) invalid('it must carry exactly one secret');
  const secret = (secrets[0] as string).toLowerCase();
  if (!isLowerHex(secret, 32)) invalid('the secret is not 32 bytes of hex');
  const lud16 = url.searchParams.get('lud16');
  return {
    walletPubkey,
    relays: [...new Set(relays)],
    secret: fromHex(secret, 32),
    ...(lud16 === null || lud16 === '' ? {} : { lud16 }),
  };
}

/** Writes a connection as a `nostr+walletconnect://` URI that {@link parseNwcUri} reads back. */
export function formatNwcUri(connection: NwcConnection): string {
  const params = new URLSearchParams();
  for (const relay of connection.relays) params.append('relay', relay);
  params.append('secret', toHex(connection.secret));
  if (connection.lud16 !== undefined) params.append('lud16', connection.lud16);
  return `${NWC_URI_SCHEME}//${connection.walletPubkey}?${params.toString()}`;
}
