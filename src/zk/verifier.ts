import { randomBytes } from 'node:crypto';
import { bytesToNumberBE, numberToBytesLE } from '@noble/curves/utils.js';
import * as snarkjs from 'snarkjs';
import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD } from '../identity/index.js';
import { loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
import { usingCurve } from './curve-lifetime.js';
import { inG2Subgroup } from './g2-subgroup.js';
import { canonicalSignals, type VoteProof } from './vote-proof.js';

/** A proof parsed into curve points, checked on its curves and in its subgroup. */
interface Prepared {
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly c: Uint8Array;
  readonly signals: bigint[];
}

/** Decimal strings (as snarkjs writes points) to the bigints ffjavascript's fromObject reads. */
function bigints(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bigints);
  if (typeof value === 'string') {
    if (!/^\d{1,78}$/.test(value)) throw new RangeError('not a decimal coordinate');
    return BigInt(value);
  }
  return value;
}

/** A non-zero 128-bit coefficient from the CSPRNG: a cheater cannot guess it to cancel a bad proof. */
function coefficient(): bigint {
  for (;;) {
    const value = bytesToNumberBE(randomBytes(16));
    if (value !== 0n) return value;
  }
}

/**
 * Groth16 verification of vote proofs, alone or many at once: `prod e(-r_j A_j, B_j) * e(sum r_j L_j, gamma) *
 * e(sum r_j C_j, delta) * e((sum r_j) alpha, beta) == 1` with independent random 128-bit `r_j`, one multi-pairing
 * and one final exponentiation for the whole batch. Every point is checked on its curve, and every B in the prime
 * order subgroup of G2 (snarkjs checks neither subgroup nor, before pairing, much else). A failing batch is split in
 * halves until the bad proofs are named.
 */
export class Verifier {
  private constructor(
    private readonly key: {
      alpha: Uint8Array;
      beta: Uint8Array;
      gamma: Uint8Array;
      delta: Uint8Array;
      ic: Uint8Array[];
    },
  ) {}

  /** Loads the verification key of `artifacts` (the committed ones by default) and parses its points once. */
  static async load(artifacts?: VoteArtifacts): Promise<Verifier> {
    const { verificationKey } = artifacts ?? (await loadVoteArtifacts());
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    const vk = verificationKey as {
      vk_alpha_1: unknown;
      vk_beta_2: unknown;
      vk_gamma_2: unknown;
      vk_delta_2: unknown;
      IC: unknown[];
    };
    // Points are kept as buffers, valid for any later instance of the curve (it is released when idle).
    try {
      const key = {
        alpha: curve.G1.fromObject(bigints(vk.vk_alpha_1)),
        beta: curve.G2.fromObject(bigints(vk.vk_beta_2)),
        gamma: curve.G2.fromObject(bigints(vk.vk_gamma_2)),
        delta: curve.G2.fromObject(bigints(vk.vk_delta_2)),
        ic: vk.IC.map((point) => curve.G1.fromObject(bigints(point))),
      };
      const points = [key.alpha, ...key.ic].map((p) => curve.G1.isValid(p));
      const points2 = [key.beta, key.gamma, key.delta].map((p) => curve.G2.isValid(p));
      if (key.ic.length !== 7 || ![...points, ...points2].every(Boolean))
        throw new RangeError('not a vote key');
      return new Verifier(key);
    } catch (cause) {
      throw new AgoraError(ErrorCode.InvalidArgument, 'malformed verification key for the vote circuit', {
        cause,
      });
    }
  }

  private prepare(curve: snarkjs.Curve, proof: VoteProof): Prepared | undefined {
    const { G1, G2 } = curve;
    // Proofs arrive from other agents: anything that is not a well-formed proof is simply invalid.
    if (typeof proof !== 'object' || proof === null) return undefined;
    const signals = proof.publicSignals;
    if (!canonicalSignals(signals) || signals.length !== this.key.ic.length - 1) return undefined;
    try {
      const a = G1.fromObject(bigints(proof.proof.pi_a));
      const b = G2.fromObject(bigints(proof.proof.pi_b));
      const c = G1.fromObject(bigints(proof.proof.pi_c));
      if (!G1.isValid(a) || !G1.isValid(c) || !G2.isValid(b) || G1.isZero(a) || G2.isZero(b))
        return undefined;
      return { a, b, c, signals: signals.map(BigInt) };
    } catch {
      return undefined;
    }
  }

