import { bytesToNumberLE } from '@noble/curves/utils.js';
import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD } from '../identity/index.js';

/** BN254's base field order: the only curve this prover takes (and the bound of a proof's coordinates). */
export const BN254_BASE_FIELD =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** Bytes of one affine G1 point (x, y in Montgomery form, little-endian) and of one affine G2 point. */
export const G1_BYTES = 64;
export const G2_BYTES = 128;
/** Bytes of one QAP coefficient entry: matrix, constraint and signal (u32 each), then the value. */
export const COEFFICIENT_BYTES = 12 + 32;

/**
 * A Groth16 proving key in snarkjs's `.zkey` format, its sections kept as views into the file's bytes (points in
 * the Montgomery form ffjavascript's WebAssembly works in, so they go to it as they are).
 */
export interface ProvingKey {
  /** Number of signals (the witness's length), the constant 1 and the public signals first. */
  readonly nVars: number;
  readonly nPublic: number;
  /** Size of the FFT domain, a power of two above the constraint count. */
  readonly domainSize: number;
  readonly alpha1: Uint8Array;
  readonly beta1: Uint8Array;
  readonly beta2: Uint8Array;
  readonly delta1: Uint8Array;
  readonly delta2: Uint8Array;
  /** Section 4: a u32 count, then the QAP's non-zero coefficients of A and B. */
  readonly coefficients: Uint8Array;
  readonly a: Uint8Array;
  readonly b1: Uint8Array;
  readonly b2: Uint8Array;
  /** The private signals' points only (signals nPublic + 1 onwards). */
  readonly c: Uint8Array;
  readonly h: Uint8Array;
}

function malformed(why: string): never {
  throw new AgoraError(ErrorCode.InvalidArgument, `malformed proving key: ${why}`);
}

/**
 * Parses a `.zkey` proving key and checks that its layout is consistent: the groth16 protocol on BN254, every
 * section present once with the size its header implies, every coefficient pointing inside the witness and the
 * domain. Anything else is refused with `INVALID_ARGUMENT`: the prover hands these bytes to WebAssembly by offset.
 */
export function parseProvingKey(bytes: Uint8Array): ProvingKey {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => {
    if (at + 4 > bytes.length) malformed('truncated');
    return view.getUint32(at, true);
  };
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== 'zkey')
    malformed('not a zkey file');
  if (u32(4) !== 1) malformed(`unsupported version ${u32(4)}`);
  const sections = new Map<number, Uint8Array>();
  let at = 12;
  for (let k = 0, count = u32(8); k < count; k++) {
    const type = u32(at);
    if (at + 12 > bytes.length) malformed('truncated');
    const size = Number(view.getBigUint64(at + 4, true));
    const start = at + 12;
    if (size > bytes.length - start) malformed(`section ${type} runs past the end`);
    if (sections.has(type)) malformed(`section ${type} appears twice`);
    sections.set(type, bytes.subarray(start, start + size));
    at = start + size;
  }
  const section = (type: number, size?: number) => {
    const found = sections.get(type);
    if (found === undefined) malformed(`section ${type} is missing`);
    if (size !== undefined && found.length !== size)
      malformed(`section ${type} has ${found.length} bytes, expected ${size}`);
    return found;
  };
  const protocol = section(1, 4);
  if (new DataView(protocol.buffer, protocol.byteOffset, 4).getUint32(0, true) !== 1)
    malformed('not a groth16 key');
  // Header: n8q, q, n8r, r, nVars, nPublic, domainSize, alpha1, beta1, beta2, gamma2, delta1, delta2.
  const header = section(2, 4 + 32 + 4 + 32 + 4 * 3 + G1_BYTES * 2 + G2_BYTES * 2 + G1_BYTES + G2_BYTES);
  const h = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (h.getUint32(0, true) !== 32 || bytesToNumberLE(header.subarray(4, 36)) !== BN254_BASE_FIELD)
    malformed('not a BN254 key');
  if (h.getUint32(36, true) !== 32 || bytesToNumberLE(header.subarray(40, 72)) !== BN254_SCALAR_FIELD)
    malformed('not a BN254 key');
  const nVars = h.getUint32(72, true);
  const nPublic = h.getUint32(76, true);
  const domainSize = h.getUint32(80, true);
  if (nVars < nPublic + 1 || nVars > 1 << 26) malformed(`${nVars} signals for ${nPublic} public ones`);
  if (domainSize < 2 || domainSize > 1 << 26 || (domainSize & (domainSize - 1)) !== 0)
    malformed(`domain size ${domainSize} is not a power of two`);
  let p = 84;
  const take = (n: number) => {
    const out = header.subarray(p, p + n);
    p += n;
    return out;
  };
  const alpha1 = take(G1_BYTES);
  const beta1 = take(G1_BYTES);
  const beta2 = take(G2_BYTES);
  take(G2_BYTES); // gamma2: only the verifier needs it
  const delta1 = take(G1_BYTES);
  const delta2 = take(G2_BYTES);
  const coefficients = section(4);
  if (coefficients.length < 4) malformed('no coefficient count');
  const c = new DataView(coefficients.buffer, coefficients.byteOffset, coefficients.byteLength);
  const nCoefficients = c.getUint32(0, true);
  if (coefficients.length !== 4 + nCoefficients * COEFFICIENT_BYTES)
    malformed(`${nCoefficients} coefficients in ${coefficients.length} bytes`);
  for (let k = 0; k < nCoefficients; k++) {
    const entry = 4 + k * COEFFICIENT_BYTES;
    const matrix = c.getUint32(entry, true);
    if (matrix > 1 || c.getUint32(entry + 4, true) >= domainSize || c.getUint32(entry + 8, true) >= nVars)
      malformed(`coefficient ${k} points outside the key`);
  }
  return {
    nVars,
    nPublic,
    domainSize,
    alpha1,
    beta1,
    beta2,
    delta1,
    delta2,
    coefficients,
    a: section(5, nVars * G1_BYTES),
    b1: section(6, nVars * G1_BYTES),
    b2: section(7, nVars * G2_BYTES),
    c: section(8, (nVars - nPublic - 1) * G1_BYTES),
    h: section(9, domainSize * G1_BYTES),
  };
}
