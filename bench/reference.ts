// The fixed reference workload every benchmark run measures in its own process, so that a figure can be read as a
// multiple of it: machines here differ in speed and are shared, and the same code gives different absolute numbers
// from one run to the next. The workload never changes with the project's code: noble's BIP-340 verification of
// signatures made from fixed keys and messages, and snarkjs's verification of a committed Groth16 proof (its own
// verification key beside it, so a change to the vote circuit leaves it valid).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as snarkjs from 'snarkjs';
import { usingCurve } from '../src/zk/curve-lifetime.js';
import { median } from './report.js';

/** The reference workload's speed, measured in this process. */
export interface Reference {
  /** noble `schnorr.verify` calls per second (median of several runs). */
  readonly schnorrPerSecond: number;
  /** Seconds for one `snarkjs.groth16.verify` of the committed proof (median, curve already built). */
  readonly groth16VerifySeconds: number;
}

const SIGNATURES = 64;
const ROUNDS = 2;
const RUNS = 5;

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures', 'reference-proof.json'), 'utf8'),
) as {
  verificationKey: Record<string, unknown>;
  proof: snarkjs.Groth16Proof;
  publicSignals: string[];
};

const encoder = new TextEncoder();
const signed = Array.from({ length: SIGNATURES }, (_, i) => {
  const secretKey = sha256(encoder.encode(`agora402 bench reference key ${i}`));
  const message = sha256(encoder.encode(`agora402 bench reference message ${i}`));
  return {
    message,
    publicKey: schnorr.getPublicKey(secretKey),
    signature: schnorr.sign(message, secretKey, new Uint8Array(32)),
  };
});

function schnorrRun(): number {
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++)
    for (const { signature, message, publicKey } of signed)
      if (!schnorr.verify(signature, message, publicKey)) throw new Error('reference signature refused');
  return (SIGNATURES * ROUNDS) / ((performance.now() - start) / 1000);
}

async function groth16Run(): Promise<number> {
  const start = performance.now();
  const ok = await snarkjs.groth16.verify(fixture.verificationKey, fixture.publicSignals, fixture.proof);
  if (!ok) throw new Error('reference proof refused');
  return (performance.now() - start) / 1000;
}

/** Measures the reference workload (about a second): medians of several runs after one warm-up of each. */
export async function measureReference(): Promise<Reference> {
  schnorrRun();
  const schnorrRates = Array.from({ length: RUNS }, schnorrRun);
  const verifyTimes = await usingCurve(async () => {
    await groth16Run();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await groth16Run());
    return times;
  });
  return { schnorrPerSecond: median(schnorrRates), groth16VerifySeconds: median(verifyTimes) };
}