  private async holds(curve: snarkjs.Curve, batch: readonly Prepared[]): Promise<boolean> {
    const G1 = curve.G1;
    const F = BN254_SCALAR_FIELD;
    const coefficients = batch.map(() => coefficient());
    const pairs: Uint8Array[] = [];
    const icScalars = this.key.ic.map(() => 0n);
    let coefficientSum = 0n;
    const cBases = new Uint8Array(batch.length * 64);
    const cScalars = new Uint8Array(batch.length * 32);
    batch.forEach((proof, j) => {
      const r = coefficients[j] as bigint;
      pairs.push(G1.timesScalar(G1.neg(proof.a), r), proof.b);
      cBases.set(G1.toAffine(proof.c), j * 64);
      cScalars.set(numberToBytesLE(r, 32), j * 32);
      coefficientSum = (coefficientSum + r) % F;
      icScalars[0] = ((icScalars[0] as bigint) + r) % F;
      proof.signals.forEach((signal, i) => {
        icScalars[i + 1] = ((icScalars[i + 1] as bigint) + r * signal) % F;
      });
    });
    const icBases = new Uint8Array(this.key.ic.length * 64);
    const icScalarBytes = new Uint8Array(this.key.ic.length * 32);
    this.key.ic.forEach((point, i) => {
      icBases.set(G1.toAffine(point), i * 64);
      icScalarBytes.set(numberToBytesLE(icScalars[i] as bigint, 32), i * 32);
    });
    // Worker threads pay off for a batch; one proof's few multiplications are cheaper here.
    const sum = async (bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array> => {
      if (batch.length > 1) return G1.multiExpAffine(bases, scalars);
      let total = G1.zero;
      for (let k = 0; k < bases.length / 64; k++)
        total = G1.add(
          total,
          G1.timesScalar(bases.slice(k * 64, k * 64 + 64), scalars.slice(k * 32, k * 32 + 32)),
        );
      return total;
    };
    const inputs = await sum(icBases, icScalarBytes);
    const commitments = await sum(cBases, cScalars);
    const alpha = G1.timesScalar(this.key.alpha, coefficientSum);
    return curve.pairingEq(
      ...pairs,
      inputs,
      this.key.gamma,
      commitments,
      this.key.delta,
      alpha,
      this.key.beta,
    );
  }

  private async bisect(
    curve: snarkjs.Curve,
    indices: number[],
    prepared: Prepared[],
    verdicts: boolean[],
  ): Promise<void> {
    if (indices.length === 0) return;
    if (
      await this.holds(
        curve,
        indices.map((i) => prepared[i] as Prepared),
      )
    ) {
      for (const i of indices) verdicts[i] = true;
      return;
    }
    if (indices.length === 1) return;
    const half = indices.length >> 1;
    await this.bisect(curve, indices.slice(0, half), prepared, verdicts);
    await this.bisect(curve, indices.slice(half), prepared, verdicts);
  }

  /**
   * True when the proof is valid for its public signals. Signals must be canonical field elements (no value >= r,
   * which would let one proof stand for several statements) and B must lie in G2's prime-order subgroup; malformed
   * input is simply not valid.
   */
  async verify(proof: VoteProof): Promise<boolean> {
    return (await this.verifyBatch([proof]))[0] === true;
  }

  /** One verdict per proof, in order; a batch of valid proofs costs a single multi-pairing. */
  async verifyBatch(proofs: readonly VoteProof[]): Promise<boolean[]> {
    return usingCurve(async () => {
      const curve = await snarkjs.curves.getCurveFromName('bn128');
      const verdicts = proofs.map(() => false);
      const prepared: Prepared[] = [];
      const candidates: number[] = [];
      const parsed: number[] = [];
      proofs.forEach((proof, i) => {
        const ready = this.prepare(curve, proof);
        prepared.push(ready as Prepared);
        if (ready !== undefined) parsed.push(i);
      });
      const members = await inG2Subgroup(
        curve,
        parsed.map((i) => (prepared[i] as Prepared).b),
      );
      parsed.forEach((i, k) => {
        if (members[k]) candidates.push(i);
      });
      await this.bisect(curve, candidates, prepared, verdicts);
      return verdicts;
    });
  }
}
