import { NETWORK, TEST_NETWORK, WIF } from '@scure/btc-signer';
import type { BitcoinNetwork } from '../core/index.js';
import { AgoraError, ErrorCode, fromHex } from '../core/index.js';
import type { WalletKind } from './anchor-transaction.js';

// BIP 380 descriptor checksums: an 8-character BCH code over the descriptor's characters.
const INPUT_CHARSET =
  '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polymod(symbols: readonly number[]): bigint {
  let chk = 1n;
  for (const value of symbols) {
    const top = chk >> 35n;
    chk = ((chk & 0x7ffffffffn) << 5n) ^ BigInt(value);
    GENERATOR.forEach((g, i) => {
      if ((top >> BigInt(i)) & 1n) chk ^= g;
    });
  }
  return chk;
}

/** The BIP 380 checksum of a descriptor (without `#`); `INVALID_ARGUMENT` for characters descriptors cannot hold. */
export function descriptorChecksum(descriptor: string): string {
  const symbols: number[] = [];
  let groups: number[] = [];
  for (const char of descriptor) {
    const value = INPUT_CHARSET.indexOf(char);
    if (value < 0)
      throw new AgoraError(ErrorCode.InvalidArgument, `a descriptor cannot hold ${JSON.stringify(char)}`);
    symbols.push(value & 31);
    groups.push(value >> 5);
    if (groups.length === 3) {
      symbols.push((groups[0] as number) * 9 + (groups[1] as number) * 3 + (groups[2] as number));
      groups = [];
    }
  }
  if (groups.length === 1) symbols.push(groups[0] as number);
  else if (groups.length === 2) symbols.push((groups[0] as number) * 3 + (groups[1] as number));
  const checksum = polymod([...symbols, 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1n;
  return Array.from(
    { length: 8 },
    (_, i) => CHECKSUM_CHARSET[Number((checksum >> BigInt(5 * (7 - i))) & 31n)],
  ).join('');
}

/**
 * The anchoring wallet a single-key descriptor names: `wpkh(KEY)` or `tr(KEY)` where KEY is the private key as WIF (or
 * 64 hex digits), with an optional `#checksum` that must be right. `INVALID_ARGUMENT` for anything else (public keys,
 * extended keys, multisig: they cannot sign here).
 */
export function walletFromDescriptor(
  descriptor: string,
  chain: BitcoinNetwork = 'bitcoin',
): { kind: WalletKind; secretKey: Uint8Array } {
  const [body = '', checksum, ...rest] = descriptor.trim().split('#');
  if (rest.length > 0)
    throw new AgoraError(ErrorCode.InvalidArgument, 'a descriptor has at most one #checksum');
  if (checksum !== undefined && checksum !== descriptorChecksum(body))
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `the descriptor checksum should be ${descriptorChecksum(body)}`,
    );
  const match = /^(wpkh|tr)\(([^()]+)\)$/.exec(body);
  if (!match)
    throw new AgoraError(ErrorCode.InvalidArgument, 'an anchoring wallet descriptor is wpkh(KEY) or tr(KEY)');
  const key = match[2] as string;
  let secretKey: Uint8Array;
  try {
    secretKey = /^[0-9a-f]{64}$/.test(key)
      ? fromHex(key)
      : WIF(chain === 'bitcoin' ? NETWORK : TEST_NETWORK).decode(key);
  } catch (cause) {
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `the descriptor's key is not a private key for ${chain}`,
      { cause },
    );
  }
  return { kind: match[1] === 'tr' ? 'p2tr' : 'p2wpkh', secretKey };
}
