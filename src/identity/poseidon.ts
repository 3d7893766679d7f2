import { buildPoseidon } from 'circomlibjs';

/** Order of the BN254 scalar field: every ZK value lives below it. */
export const BN254_SCALAR_FIELD =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Poseidon over BN254 with circomlib's parameters, the hash the vote circuit uses. */
export interface Poseidon {
  hash(inputs: readonly bigint[]): bigint;
}

let instance: Promise<Poseidon> | undefined;

/** The shared Poseidon hasher (circomlibjs, WebAssembly-backed field arithmetic), built once on first use. */
export function getPoseidon(): Promise<Poseidon> {
  instance ??= buildPoseidon().then((hasher) => ({
    hash: (inputs: readonly bigint[]) => hasher.F.toObject(hasher(inputs)),
  }));
  return instance;
}
