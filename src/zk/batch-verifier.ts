import { randomBytes } from 'node:crypto';
import * as snarkjs from 'snarkjs';
import { BN254_SCALAR_FIELD } from '../identity/index.js';
import { usingCurve } from './curve-lifetime.js';
import type { VoteProof } from './vote-proof.js';

/** A proof parsed into curve points, checked on its curves and in its subgroup. */
interface Prepared {
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly c: Uint8Array;
  readonly signals: bigint[];
}

function bytesEqualTo(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function toLE(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let rest = value;
  for (let i = 0; i < bytes; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
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

// BN254: base field order p, curve parameter x0, and the G2 endomorphism psi = twist^-1 . Frobenius . twist,
// psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)) with xi = 9 + i.
const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const X0 = 4965661367192848881n;

type Fp2 = readonly [bigint, bigint];
const fp2Mul = (a: Fp2, b: Fp2): Fp2 => [
  (((a[0] * b[0] - a[1] * b[1]) % P) + P) % P,
  (a[0] * b[1] + a[1] * b[0]) % P,
];
function fp2Pow(base: Fp2, exponent: bigint): Fp2 {
  let result: Fp2 = [1n, 0n];
  let square = base;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = fp2Mul(result, square);
    square = fp2Mul(square, square);
  }
  return result;
}
const XI: Fp2 = [9n, 1n];
const PSI_X = fp2Pow(XI, (P - 1n) / 3n);
const PSI_Y = fp2Pow(XI, (P - 1n) / 2n);
// psi^2 is x -> x * xi^((p^2-1)/3), y -> y * xi^((p^2-1)/2): Frobenius squared is the identity on Fp2.
const PSI2_X = fp2Pow(XI, (P * P - 1n) / 3n);
const PSI2_Y = fp2Pow(XI, (P * P - 1n) / 2n);

/** A non-zero 128-bit coefficient from the CSPRNG: a cheater cannot guess it to cancel a bad proof. */
function coefficient(): bigint {
  for (;;) {
    let value = 0n;
    for (const byte of randomBytes(16)) value = (value << 8n) | BigInt(byte);
    if (value !== 0n) return value;
  }
}

/**
 * Whether each point lies in the order-r subgroup of G2 (G1 has cofactor 1, so its points always do), with the BN
 * test [x0 + 1]Q + psi([x0]Q) + psi^2([x0]Q) = psi^3([2 x0]Q) (eprint 2022/348): one 63-bit multiplication per
 * point instead of 254 bits for [r]Q = 0. The multiplications run in ffjavascript's worker threads.
 */
export async function inG2Subgroup(curve: snarkjs.Curve, points: readonly Uint8Array[]): Promise<boolean[]> {
  const G2 = curve.G2;
  const F2 = G2.F;
  const n8 = F2.n8 / 2;
  const constants = [PSI_X, PSI_Y, PSI2_X, PSI2_Y].map((c) => F2.fromObject([...c]));
  const [psiX, psiY, psi2X, psi2Y] = constants as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const conjugate = (a: Uint8Array) => {
    const out = Uint8Array.from(a);
    out.set(F2.F.neg(a.slice(n8)), n8);
    return out;
  };
  const map = (point: Uint8Array, fx: (x: Uint8Array) => Uint8Array, fy: (y: Uint8Array) => Uint8Array) => {
    const affine = G2.toAffine(point);
    const out = new Uint8Array(2 * F2.n8);
    out.set(fx(affine.slice(0, F2.n8)), 0);
    out.set(fy(affine.slice(F2.n8)), F2.n8);
    return out;
  };
  const psi = (point: Uint8Array) =>
    map(
      point,
      (x) => F2.mul(conjugate(x), psiX),
      (y) => F2.mul(conjugate(y), psiY),
    );
  const psi2 = (point: Uint8Array) =>
    map(
      point,
      (x) => F2.mul(x, psi2X),
      (y) => F2.mul(y, psi2Y),
    );
  const scalar = toLE(X0, 8);
  const size = 3 * F2.n8;
  const perTask = 8;
  const tasks: Promise<Uint8Array[]>[] = [];
  for (let start = 0; start < points.length; start += perTask) {
    const chunk = points.slice(start, start + perTask);
    const task: unknown[] = [{ cmd: 'ALLOCSET', var: 0, buff: scalar }];
    chunk.forEach((point, k) => {
      task.push({ cmd: 'ALLOCSET', var: 1 + 2 * k, buff: curve.G2.toJacobian(point) });
      task.push({ cmd: 'ALLOC', var: 2 + 2 * k, len: size });
      task.push({
        cmd: 'CALL',
        fnName: 'g2m_timesScalar',
        params: [{ var: 1 + 2 * k }, { var: 0 }, { val: 8 }, { var: 2 + 2 * k }],
      });
      task.push({ cmd: 'GET', out: k, var: 2 + 2 * k, len: size });
    });
    tasks.push(curve.tm.queueAction(task));
  }
  const products = (await Promise.all(tasks)).flat();
  return points.map((point, k) => {
    // [x0 + 1]Q + psi([x0]Q) + psi^2([x0]Q) == psi^3([2 x0]Q)  <=>  Q in G2 (BN curves, eprint 2022/348).
    const times = products[k] as Uint8Array;
    const left = G2.add(G2.add(G2.add(times, point), psi(times)), psi2(times));
    const right = psi(psi2(G2.double(times)));
    if (G2.isZero(left) || G2.isZero(right)) return G2.isZero(left) && G2.isZero(right);
    return bytesEqualTo(G2.toAffine(left), G2.toAffine(right));
  });
}

/**
 * Groth16 verification of many vote proofs at once: `prod e(-r_j A_j, B_j) * e(sum r_j L_j, gamma) *
 * e(sum r_j C_j, delta) * e((sum r_j) alpha, beta) == 1` with independent random 128-bit `r_j`, one multi-pairing
 * and one final exponentiation for the whole batch. Every point is checked on its curve, and every B in the prime
 * order subgroup of G2 (snarkjs checks neither subgroup nor, before pairing, much else). A failing batch is split in
 * halves until the bad proofs are named.
 */
export class BatchVerifier {
  private constructor(
    private readonly key: {
      alpha: Uint8Array;
      beta: Uint8Array;
      gamma: Uint8Array;
      delta: Uint8Array;
      ic: Uint8Array[];
    },
  ) {}

  /** Prepares the verification key (points parsed once). */
  static async load(verificationKey: Record<string, unknown>): Promise<BatchVerifier> {
    const curve = await snarkjs.curves.getCurveFromName('bn128');
    const vk = verificationKey as {
      vk_alpha_1: unknown;
      vk_beta_2: unknown;
      vk_gamma_2: unknown;
      vk_delta_2: unknown;
      IC: unknown[];
    };
    // Points are kept as buffers, valid for any later instance of the curve (it is released when idle).
    return new BatchVerifier({
      alpha: curve.G1.fromObject(bigints(vk.vk_alpha_1)),
      beta: curve.G2.fromObject(bigints(vk.vk_beta_2)),
      gamma: curve.G2.fromObject(bigints(vk.vk_gamma_2)),
      delta: curve.G2.fromObject(bigints(vk.vk_delta_2)),
      ic: vk.IC.map((point) => curve.G1.fromObject(bigints(point))),
    });
  }

  private prepare(curve: snarkjs.Curve, proof: VoteProof): Prepared | undefined {
    const { G1, G2 } = curve;
    const signals = proof.publicSignals;
    if (!Array.isArray(signals) || signals.length !== this.key.ic.length - 1) return undefined;
    if (
      !signals.every(
        (s) => typeof s === 'string' && /^(0|[1-9]\d{0,76})$/.test(s) && BigInt(s) < BN254_SCALAR_FIELD,
      )
    ) {
      return undefined;
    }
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
      cScalars.set(toLE(r, 32), j * 32);
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
      icScalarBytes.set(toLE(icScalars[i] as bigint, 32), i * 32);
    });
    const inputs = await G1.multiExpAffine(icBases, icScalarBytes);
    const commitments = await G1.multiExpAffine(cBases, cScalars);
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
