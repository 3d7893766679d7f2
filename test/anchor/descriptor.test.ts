import { sha256 } from '@noble/hashes/sha2.js';
import { WIF } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { anchorWallet, descriptorChecksum, walletFromDescriptor } from '../../src/anchor/index.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';

const key = sha256(utf8('descriptor key'));

describe('wallet descriptors', () => {
  it('compute BIP 380 checksums (the BIP example) and read wpkh/tr descriptors of a private key', () => {
    expect(descriptorChecksum('raw(deadbeef)')).toBe('89f8spxm');
    const wif = WIF().encode(key);
    const wpkh = `wpkh(${wif})`;
    const parsed = walletFromDescriptor(`${wpkh}#${descriptorChecksum(wpkh)}`);
    expect(parsed.kind).toBe('p2wpkh');
    expect(toHex(parsed.secretKey)).toBe(toHex(key));
    expect(anchorWallet(parsed.secretKey).address).toBe(anchorWallet(key).address);
    expect(walletFromDescriptor(`tr(${toHex(key)})`).kind).toBe('p2tr');
  });

  it('refuse a wrong checksum, public or extended keys, other shapes and a key for another network', () => {
    const wpkh = `wpkh(${WIF().encode(key)})`;
    const wrong = `${descriptorChecksum(wpkh).slice(0, 7)}${descriptorChecksum(wpkh).endsWith('q') ? 'p' : 'q'}`;
    thrownAgoraError(() => walletFromDescriptor(`${wpkh}#${wrong}`), ErrorCode.InvalidArgument);
    thrownAgoraError(() => walletFromDescriptor(`wpkh(02${'11'.repeat(32)})`), ErrorCode.InvalidArgument);
    thrownAgoraError(() => walletFromDescriptor('wpkh(xprv9s21ZrQH143K/0/*)'), ErrorCode.InvalidArgument);
    thrownAgoraError(() => walletFromDescriptor(`sh(wpkh(${toHex(key)}))`), ErrorCode.InvalidArgument);
    thrownAgoraError(() => walletFromDescriptor(wpkh, 'testnet'), ErrorCode.InvalidArgument);
    thrownAgoraError(() => descriptorChecksum('wpkh(é)'), ErrorCode.InvalidArgument);
  });
});
