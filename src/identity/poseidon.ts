/** Order of the BN254 scalar field: every ZK value lives below it. */
export const BN254_SCALAR_FIELD =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Poseidon over BN254 with circomlib's parameters, the hash the vote circuit uses. */
export interface Poseidon {
  hash(inputs: readonly bigint[]): bigint;
}

let instance: Promise<Poseidon> | undefined;

/**
 * The shared Poseidon hasher (circomlibjs, WebAssembly-backed field arithmetic), built once on first use. circomlibjs
 * (with ethers) is imported here, not when this module loads: it costs over a second and ~40 MB that an agent which
 * never touches a ZK identity should not pay.
 */
export function getPoseidon(): Promise<Poseidon> {
  instance ??= import('circomlibjs')
    .then(({ buildPoseidon }) => buildPoseidon())
    .then((hasher) => ({
      hash: (inputs: readonly bigint[]) => hasher.F.toObject(hasher(inputs)),
    }));
  return instance;
}
