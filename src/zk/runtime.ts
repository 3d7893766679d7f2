import type * as CircomRuntime from 'circom_runtime';
import type * as Ffjavascript from 'ffjavascript';
import type * as Snarkjs from 'snarkjs';

let snarkjs: Promise<typeof Snarkjs> | undefined;
let circomRuntime: Promise<typeof CircomRuntime> | undefined;

/**
 * snarkjs (with ffjavascript's WebAssembly curves), imported on the first proof or verification rather than when the
 * zk layer loads: it costs about half a second and ~15 MB that a process importing governance only to read a tally
 * should not pay.
 */
export function loadSnarkjs(): Promise<typeof Snarkjs> {
  snarkjs ??= import('snarkjs');
  return snarkjs;
}

/** circom's witness calculator runtime, imported on the first proof (see {@link loadSnarkjs}). */
export function loadCircomRuntime(): Promise<typeof CircomRuntime> {
  circomRuntime ??= import('circom_runtime');
  return circomRuntime;
}

let ffjavascript: Promise<typeof Ffjavascript> | undefined;

/** ffjavascript's WebAssembly curves, imported on the first proof or verification (see {@link loadSnarkjs}). */
export function loadFfjavascript(): Promise<typeof Ffjavascript> {
  ffjavascript ??= import('ffjavascript');
  return ffjavascript;
}
