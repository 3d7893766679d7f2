// circomlibjs ships no type declarations; this covers the part agora402 uses.
declare module 'circomlibjs' {
  interface PoseidonField {
    toObject(element: Uint8Array): bigint;
    e(value: bigint | number | string): Uint8Array;
  }
  interface PoseidonHasher {
    (inputs: ReadonlyArray<bigint | number | string | Uint8Array>): Uint8Array;
    F: PoseidonField;
  }
  export function buildPoseidon(): Promise<PoseidonHasher>;
}
