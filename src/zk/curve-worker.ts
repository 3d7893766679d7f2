// The code of one prover worker thread, kept as JavaScript text: it runs in a `worker_threads` Worker built with
// `eval: true`, which no TypeScript loader reaches (under tsx, vitest or the compiled package alike), and it must
// not depend on helpers a transpiler would add. It drives the BN254 WebAssembly module of ffjavascript (the one
// snarkjs proves with), passed at start, in a memory of its own that keeps what it is given across proofs:
//
// - `table`: the fixed bases of one multi-scalar multiplication (a share of a proving key section), expanded once
//   into 2^(c j) P_i for the windows j of the scalars' lowest piece (all 254 bits when there is one piece), in affine
//   form. A multiplication is then one bucket pass per piece over all (point, window) pairs, with one bucket
//   reduction per piece instead of one per window; pieces are joined by doublings (S = sum_p 2^(p b) S_p). Building
//   costs b doublings a point: two pieces halve it, for one more reduction and b doublings a multiplication. With
//   window 0 the bases are only kept, for a prover used for one or two proofs (no table to build).
// - `msm`: the scalars of one such multiplication (32-byte little-endian, standard form) cut into c-bit digits,
//   bucketed by the module's own chunk routine; answers the Jacobian sum in the module's Montgomery form.
// - `qap` / `h`: the coefficients of the proving key's QAP, kept; for each witness the evaluations of A, B and
//   C = A.B, their inverse FFTs, shift to the odd coset and FFTs, joined as (A.B - C) / Z: the scalars of the H
//   section, as snarkjs computes them.
//
// - `verifierKey`: a Groth16 verification key, kept (beta, gamma and delta prepared for the Miller loop once).
// - `chunk`: a share of a batch of proofs, given as raw coordinates: each parsed and checked here (on its curve, B
//   in the prime-order subgroup of G2 by the test of eprint 2022/348), then the multi-Miller loop of the pairs
//   (-r_j A_j, B_j) of those that pass (the Fp12 squaring of each step shared by all pairs), sum r_j C_j and the
//   sums of their IC scalars. `settle`: the key's three pairs over the joined chunks and the final exponentiation.
//   `check`: both for a small batch in one call.
//
// Messages are `{ id, op, ... }`; each gets `{ id, result }` or `{ id, error }` back, in order.
export const CURVE_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
let ex;
let memory;
let u8;
let u32;
const sets = new Map();
let qap;

// The window width the module's multiexp picks for n points, by the leading zeros of n (its own table).
const MULTIEXP_WINDOW = [17, 17, 17, 17, 17, 17, 17, 17, 17, 17, 16, 16, 15, 14, 13, 13, 12, 11, 10, 9, 8, 7, 7, 6, 5, 4, 3, 2, 1, 1, 1, 1];

function views() {
  if (u8 === undefined || u8.buffer !== memory.buffer) {
    u8 = new Uint8Array(memory.buffer);
    u32 = new Uint32Array(memory.buffer);
  }
}

// Keeps "spare" bytes free above the module's free pointer (u32[0]), where its routines take scratch space.
function reserve(spare) {
  views();
  const missing = u32[0] + spare - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  views();
}

function alloc(bytes) {
  views();
  const at = (u32[0] + 7) & ~7;
  u32[0] = at + bytes;
  reserve(1 << 16);
  return at;
}

let prePSize;
let preQSize;
// Bits of the optimal ate loop count 6 x0 + 2 of BN254, least significant first, as the module's Miller loop
// walks them (its prepared G2 points hold one line per doubling and one per set bit, then two more).
const ATE_BITS = [];
for (let e = 29793968203157093288n; e > 0n; e >>= 1n) ATE_BITS.push(Number(e & 1n));

// Runs f with the module's free pointer restored afterwards: what it allocates is scratch.
function scratch(f) {
  views();
  const mark = u32[0];
  try {
    return f();
  } finally {
    views();
    u32[0] = mark;
  }
}

