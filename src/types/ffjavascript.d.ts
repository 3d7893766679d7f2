// ffjavascript (snarkjs's finite field and curve library) ships no type declarations; this covers the part the
// prover uses: a single-threaded BN254 curve, whose WebAssembly code the prover's own workers instantiate.
declare module 'ffjavascript' {
  /** A field element or point is a buffer in the module's Montgomery form. */
  export interface WasmField {
    n8: number;
    e(value: bigint): Uint8Array;
    /** Roots of unity: w[k] has order 2^k. */
    w: Uint8Array[];
    /** The scalar field's shift (a non-residue), for the coset of the largest domain. */
    shift: Uint8Array;
    /** 2-adicity: the largest k with a root of unity of order 2^k. */
    s: number;
  }
  export interface WasmGroup {
    zero: Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    timesFr(point: Uint8Array, scalar: Uint8Array): Uint8Array;
    toAffine(point: Uint8Array): Uint8Array;
    toObject(point: Uint8Array): unknown;
    /** A point from its affine form, little-endian Montgomery (as `.zkey` files store it). */
    fromRprLEM(buffer: Uint8Array, offset?: number): Uint8Array;
    isZero(point: Uint8Array): boolean;
    /** A point from coordinates ([x, y] or [x, y, z] as bigints, pairs of them in G2). */
    fromObject(object: unknown): Uint8Array;
    /** On the curve (Jacobian or affine form). */
    isValid(point: Uint8Array): boolean;
    /** The coordinate field. */
    F: { n8: number; fromObject(object: unknown): Uint8Array };
  }
  export interface WasmCurve {
    Fr: WasmField;
    G1: WasmGroup;
    G2: WasmGroup;
    /** The thread manager; with a single thread it keeps the WebAssembly code. */
    tm: { code: Uint8Array };
    /** Bytes of a G1 and of a G2 point prepared for the Miller loop. */
    prePSize: number;
    preQSize: number;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<WasmCurve>;
}
