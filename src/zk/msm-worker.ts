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
// Messages are `{ id, op, ... }`; each gets `{ id, result }` or `{ id, error }` back, in order.
export const MSM_WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
let ex;
let memory;
let u8;
let u32;
const sets = new Map();
let qap;

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

function init(message) {
  memory = new WebAssembly.Memory({ initial: 32 });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(message.code), { env: { memory } });
  ex = instance.exports;
  return true;
}

function table(message) {
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
  const scratch = alloc(0);
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
  u32[0] = scratch;
  sets.set(message.set, { group, n, c, windows, pTable, pDigits, pResult, jacobian });
  return n;
}

function msm(message) {
  const set = sets.get(message.set);
  if (set === undefined) throw new Error('unknown base set ' + message.set);
  const { n, c, windows, pDigits, pResult, jacobian } = set;
  const scalars = message.scalars;
  if (scalars.length !== n * 32) throw new Error('expected ' + n + ' scalars');
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

const ops = { init, table, msm, qapLoad, h };
parentPort.on('message', (message) => {
  try {
    const result = ops[message.op](message);
    parentPort.postMessage({ id: message.id, result }, result instanceof Uint8Array ? [result.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String((error && error.stack) || error) });
  }
});
`;