function init(message) {
  prePSize = message.prePSize;
  preQSize = message.preQSize;
  memory = new WebAssembly.Memory({ initial: 32 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(message.code), { env: { memory } });
  ex = instance.exports;
  return true;
}

// Without a window ("plain"), the bases are only kept, and a multiplication is the module's own multiexp.
function keep(message) {
  const group = message.group;
  const affine = group === 'g1m' ? 64 : 128;
  const jacobian = (affine / 2) * 3;
  const n = message.bases.length / affine;
  const pTable = alloc(n * affine);
  const pDigits = alloc(n * 32 + 8);
  const pResult = alloc(jacobian);
  u8.set(message.bases, pTable);
  sets.set(message.set, { group, n, plain: true, pTable, pDigits, pResult, jacobian });
  return n;
}

function table(message) {
  if (message.window === 0) return keep(message);
  const group = message.group;
  const affine = group === 'g1m' ? 64 : 128;
  const jacobian = (affine / 2) * 3;
  const n = message.bases.length / affine;
  const c = message.window;
  const windows = message.windows;
  const toJacobian = ex[group + '_toJacobian'];
  const double = ex[group + '_double'];
  const batchToAffine = ex[group + '_batchToAffine'];
  const pTable = alloc(n * windows * affine);
  const pDigits = alloc(n * windows * 2 + 8);
  const pResult = alloc(jacobian);
  const pPiece = alloc(jacobian);
  const mark = alloc(0);
  const pIn = alloc(n * affine);
  const pCur = alloc(n * jacobian);
  u8.set(message.bases, pIn);
  for (let i = 0; i < n; i++) toJacobian(pIn + i * affine, pCur + i * jacobian);
  // batchToAffine takes its scratch (the batch inversion's products) above the free pointer.
  reserve(2 * n * jacobian + 65536);
  for (let j = 0; j < windows; j++) {
    batchToAffine(pCur, n, pTable + j * n * affine);
    if (j === windows - 1) break;
    for (let i = 0; i < n; i++) {
      const p = pCur + i * jacobian;
      for (let k = 0; k < c; k++) double(p, p);
    }
  }
  views();
  u32[0] = mark;
  const pieces = message.pieces;
  sets.set(message.set, { group, n, c, windows, pieces, pTable, pDigits, pResult, pPiece, jacobian });
  return n;
}

function msm(message) {
  const set = sets.get(message.set);
  if (set === undefined) throw new Error('unknown base set ' + message.set);
  const { n, c, windows, pDigits, pResult, jacobian } = set;
  const scalars = message.scalars;
  if (scalars.length !== n * 32) throw new Error('expected ' + n + ' scalars');
  if (set.plain) {
    reserve((1 << MULTIEXP_WINDOW[Math.clz32(n)]) * jacobian + 65536);
    u8.set(scalars, pDigits);
    ex[set.group + '_multiexpAffine'](set.pTable, pDigits, 32, n, pResult);
    views();
    return u8.slice(pResult, pResult + jacobian);
  }
  reserve((1 << c) * jacobian + 65536);
  const digits = new Uint16Array(memory.buffer, pDigits, n * windows);
  const mask = (1 << c) - 1;
  const chunk = ex[set.group + '_multiexpAffine_chunk'];
  const double = ex[set.group + '_double'];
  const add = ex[set.group + '_add'];
  // From the top piece down: the sum so far is doubled past the next piece's bits, then that piece's sum added.
  for (let p = set.pieces - 1; p >= 0; p--) {
    const first = p * windows * c;
    for (let i = 0; i < n; i++) {
      const base = i * 32;
      const end = base + 32;
      for (let j = 0; j < windows; j++) {
        const bit = first + j * c;
        const at = base + (bit >> 3);
        const word =
          at >= end
            ? 0
            : scalars[at] |
              (at + 1 < end ? scalars[at + 1] << 8 : 0) |
              (at + 2 < end ? scalars[at + 2] << 16 : 0) |
              (at + 3 < end ? scalars[at + 3] << 24 : 0);
        digits[j * n + i] = (word >>> (bit & 7)) & mask;
      }
    }
    if (p === set.pieces - 1) chunk(set.pTable, pDigits, 2, n * windows, 0, c, pResult);
    else {
      for (let k = windows * c; k > 0; k--) double(pResult, pResult);
      chunk(set.pTable, pDigits, 2, n * windows, 0, c, set.pPiece);
      add(pResult, set.pPiece, pResult);
    }
  }
  views();
  return u8.slice(pResult, pResult + jacobian);
}

function qapLoad(message) {
  const domainSize = message.domainSize;
  const nVars = message.nVars;
  const pCoefs = alloc(message.coefs.length);
  u8.set(message.coefs, pCoefs);
  const nCoefs = u32[pCoefs >> 2];
  const pWitness = alloc(nVars * 32);
  const pA = alloc(domainSize * 32);
  const pB = alloc(domainSize * 32);
  const pC = alloc(domainSize * 32);
  const pOut = alloc(domainSize * 32);
  const pInc = alloc(32);
  const pOne = alloc(32);
  u8.set(message.inc, pInc);
  ex.frm_one(pOne);
  qap = { domainSize, nVars, pCoefs, nCoefs, pWitness, pA, pB, pC, pOut, pInc, pOne };
  return nCoefs;
}

function h(message) {
  const q = qap;
  if (message.witness.length !== q.nVars * 32) throw new Error('expected ' + q.nVars + ' witness values');
  views();
  u8.set(message.witness, q.pWitness);
  ex.qap_buildABC(q.pCoefs + 4, q.nCoefs, q.pWitness, q.pA, q.pB, q.pC, 0, q.domainSize, 0, q.nVars);
  for (const p of [q.pA, q.pB, q.pC]) {
    ex.frm_ifft(p, q.domainSize);
    ex.frm_batchApplyKey(p, q.domainSize, q.pOne, q.pInc, p);
    ex.frm_fft(p, q.domainSize);
  }
  ex.qap_joinABC(q.pA, q.pB, q.pC, q.domainSize, q.pOut);
  ex.frm_batchFromMontgomery(q.pOut, q.domainSize, q.pOut);
  views();
  return u8.slice(q.pOut, q.pOut + q.domainSize * 32);
}

// The verification key of the verifier that owns this thread, kept in the module's memory once: alpha and the IC
// bases (affine), beta, gamma and delta prepared for the Miller loop, and the subgroup test's constants.
let vk;

function verifierKey(message) {
  const k = message.ic.length / 64;
  const put = (bytes, data) => {
    const at = alloc(bytes);
    u8.set(data, at);
    return at;
  };
  const prepared = (point) => {
    const affine = put(128, point);
    const jacobian = alloc(192);
    const at = alloc(preQSize);
    ex.g2m_toJacobian(affine, jacobian);
    ex.bn128_prepareG2(jacobian, at);
    return at;
  };
  vk = {
    k,
    alpha: put(64, message.alpha),
    ic: put(k * 64, message.ic),
    beta: prepared(message.beta),
    gamma: prepared(message.gamma),
    delta: prepared(message.delta),
    psi: put(256, message.psi),
    x0: put(8, message.x0),
  };
  return k;
}

// Whether an affine G2 point lies in the prime-order subgroup: [x0 + 1]Q + psi([x0]Q) + psi^2([x0]Q) = psi^3([2 x0]Q)
// (eprint 2022/348), psi applied to Jacobian coordinates. Allocates its scratch: call inside scratch().
function subgroupTest() {
  const [t, t2, left, right, tmp] = [alloc(192), alloc(192), alloc(192), alloc(192), alloc(192)];
  const [cx, cy, c2x, c2y] = [vk.psi, vk.psi + 64, vk.psi + 128, vk.psi + 192];
  // psi(X : Y : Z) = (conj(X) cx : conj(Y) cy : conj(Z)) in Jacobian coordinates (conjugation is a field
  // automorphism, so it commutes with the division by Z^2 and Z^3); psi^2 needs no conjugation.
  const psi = (p, out) => {
    ex.f2m_conjugate(p, out);
    ex.f2m_mul(out, cx, out);
    ex.f2m_conjugate(p + 64, out + 64);
    ex.f2m_mul(out + 64, cy, out + 64);
    ex.f2m_conjugate(p + 128, out + 128);
  };
  const psi2 = (p, out) => {
    ex.f2m_mul(p, c2x, out);
    ex.f2m_mul(p + 64, c2y, out + 64);
    ex.f2m_copy(p + 128, out + 128);
  };
  return (q) => {
    ex.g2m_timesScalarAffine(q, vk.x0, 8, t);
    ex.g2m_addMixed(t, q, left);
    psi(t, tmp);
    ex.g2m_add(left, tmp, left);
    psi2(t, tmp);
    ex.g2m_add(left, tmp, left);
    ex.g2m_double(t, t2);
    psi2(t2, tmp);
    psi(tmp, right);
    ex.g2m_neg(right, right);
    ex.g2m_add(left, right, left);
    return ex.g2m_isZero(left) === 1;
  };
}

// The product of the Miller loops of prepared pairs (preP[k], preQ[k]) into f, as one multi-Miller loop: the Fp12
// squaring of each step is shared by all pairs, only the line evaluations are per pair. The module's prepared G2
// points hold their 3 Fp2 coordinates, then line coefficients (ell_0, ell_VW, ell_VV) of 3 Fp2 each.
function multiMiller(preP, preQ, f) {
  const m = preP.length;
  const vw = alloc(64);
  const vv = alloc(64);
  const coef = preQ.map((q) => q + 3 * 64);
  const line = (k) => {
    const at = coef[k];
    ex.f2m_mul1(at + 64, preP[k] + 32, vw);
    ex.f2m_mul1(at + 128, preP[k], vv);
    ex.bn128__mulBy024(at, vw, vv, f);
    coef[k] = at + 192;
  };
  ex.ftm_one(f);
  for (let i = ATE_BITS.length - 2; i >= 0; i--) {
    ex.ftm_square(f, f);
    for (let k = 0; k < m; k++) line(k);
    if (ATE_BITS[i]) for (let k = 0; k < m; k++) line(k);
  }
  for (let k = 0; k < m; k++) line(k);
  for (let k = 0; k < m; k++) line(k);
}

// The affine form of a Jacobian point (degree 1: G1, 2: G2) that is not zero, without an inversion when z is one (as
// proofs come); the point at infinity as (0, 0).
function affine(point, out, degree) {
  const size = 32 * degree;
  const group = degree === 1 ? 'g1m' : 'g2m';
  if (ex[group + '_isZero'](point)) ex[group + '_zeroAffine'](out);
  else if (ex[degree === 1 ? 'f1m_isOne' : 'f2m_isOne'](point + 2 * size)) {
    views();
    u8.copyWithin(out, point, point + 2 * size);
  } else ex[group + '_toAffine'](point, out);
}

function zero(at, bytes) {
  views();
  u8.fill(0, at, at + bytes);
}

// A chunk of a batch. Each proof comes as Jacobian points in standard form (A, C: 3 x 32 bytes; B: 3 x 64), its
// 128-bit coefficient r and its k IC scalars r.(1, s_1, ..., s_k-1) mod r. Each proof is parsed here (to Montgomery
// form) and checked: A, B, C on their curves, A and B not zero, B in G2's subgroup. For those that pass: the Miller
// loops of (-r_j A_j, B_j) multiplied into one value, sum r_j C_j, and the sums of their IC scalars. The key's three
// pairs are left to settle(), once per batch.
function chunk(message) {
  const k = vk.k;
  const n = message.r.length / 16;
  const pA = alloc(n * 96);
  const pB = alloc(n * 192);
  const pC = alloc(n * 96);
  const pR = alloc(n * 16);
  const pS = alloc(n * k * 32);
  const vA = alloc(n * 64);
  const vB = alloc(n * 128);
  const vC = alloc(n * 64);
  const vR = alloc(n * 16 + 8);
  const sums = alloc(k * 32);
  const commitments = alloc(96);
  const f = alloc(384);
  const inSubgroup = subgroupTest();
  u8.set(message.a, pA);
  u8.set(message.b, pB);
  u8.set(message.c, pC);
  u8.set(message.r, pR);
  u8.set(message.scalars, pS);
  zero(sums, k * 32);
  const flags = new Uint8Array(n);
  let m = 0;
  for (let j = 0; j < n; j++) {
    const a = pA + j * 96;
    const b = pB + j * 192;
    const c = pC + j * 96;
    for (let t = 0; t < 3; t++) {
      ex.f1m_toMontgomery(a + t * 32, a + t * 32);
      ex.f1m_toMontgomery(c + t * 32, c + t * 32);
      ex.f2m_toMontgomery(b + t * 64, b + t * 64);
    }
    if (ex.g1m_isZero(a) || ex.g2m_isZero(b) || !ex.g1m_inCurve(a) || !ex.g2m_inCurve(b)) continue;
    if (!ex.g1m_isZero(c) && !ex.g1m_inCurve(c)) continue;
    affine(b, vB + m * 128, 2);
    if (!inSubgroup(vB + m * 128)) continue;
    affine(a, vA + m * 64, 1);
    affine(c, vC + m * 64, 1);
    u8.copyWithin(vR + m * 16, pR + j * 16, pR + j * 16 + 16);
    for (let i = 0; i < k; i++) ex.frm_add(sums + i * 32, pS + (j * k + i) * 32, sums + i * 32);
    flags[j] = 1;
    m++;
  }
  // The points -r_j A_j, made affine together (one inversion for the chunk): prepared, a G1 point is its affine form.
  const pRA = alloc(m * 96);
  const pPreP = alloc(m * 64);
  const pPreQ = alloc(m * preQSize);
  const jacobian2 = alloc(192);
  const preP = [];
  const preQ = [];
  for (let j = 0; j < m; j++) {
    ex.g1m_negAffine(vA + j * 64, vA + j * 64);
    ex.g1m_timesScalarAffine(vA + j * 64, vR + j * 16, 16, pRA + j * 96);
    ex.g2m_toJacobian(vB + j * 128, jacobian2);
    ex.bn128_prepareG2(jacobian2, pPreQ + j * preQSize);
    preP.push(pPreP + j * 64);
    preQ.push(pPreQ + j * preQSize);
  }
  reserve(2 * m * 96 + 65536);
  if (m > 0) ex.g1m_batchToAffine(pRA, m, pPreP);
  multiMiller(preP, preQ, f);
  if (m === 0) ex.g1m_zero(commitments);
  else {
    reserve((1 << MULTIEXP_WINDOW[Math.clz32(m)]) * 96 + 65536);
    ex.g1m_multiexpAffine(vC, vR, 16, m, commitments);
  }
  views();
  return {
    flags,
    value: u8.slice(f, f + 384),
    commitments: u8.slice(commitments, commitments + 96),
    sums: u8.slice(sums, sums + k * 32),
  };
}

// Whether the batch equation holds over the chunks (their Miller values, commitment sums and IC scalar sums, joined):
// prod_j e(-r_j A_j, B_j) * e(sum r_j L_j, gamma) * e(sum r_j C_j, delta) * e((sum r_j) alpha, beta) has final
// exponentiation 1, L_j being the IC combination of proof j's signals (its first IC scalar is r_j itself).
function settle(message) {
  const k = vk.k;
  const parts = message.values.length / 384;
  const pValues = alloc(parts * 384);
  const pCommitments = alloc(parts * 96);
  const pSums = alloc(parts * k * 32);
  const sums = alloc(k * 32 + 8);
  const commitments = alloc(96);
  const inputs = alloc(96);
  const alpha = alloc(96);
  const pPreP = alloc(3 * prePSize);
  const f = alloc(384);
  const out = alloc(384);
  const one = alloc(384);
  u8.set(message.values, pValues);
  u8.set(message.commitments, pCommitments);
  u8.set(message.sums, pSums);
  zero(sums, k * 32 + 8);
  ex.g1m_zero(commitments);
  for (let p = 0; p < parts; p++) {
    ex.g1m_add(commitments, pCommitments + p * 96, commitments);
    for (let i = 0; i < k; i++) ex.frm_add(sums + i * 32, pSums + (p * k + i) * 32, sums + i * 32);
  }
  reserve((1 << MULTIEXP_WINDOW[Math.clz32(k)]) * 96 + 65536);
  ex.g1m_multiexpAffine(vk.ic, sums, 32, k, inputs);
  ex.g1m_timesScalarAffine(vk.alpha, sums, 32, alpha);
  [inputs, commitments, alpha].forEach((point, i) => ex.bn128_prepareG1(point, pPreP + i * prePSize));
  multiMiller([pPreP, pPreP + prePSize, pPreP + 2 * prePSize], [vk.gamma, vk.delta, vk.beta], f);
  for (let p = 0; p < parts; p++) ex.ftm_mul(f, pValues + p * 384, f);
  ex.bn128_finalExponentiation(f, out);
  ex.ftm_one(one);
  return ex.ftm_eq(out, one) === 1;
}

// A small batch in one call (one message round trip): its chunk, then the batch equation; no proof's points
// passing their checks makes the batch fail.
function check(message) {
  const part = chunk(message);
  const holds = part.flags.every((flag) => flag === 1) && settle({ values: part.value, commitments: part.commitments, sums: part.sums });
  return { flags: part.flags, holds };
}

const ops = {
  init,
  table,
  msm,
  qapLoad,
  h,
  verifierKey,
  chunk: (message) => scratch(() => chunk(message)),
  settle: (message) => scratch(() => settle(message)),
  check: (message) => scratch(() => check(message)),
};
parentPort.on('message', (message) => {
  try {
    const result = ops[message.op](message);
    parentPort.postMessage({ id: message.id, result }, result instanceof Uint8Array ? [result.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.stack) || error) });
  }
});
`;
