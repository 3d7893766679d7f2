// snarkjs ships no type declarations; this covers the part agora402 uses.
declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: string | Uint8Array | { type: 'mem'; data: Uint8Array },
      zkey: string | Uint8Array | { type: 'mem'; data: Uint8Array },
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    prove(
      zkey: { type: 'mem'; data: Uint8Array },
      witness: { type: 'mem'; data: Uint8Array },
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(verificationKey: unknown, publicSignals: string[], proof: Groth16Proof): Promise<boolean>;
  };
  /** The parts of ffjavascript's WASM curve group API used for batch verification. */
  export interface CurveGroup {
    F: {
      n8: number;
      add(a: Uint8Array, b: Uint8Array): Uint8Array;
      mul(a: Uint8Array, b: Uint8Array): Uint8Array;
      square(a: Uint8Array): Uint8Array;
      sqrt(a: Uint8Array): Uint8Array;
      isSquare(a: Uint8Array): boolean;
      e(value: unknown): Uint8Array;
      fromObject(value: unknown): Uint8Array;
      /** The base field, for extension fields. */
      F: { neg(a: Uint8Array): Uint8Array };
    };
    b: Uint8Array;
    /** The point at infinity, in Jacobian form. */
    zero: Uint8Array;
    fromObject(object: unknown): Uint8Array;
    toObject(point: Uint8Array): unknown;
    toAffine(point: Uint8Array): Uint8Array;
    toJacobian(point: Uint8Array): Uint8Array;
    neg(point: Uint8Array): Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    double(a: Uint8Array): Uint8Array;
    isZero(point: Uint8Array): boolean;
    isValid(point: Uint8Array): boolean;
    timesScalar(point: Uint8Array, scalar: bigint | Uint8Array): Uint8Array;
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
  }
  export interface Curve {
    G1: CurveGroup;
    G2: CurveGroup;
    r: bigint;
    pairingEq(...points: Uint8Array[]): Promise<boolean>;
    /** ffjavascript's thread manager: runs tasks of WASM calls in its worker threads. */
    tm: { queueAction(task: unknown[]): Promise<Uint8Array[]> };
    terminate(): Promise<void>;
  }
  export const curves: {
    getCurveFromName(name: string): Promise<Curve>;
  };
}

// circom_runtime (the witness calculator snarkjs itself uses) ships no type declarations either.
declare module 'circom_runtime' {
  export interface WitnessCalculator {
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck: number): Promise<Uint8Array>;
  }
  export function WitnessCalculatorBuilder(
    wasm: Uint8Array,
    options?: Record<string, unknown>,
  ): Promise<WitnessCalculator>;
}
