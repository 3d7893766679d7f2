import { pointFromScalar } from 'tiny-secp256k1';
import { AgoraError, ErrorCode, fromHex, taggedHash, toHex } from '../core/index.js';

/** The order of secp256k1's group. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * A secret key ready to sign with: BIP-340's `d` (the secret, negated when its point has an odd y) and the x-only
 * public key. Deriving them costs a point multiplication, as much as the signature itself: made once per key.
 */
interface KeyPair {
  /** A copy of the secret it was made from: a caller's buffer changed after first use is derived again. */
  readonly secret: Uint8Array;
  readonly d: bigint;
  readonly dBytes: Uint8Array;
  readonly publicKey: Uint8Array;
}

const keyPairs = new WeakMap<Uint8Array, KeyPair>();

const toScalar = (bytes: Uint8Array): bigint => BigInt(`0x${toHex(bytes)}`);
const toBytes32 = (value: bigint): Uint8Array => fromHex(value.toString(16).padStart(64, '0'));

/** A secret key's compressed point; `INVALID_KEY` for a secret outside [1, n-1]. */
function compressedPoint(secret: Uint8Array): Uint8Array {
  let point: Uint8Array | null = null;
  try {
    point = secret.length === 32 ? pointFromScalar(secret, true) : null;
  } catch {
    point = null;
  }
  if (point === null) throw new AgoraError(ErrorCode.InvalidKey, 'a secret key is 32 bytes in [1, n-1]');
  return point;
}

function keyPairOf(secret: Uint8Array): KeyPair {
  const cached = keyPairs.get(secret);
  if (cached?.secret.every((byte, i) => byte === secret[i])) return cached;
  const point = compressedPoint(secret);
  const scalar = toScalar(secret);
  const d = point[0] === 2 ? scalar : N - scalar;
  const pair = { secret: Uint8Array.from(secret), d, dBytes: toBytes32(d), publicKey: point.slice(1) };
  keyPairs.set(secret, pair);
  return pair;
}

/** The x-only public key of a secret key (derived once per key and kept), or undefined for a secret out of range. */
export function xOnlyPublicKeyOf(secretKey: Uint8Array): Uint8Array | undefined {
  try {
    return keyPairOf(secretKey).publicKey;
  } catch {
    return undefined;
  }
}

/**
 * BIP-340 signature of a 32-byte `message` with `secretKey` and 32 bytes of `auxRand`: the algorithm of the BIP step
 * by step, byte-identical to libsecp256k1's `schnorrsig_sign32` for the same inputs (a property test holds it to
 * tiny-secp256k1's). Why not call that: libsecp256k1 derives the key pair again on every call, a second point
 * multiplication as costly as the nonce's; here the key pair is derived once per secret key and kept, so a signature
 * costs one multiplication (libsecp256k1's, through tiny-secp256k1) and three tagged hashes.
 */
export function signWithKeyPair(message: Uint8Array, secretKey: Uint8Array, auxRand: Uint8Array): Uint8Array {
  if (message.length !== 32 || auxRand.length !== 32)
    throw new AgoraError(ErrorCode.InvalidArgument, 'BIP-340 signs a 32-byte message with 32 bytes of aux');
  const { d, dBytes, publicKey } = keyPairOf(secretKey);
  const auxHash = taggedHash('BIP0340/aux', auxRand);
  const nonceInput = new Uint8Array(96);
  for (let i = 0; i < 32; i++) nonceInput[i] = (dBytes[i] as number) ^ (auxHash[i] as number);
  nonceInput.set(publicKey, 32);
  nonceInput.set(message, 64);
  const k0 = toScalar(taggedHash('BIP0340/nonce', nonceInput)) % N;
  // Probability 2^-256; BIP-340 fails rather than sign with a zero nonce.
  if (k0 === 0n) throw new AgoraError(ErrorCode.InvalidArgument, 'BIP-340 nonce is zero: sign again');
  const r = compressedPoint(toBytes32(k0));
  const k = r[0] === 2 ? k0 : N - k0;
  const challengeInput = new Uint8Array(96);
  challengeInput.set(r.subarray(1), 0);
  challengeInput.set(publicKey, 32);
  challengeInput.set(message, 64);
  const e = toScalar(taggedHash('BIP0340/challenge', challengeInput)) % N;
  const signature = new Uint8Array(64);
  signature.set(r.subarray(1), 0);
  signature.set(toBytes32((k + e * d) % N), 32);
  return signature;
}
