// The code of one prover worker thread, kept as JavaScript text: it runs in a `worker_threads` Worker built with
// `eval: true`, which no TypeScript loader reaches (under tsx, vitest or the compiled package alike), and it must
// not depend on helpers a transpiler would add. It drives the BN254 WebAssembly module of ffjavascript (the one
// snarkjs proves with), passed at start, in a memory of its own that keeps what it is given across proofs:
//
// - `table`: the fixed bases of one multi-scalar multiplication (a share of a proving key section), expanded once
//   into 2^(c j) P_i for every window j, in affine form. A multiplication is then a single bucket pass over all
//   (point, window) pairs, with no doublings and one bucket reduction instead of one per window.
// - `msm`: the scalars of one such multiplication (32-byte little-endian, standard form) cut into c-bit digits,
//   bucketed by the module's own chunk routine; answers the Jacobian sum in the module's Montgomery form.
// - `qap` / `h`: the coefficients of the proving key's QAP, kept; for each witness the evaluations of A, B and
//   C = A.B, their inverse FFTs, shift to the odd coset and FFTs, joined as (A.B - C) / Z: the scalars of the H
//   section, as snarkjs computes them.
//
// - `subgroup`: whether G2 points lie in the prime-order subgroup, by the test of eprint 2022/348
//   ([x0 + 1]Q + psi([x0]Q) + psi^2([x0]Q) = psi^3([2 x0]Q)), psi applied to Jacobian coordinates.
// - `miller`: the product of the Miller loops of pairs (s_k P_k, Q_k) as one multi-Miller loop: the Fp12 squaring
//   of each step is shared by all pairs, only the line evaluations are per pair.
// - `msm1`: a G1 multi-scalar multiplication of points given with the call; `final`: whether the product of Miller
//   loop values has final exponentiation 1; `check`: all of a small batch's verification in one call.
//
//   With window 0 the bases are only kept, for a prover used for one or two proofs (no table to build).
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
  sets.set(message.set, { group, n, c, windows, pTable, pDigits, pResult, jacobian });
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
  for (let i = 0; i < n; i++) {
    const base = i * 32;
    for (let j = 0; j < windows; j++) {
      const bit = j * c;
      const at = base + (bit >> 3);
      const end = base + 32;
      const word =
        scalars[at] |
        (at + 1 < end ? scalars[at + 1] << 8 : 0) |
        (at + 2 < end ? scalars[at + 2] << 16 : 0) |
        (at + 3 < end ? scalars[at + 3] << 24 : 0);
      digits[j * n + i] = (word >>> (bit & 7)) & mask;
    }
  }
  ex[set.group + '_multiexpAffine_chunk'](set.pTable, pDigits, 2, n * windows, 0, c, pResult);
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

function subgroup(message) {
  return scratch(() => {
    const m = message.points.length / 128;
    const pQ = alloc(m * 128);
    const pPsi = alloc(4 * 64);
    const pX0 = alloc(8);
    const t = alloc(192);
    const t2 = alloc(192);
    const left = alloc(192);
    const right = alloc(192);
    const tmp = alloc(192);
    u8.set(message.points, pQ);
    u8.set(message.psi, pPsi);
    u8.set(message.x0, pX0);
    const [cx, cy, c2x, c2y] = [pPsi, pPsi + 64, pPsi + 128, pPsi + 192];
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
    const flags = new Uint8Array(m);
    for (let j = 0; j < m; j++) {
      const q = pQ + j * 128;
      ex.g2m_timesScalarAffine(q, pX0, 8, t);
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
      flags[j] = ex.g2m_isZero(left) ? 1 : 0;
    }
    return flags;
  });
}

