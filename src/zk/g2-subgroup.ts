import { numberToBytesLE } from '@noble/curves/utils.js';
import type * as snarkjs from 'snarkjs';
import { bytesEqual } from '../core/index.js';

const X0 = 4965661367192848881n;

type Pair = [bigint, bigint];
let psiConstants: Promise<[Pair, Pair, Pair, Pair]> | undefined;

/**
 * BN254: base field order p, curve parameter x0, and the G2 endomorphism psi = twist^-1 . Frobenius . twist,
 * psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)) with xi = 9 + i; psi^2 is x -> x * xi^((p^2-1)/3),
 * y -> y * xi^((p^2-1)/2) (Frobenius squared is the identity on Fp2). Computed on first use, not when the zk layer
 * loads.
 */
function constants(): Promise<[Pair, Pair, Pair, Pair]> {
  psiConstants ??= import('@noble/curves/bn254.js').then(({ bn254 }) => {
    const { Fp, Fp2 } = bn254.fields;
    const XI = Fp2.fromBigTuple([9n, 1n]);
    const P = Fp.ORDER;
    const power = (exponent: bigint): Pair => {
      const value = Fp2.pow(XI, exponent);
      return [value.c0, value.c1];
    };
    return [power((P - 1n) / 3n), power((P - 1n) / 2n), power((P * P - 1n) / 3n), power((P * P - 1n) / 2n)];
  });
  return psiConstants;
}

/** The constants of the subgroup test, for an implementation that runs elsewhere (the curve worker threads). */
export async function g2SubgroupTest(): Promise<{
  x0: bigint;
  psiX: Pair;
  psiY: Pair;
  psi2X: Pair;
  psi2Y: Pair;
}> {
  const [psiX, psiY, psi2X, psi2Y] = await constants();
  return { x0: X0, psiX, psiY, psi2X, psi2Y };
}

/**
 * Whether each point lies in the order-r subgroup of G2 (G1 has cofactor 1, so its points always do), with the BN
 * test [x0 + 1]Q + psi([x0]Q) + psi^2([x0]Q) = psi^3([2 x0]Q) (eprint 2022/348): one 63-bit multiplication per
 * point instead of 254 bits for [r]Q = 0. The multiplications of a batch run in ffjavascript's worker threads.
 */
export async function inG2Subgroup(curve: snarkjs.Curve, points: readonly Uint8Array[]): Promise<boolean[]> {
  const G2 = curve.G2;
  const F2 = G2.F;
  const n8 = F2.n8 / 2;
  const [psiX, psiY, psi2X, psi2Y] = (await constants()).map((c) => F2.fromObject([...c])) as [
    Uint8Array,
    Uint8Array,
    Uint8Array,
    Uint8Array,
  ];
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
  const scalar = numberToBytesLE(X0, 8);
  const size = 3 * F2.n8;
  const perTask = 8;
  const tasks: Promise<Uint8Array[]>[] = [];
  // A lone point costs less on this thread than a round trip to a worker.
  if (points.length === 1) tasks.push(Promise.resolve([G2.timesScalar(points[0] as Uint8Array, scalar)]));
  else
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
    return bytesEqual(G2.toAffine(left), G2.toAffine(right));
  });
}
