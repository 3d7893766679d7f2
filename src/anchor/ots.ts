import { ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { BitcoinNetwork } from '../core/index.js';
import { AgoraError, bytesEqual, ErrorCode, fromHex, fromUtf8, toHex, utf8 } from '../core/index.js';
import { type BlockHeader, checkHeaderChain } from './block-header.js';
import { POW_LIMIT_BITS } from './spv.js';

// The OpenTimestamps proof format (python-opentimestamps is the reference): a magic header, major version 1, the
// file's hash operation and digest, then the timestamp tree. A tree node lists attestations and operations, each but
// the last prefixed by 0xff; an attestation is 0x00, an 8-byte tag and a length-prefixed payload; an operation is its
// tag (and argument) followed by the node for its result.

/** Hash operations (also the file-hash operations). */
export type OtsHashOp = 'sha1' | 'ripemd160' | 'sha256' | 'keccak256';
/** One operation on a message. */
export type OtsOp =
  | { readonly op: OtsHashOp | 'reverse' | 'hexlify' }
  | { readonly op: 'append' | 'prepend'; readonly arg: Uint8Array };

/** A claim that a message existed at some time. */
export type OtsAttestation =
  | { readonly kind: 'bitcoin'; readonly height: number }
  | { readonly kind: 'pending'; readonly uri: string }
  | { readonly kind: 'unknown'; readonly tag: Uint8Array; readonly payload: Uint8Array };

/** A node of the timestamp tree: what is attested of its message, and the operations leading on from it. */
export interface OtsTimestamp {
  readonly attestations: readonly OtsAttestation[];
  readonly ops: readonly { readonly op: OtsOp; readonly timestamp: OtsTimestamp }[];
}

/** A detached timestamp file (`.ots`). */
export interface OtsProof {
  readonly fileHashOp: OtsHashOp;
  readonly fileDigest: Uint8Array;
  readonly timestamp: OtsTimestamp;
}

const MAGIC = Uint8Array.from([
  0x00, 0x4f, 0x70, 0x65, 0x6e, 0x54, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70, 0x73, 0x00, 0x00, 0x50,
  0x72, 0x6f, 0x6f, 0x66, 0x00, 0xbf, 0x89, 0xe2, 0xe8, 0x84, 0xe8, 0x92, 0x94,
]);
const HASH_TAGS: Record<OtsHashOp, number> = { sha1: 0x02, ripemd160: 0x03, sha256: 0x08, keccak256: 0x67 };
const DIGEST_LENGTH: Record<OtsHashOp, number> = { sha1: 20, ripemd160: 20, sha256: 32, keccak256: 32 };
const HASHES: Record<OtsHashOp, (data: Uint8Array) => Uint8Array> = {
  sha1,
  ripemd160,
  sha256,
  keccak256: keccak_256,
};
const OTHER_TAGS = { append: 0xf0, prepend: 0xf1, reverse: 0xf2, hexlify: 0xf3 } as const;
const BITCOIN_TAG = fromHex('0588960d73d71901');
const PENDING_TAG = fromHex('83dfe30d2ef90c8e');
// The reference implementation's limits.
const MAX_MESSAGE = 4096;
const MAX_PAYLOAD = 8192;
const MAX_URI = 1000;
const MAX_DEPTH = 256;

function malformed(message: string): never {
  throw new AgoraError(ErrorCode.InvalidProof, `.ots: ${message}`);
}

/** Applies one operation, within the format's message-size limits. */
export function applyOtsOp(op: OtsOp, message: Uint8Array): Uint8Array {
  if (message.length > MAX_MESSAGE) malformed(`a message of ${message.length} bytes is over the limit`);
  let result: Uint8Array;
  switch (op.op) {
    case 'append':
      result = new Uint8Array([...message, ...op.arg]);
      break;
    case 'prepend':
      result = new Uint8Array([...op.arg, ...message]);
      break;
    case 'reverse':
      result = Uint8Array.from(message).reverse();
      break;
    case 'hexlify':
      result = utf8(toHex(message));
      break;
    default:
      result = HASHES[op.op](message);
  }
  if (result.length > MAX_MESSAGE) malformed(`a result of ${result.length} bytes is over the limit`);
  return result;
}

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) malformed('the file ends too early');
    this.offset++;
    return value;
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) malformed('the file ends too early');
    const slice = this.bytes.slice(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  /** LEB128 unsigned, at most 2^53 - 1. */
  varuint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (!Number.isSafeInteger(value)) malformed('a number is too large');
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
  }

  varbytes(max: number, min = 0): Uint8Array {
    const length = this.varuint();
    if (length > max || length < min) malformed(`a field of ${length} bytes is outside ${min}..${max}`);
    return this.take(length);
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

function readAttestation(reader: Reader): OtsAttestation {
  const tag = reader.take(8);
  const raw = reader.varbytes(MAX_PAYLOAD);
  const payload = new Reader(raw);
  if (bytesEqual(tag, BITCOIN_TAG)) {
    const height = payload.varuint();
    if (!payload.done) malformed('a Bitcoin attestation has bytes after its height');
    return { kind: 'bitcoin', height };
  }
  if (bytesEqual(tag, PENDING_TAG)) {
    const uri = payload.varbytes(MAX_URI);
    if (!payload.done) malformed('a pending attestation has bytes after its URI');
    // The reference accepts only URL characters in calendar URIs.
    if (!uri.every((b) => /[A-Za-z0-9._/:-]/.test(String.fromCharCode(b))))
      malformed('a pending attestation URI has characters a calendar URL cannot have');
    return { kind: 'pending', uri: fromUtf8(uri) };
  }
  // Attestations of kinds this version does not know are kept as they are.
  return { kind: 'unknown', tag, payload: raw };
}

function readOp(reader: Reader, tag: number): OtsOp {
  const hash = (Object.keys(HASH_TAGS) as OtsHashOp[]).find((name) => HASH_TAGS[name] === tag);
  if (hash !== undefined) return { op: hash };
  if (tag === OTHER_TAGS.append || tag === OTHER_TAGS.prepend)
    return { op: tag === OTHER_TAGS.append ? 'append' : 'prepend', arg: reader.varbytes(MAX_MESSAGE, 1) };
  if (tag === OTHER_TAGS.reverse) return { op: 'reverse' };
  if (tag === OTHER_TAGS.hexlify) return { op: 'hexlify' };
  return malformed(`unknown operation 0x${tag.toString(16).padStart(2, '0')}`);
}

function readTimestamp(reader: Reader, message: Uint8Array, depth: number): OtsTimestamp {
  if (depth > MAX_DEPTH) malformed('the timestamp tree is too deep');
  const attestations: OtsAttestation[] = [];
  const ops: { op: OtsOp; timestamp: OtsTimestamp }[] = [];
  const item = (tag: number) => {
    if (tag === 0x00) {
      attestations.push(readAttestation(reader));
      return;
    }
    const op = readOp(reader, tag);
    ops.push({ op, timestamp: readTimestamp(reader, applyOtsOp(op, message), depth + 1) });
  };
  let tag = reader.byte();
  while (tag === 0xff) {
    item(reader.byte());
    tag = reader.byte();
  }
  item(tag);
  return { attestations, ops };
}

/** Parses a `.ots` file; `INVALID_PROOF` for anything malformed, unsupported or trailing. */
export function readOts(bytes: Uint8Array): OtsProof {
  if (!(bytes instanceof Uint8Array)) malformed('expected bytes');
  const reader = new Reader(bytes);
  if (!bytesEqual(reader.take(Math.min(MAGIC.length, bytes.length)), MAGIC))
    malformed('not an OpenTimestamps proof (bad magic)');
  const version = reader.varuint();
  if (version !== 1) malformed(`major version ${version} is not supported`);
  const fileHashTag = reader.byte();
  const fileHashOp = (Object.keys(HASH_TAGS) as OtsHashOp[]).find((name) => HASH_TAGS[name] === fileHashTag);
  if (fileHashOp === undefined) malformed(`0x${fileHashTag.toString(16)} is not a file hash operation`);
  const fileDigest = reader.take(DIGEST_LENGTH[fileHashOp]);
  const timestamp = readTimestamp(reader, fileDigest, 0);
  if (!reader.done) malformed('bytes after the timestamp');
  return { fileHashOp, fileDigest, timestamp };
}

class Writer {
  private readonly chunks: number[] = [];
  bytes(data: Iterable<number>): void {
    for (const b of data) this.chunks.push(b);
  }
  varuint(value: number): void {
    let rest = value;
    do {
      const low = rest % 128;
      rest = Math.floor(rest / 128);
      this.chunks.push(rest > 0 ? low | 0x80 : low);
    } while (rest > 0);
  }
  varbytes(data: Uint8Array): void {
    this.varuint(data.length);
    this.bytes(data);
  }
  get result(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function attestationBytes(attestation: OtsAttestation): { tag: Uint8Array; payload: Uint8Array } {
  const payload = new Writer();
  if (attestation.kind === 'bitcoin') {
    payload.varuint(attestation.height);
    return { tag: BITCOIN_TAG, payload: payload.result };
  }
  if (attestation.kind === 'pending') {
    payload.varbytes(utf8(attestation.uri));
    return { tag: PENDING_TAG, payload: payload.result };
  }
  return { tag: attestation.tag, payload: attestation.payload };
}

function opBytes(op: OtsOp): Uint8Array {
  if (op.op === 'append' || op.op === 'prepend') {
    const writer = new Writer();
    writer.bytes([OTHER_TAGS[op.op]]);
    writer.varbytes(op.arg);
    return writer.result;
  }
  return Uint8Array.from([
    op.op in HASH_TAGS ? HASH_TAGS[op.op as OtsHashOp] : OTHER_TAGS[op.op as 'reverse'],
  ]);
}

const compareBytes = (a: Uint8Array, b: Uint8Array) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
};

function writeTimestamp(writer: Writer, timestamp: OtsTimestamp): void {
  // Sorted as the reference sorts them, so a proof it wrote is written back byte for byte.
  const attestations = timestamp.attestations
    .map((a) => ({ a, ...attestationBytes(a) }))
    .sort((x, y) =>
      x.a.kind === 'bitcoin' && y.a.kind === 'bitcoin'
        ? x.a.height - y.a.height
        : compareBytes(x.tag, y.tag) || compareBytes(x.payload, y.payload),
    );
  const ops = timestamp.ops
    .map((o) => ({ ...o, bytes: opBytes(o.op) }))
    .sort((x, y) => compareBytes(x.bytes, y.bytes));
  const items = attestations.length + ops.length;
  if (items === 0) throw new AgoraError(ErrorCode.InvalidArgument, 'an empty timestamp cannot be written');
  let written = 0;
  const separator = () => {
    written++;
    if (written < items) writer.bytes([0xff]);
  };
  for (const { tag, payload } of attestations) {
    separator();
    writer.bytes([0x00, ...tag]);
    writer.varbytes(payload);
  }
  for (const { bytes, timestamp: next } of ops) {
    separator();
    writer.bytes(bytes);
    writeTimestamp(writer, next);
  }
}

/** Writes a `.ots` file. */
export function writeOts(proof: OtsProof): Uint8Array {
  if (proof.fileDigest.length !== DIGEST_LENGTH[proof.fileHashOp])
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a ${proof.fileHashOp} digest is ${DIGEST_LENGTH[proof.fileHashOp]} bytes`,
    );
  const writer = new Writer();
  writer.bytes(MAGIC);
  writer.varuint(1);
  writer.bytes([HASH_TAGS[proof.fileHashOp]]);
  writer.bytes(proof.fileDigest);
  writeTimestamp(writer, proof.timestamp);
  return writer.result;
}

/** Every attestation of a timestamp tree with the message it attests. */
export function otsAttestations(
  timestamp: OtsTimestamp,
  message: Uint8Array,
): { attestation: OtsAttestation; message: Uint8Array }[] {
  const found: { attestation: OtsAttestation; message: Uint8Array }[] = [];
  const walk = (node: OtsTimestamp, msg: Uint8Array) => {
    for (const attestation of node.attestations) found.push({ attestation, message: msg });
    for (const { op, timestamp: next } of node.ops) walk(next, applyOtsOp(op, msg));
  };
  walk(timestamp, message);
  return found;
}

/**
 * Verifies a `.ots` proof for a file digest offline against block headers (height -> 80-byte header hex): each
 * header must meet its proof of work (and the least work of `options.chain`, default Bitcoin's main chain) and one Bitcoin attestation's message must be its Merkle root. Returns the
 * earliest verified attestation; `INVALID_PROOF` when none verifies (no header given, a mismatch, only pending or
 * unknown attestations).
 */
export function verifyOts(
  ots: Uint8Array,
  fileDigest: Uint8Array,
  headers: Readonly<Record<number, string>>,
  options: { chain?: BitcoinNetwork } = {},
): { height: number; time: number } {
  const proof = readOts(ots);
  if (!bytesEqual(proof.fileDigest, fileDigest))
    throw new AgoraError(ErrorCode.InvalidProof, 'the proof is for another file digest');
  let best: { height: number; time: number } | undefined;
  const problems: string[] = [];
  for (const { attestation, message } of otsAttestations(proof.timestamp, proof.fileDigest)) {
    if (attestation.kind !== 'bitcoin') {
      problems.push(
        attestation.kind === 'pending' ? `pending at ${attestation.uri}` : 'an unknown attestation',
      );
      continue;
    }
    const headerHex = headers[attestation.height];
    if (headerHex === undefined) {
      problems.push(`no header for block ${attestation.height}`);
      continue;
    }
    const [header] = checkHeaderChain([headerHex], {
      powLimitBits: POW_LIMIT_BITS[options.chain ?? 'bitcoin'],
    }) as [BlockHeader];
    if (message.length !== 32 || toHex(message) !== toHex(fromHex(header.merkleRoot).reverse())) {
      problems.push(`block ${attestation.height}'s Merkle root is not the attested digest`);
      continue;
    }
    if (best === undefined || attestation.height < best.height)
      best = { height: attestation.height, time: header.time };
  }
  if (best === undefined)
    throw new AgoraError(
      ErrorCode.InvalidProof,
      `no Bitcoin attestation verifies: ${problems.join('; ') || 'none'}`,
    );
  return best;
}