function miller(message) {
  return scratch(() => {
    const m = message.g2.length / 128;
    const bytes = message.scalarBytes;
    const pP = alloc(m * 64);
    const pQ = alloc(m * 128);
    const pS = alloc(m * bytes);
    const jacobian1 = alloc(96);
    const jacobian2 = alloc(192);
    const pPreP = alloc(m * prePSize);
    const pPreQ = alloc(m * preQSize);
    const vw = alloc(64);
    const vv = alloc(64);
    const f = alloc(384);
    u8.set(message.g1, pP);
    u8.set(message.g2, pQ);
    u8.set(message.scalars, pS);
    for (let k = 0; k < m; k++) {
      if (message.negate) ex.g1m_negAffine(pP + k * 64, pP + k * 64);
      ex.g1m_timesScalarAffine(pP + k * 64, pS + k * bytes, bytes, jacobian1);
      ex.bn128_prepareG1(jacobian1, pPreP + k * prePSize);
      ex.g2m_toJacobian(pQ + k * 128, jacobian2);
      ex.bn128_prepareG2(jacobian2, pPreQ + k * preQSize);
    }
    // The module's Miller loop, run for all pairs at once: coefficients (ell_0, ell_VW, ell_VV) of 3 Fp2 each
    // follow the prepared point's own 3 Fp2 coordinates.
    const coef = [];
    for (let k = 0; k < m; k++) coef.push(pPreQ + k * preQSize + 3 * 64);
    const line = (k) => {
      const at = coef[k];
      const preP = pPreP + k * prePSize;
      ex.f2m_mul1(at + 64, preP + 32, vw);
      ex.f2m_mul1(at + 128, preP, vv);
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
    views();
    return u8.slice(f, f + 384);
  });
}

function msm1(message) {
  return scratch(() => {
    const m = message.bases.length / 64;
    const bytes = message.scalarBytes;
    const pB = alloc(m * 64);
    const pS = alloc(m * bytes + 8);
    const pR = alloc(96);
    u8.set(message.bases, pB);
    u8.set(message.scalars, pS);
    reserve((1 << MULTIEXP_WINDOW[Math.clz32(m)]) * 96 + 65536);
    ex.g1m_multiexpAffine(pB, pS, bytes, m, pR);
    views();
    return u8.slice(pR, pR + 96);
  });
}

function final(message) {
  return scratch(() => {
    const k = message.values.length / 384;
    const f = alloc(384);
    const tmp = alloc(384);
    const one = alloc(384);
    ex.ftm_one(f);
    for (let i = 0; i < k; i++) {
      u8.set(message.values.subarray(i * 384, i * 384 + 384), tmp);
      ex.ftm_mul(f, tmp, f);
    }
    ex.bn128_finalExponentiation(f, tmp);
    ex.ftm_one(one);
    return ex.ftm_eq(tmp, one) === 1;
  });
}

// A Jacobian G1 point (96 bytes) in affine form, the point at infinity as (0, 0).
function affine1(point) {
  return scratch(() => {
    const p = alloc(96);
    const out = alloc(64);
    u8.set(point, p);
    if (ex.g1m_isZero(p)) return new Uint8Array(64);
    ex.g1m_toAffine(p, out);
    views();
    return u8.slice(out, out + 64);
  });
}

function join(parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// A whole small batch in one call (one message round trip): subgroup tests, then the batch equation.
function check(message) {
  const flags = subgroup({ points: message.b, psi: message.psi, x0: message.x0 });
  if (flags.some((flag) => flag !== 1)) return { flags, holds: false };
  const proofs = miller({ g1: message.a, g2: message.b, scalars: message.r, scalarBytes: 16, negate: true });
  const inputs = affine1(msm1({ bases: message.ic, scalars: message.icScalars, scalarBytes: 32 }));
  const commitments = affine1(msm1({ bases: message.c, scalars: message.r, scalarBytes: 16 }));
  const fixed = miller({
    g1: join([inputs, commitments, message.alpha]),
    g2: join([message.gamma, message.delta, message.beta]),
    scalars: message.fixedScalars,
    scalarBytes: 32,
    negate: false,
  });
  return { flags, holds: final({ values: join([proofs, fixed]) }) };
}

const ops = { init, table, msm, qapLoad, h, subgroup, miller, msm1, final, check };
parentPort.on('message', (message) => {
  try {
    const result = ops[message.op](message);
    parentPort.postMessage({ id: message.id, result }, result instanceof Uint8Array ? [result.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.stack) || error) });
  }
});
`;
