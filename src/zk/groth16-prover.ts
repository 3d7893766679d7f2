import { randomBytes } from 'node:crypto';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import type { WasmCurve } from 'ffjavascript';
import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD } from '../identity/index.js';
import { type CurveThread, startCurveThreads } from './curve-threads.js';
import { loadFfjavascript } from './runtime.js';
import type { Groth16Proof } from './vote-proof.js';
import { G1_BYTES, G2_BYTES, type ProvingKey, parseProvingKey } from './zkey.js';

/** Bits of a BN254 scalar (r < 2^254). */
const SCALAR_BITS = 254;
/** The widest window the WebAssembly chunk routine reads from 16-bit digits. */
const MAX_WINDOW = 16;

/**
 * The window width c that minimises the additions of one fixed-base multiplication of `n` points with the
 * precomputed tables, the scalars cut in `pieces` (the tables covering one piece's bits): n * ceil(254 / c) bucket
 * additions (one per point and window), plus per piece the reduction of the 2^c buckets (about 2^(c+1) full
 * additions, each worth about 1.5 of the mixed ones).
 */
export function windowFor(n: number, pieces = 1): number {
  let best = 1;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let c = 1; c <= MAX_WINDOW; c++) {
    const cost = n * pieces * windowsFor(c, pieces) + pieces * 3 * 2 ** c;
    if (cost < bestCost) {
      best = c;
      bestCost = cost;
    }
  }
  return best;
}

/** The c-bit windows of one piece of a scalar cut in `pieces`: what a table holds per point. */
function windowsFor(c: number, pieces: number): number {
  return Math.ceil(Math.ceil(SCALAR_BITS / pieces) / c);
}

/** The most pieces a scalar may be cut in (each one more bucket reduction per multiplication). */
export const MAX_PIECES = 8;

/** The multi-scalar multiplications of a Groth16 proof, by proving key section. */
const SETS = [
  { name: 'a', group: 'g1m', size: G1_BYTES },
  { name: 'b1', group: 'g1m', size: G1_BYTES },
  { name: 'b2', group: 'g2m', size: G2_BYTES },
  { name: 'c', group: 'g1m', size: G1_BYTES },
  { name: 'h', group: 'g1m', size: G1_BYTES },
] as const;
type SetName = (typeof SETS)[number]['name'];

/** A uniform non-zero scalar from the CSPRNG (48 bytes reduced: bias below 2^-130). */
function randomScalar(): bigint {
  for (;;) {
    const value = bytesToNumberLE(randomBytes(48)) % BN254_SCALAR_FIELD;
    if (value !== 0n) return value;
  }
}

/**
 * A Groth16 prover for any circuit on BN254 given its snarkjs proving key, producing the proofs snarkjs would (the
 * same verification key and snarkjs's verifier accept them), faster when used for many proofs:
 *
 * - the key is parsed once, and its points stay in the worker threads' memory (one share of every section per
 *   thread), so a proof sends only its witness to the threads, never the bases;
 * - the bases being fixed, each thread expands its share once into tables of 2^(c j) P (one per c-bit window j):
 *   a multiplication is then one bucket pass with no doublings and a single bucket reduction;
 * - the QAP (A, B, C evaluations, three inverse FFTs, coset shift, three FFTs, join) runs in one WebAssembly call
 *   sequence in a thread, beside the multiplications that only need the witness.
 *
 * Loading costs the tables' construction (a few seconds for a 4,096-constraint circuit on a slow machine). Idle
 * threads do not keep the process alive; {@link Groth16Prover.close} frees them.
 */
export class Groth16Prover {
  private constructor(
    private readonly key: ProvingKey,
    private readonly curve: WasmCurve,
    private readonly threads: CurveThread[],
    private readonly shares: Record<SetName, Array<{ from: number; to: number }>>,
  ) {}

  /**
   * Parses `zkey` (`INVALID_ARGUMENT` when malformed) and builds the threads' tables. `tables: false` skips the
   * tables (the points are still kept in the threads): for a process that proves once or twice, where building
   * them (about ten proofs' worth of work) would cost more than it saves. `pieces` (1 to {@link MAX_PIECES}, 1
   * unless set) cuts the scalars in that many pieces the tables cover one of: building costs 1/pieces as much, each
   * multiplication one more bucket reduction and a few hundred doublings per extra piece.
   */
  static async load(
    zkey: Uint8Array,
    options: { threads?: number; tables?: boolean; pieces?: number } = {},
  ): Promise<Groth16Prover> {
    const pieces = options.pieces ?? 1;
    if (!Number.isInteger(pieces) || pieces < 1 || pieces > MAX_PIECES)
      throw new AgoraError(ErrorCode.InvalidArgument, `a prover cuts scalars in 1 to ${MAX_PIECES} pieces`);
    const key = parseProvingKey(zkey);
    const curve = await (await loadFfjavascript()).buildBn128(true);
    const threads = await startCurveThreads(curve, options.threads);
    const count = threads.length;
    try {
      const lengths: Record<SetName, number> = {
        a: key.nVars,
        b1: key.nVars,
        b2: key.nVars,
        c: key.nVars - key.nPublic - 1,
        h: key.domainSize,
      };
      const shares = {} as Record<SetName, Array<{ from: number; to: number }>>;
      const tables: Promise<unknown>[] = [];
      for (const { name, group, size } of SETS) {
        const n = lengths[name];
        shares[name] = threads.map((_, k) => ({
          from: Math.floor((n * k) / count),
          to: Math.floor((n * (k + 1)) / count),
        }));
        threads.forEach((thread, k) => {
          const { from, to } = (shares[name] as Array<{ from: number; to: number }>)[k] as {
            from: number;
            to: number;
          };
          const window = options.tables === false ? 0 : windowFor(to - from, pieces);
          tables.push(
            thread.call('table', {
              set: name,
              group,
              bases: key[name].slice(from * size, to * size),
              window,
              windows: window === 0 ? 0 : windowsFor(window, pieces),
              pieces,
            }),
          );
        });
      }
      const power = Math.log2(key.domainSize);
      const inc = power === curve.Fr.s ? curve.Fr.shift : (curve.Fr.w[power + 1] as Uint8Array);
      tables.push(
        (threads[0] as CurveThread).call('qapLoad', {
          coefs: key.coefficients.slice(),
          nVars: key.nVars,
          domainSize: key.domainSize,
          inc: inc.slice(),
        }),
      );
      await Promise.all(tables);
      return new Groth16Prover(key, curve, threads, shares);
    } catch (cause) {
      await Promise.all(threads.map((thread) => thread.terminate()));
      throw new AgoraError(ErrorCode.InvalidArgument, 'cannot load the proving key into the prover threads', {
        cause,
      });
    }
  }

  /** Number of signals a witness holds for this key. */
  get witnessLength(): number {
    return this.key.nVars;
  }

  private async multiply(name: SetName, scalars: Uint8Array): Promise<Uint8Array> {
    const group = name === 'b2' ? this.curve.G2 : this.curve.G1;
    const parts = await Promise.all(
      this.threads.map((thread, k) => {
        const { from, to } = this.shares[name][k] as { from: number; to: number };
        return thread.call<Uint8Array>('msm', { set: name, scalars: scalars.slice(from * 32, to * 32) });
      }),
    );
    return parts.reduce((sum, part) => group.add(sum, part), group.zero);
  }

  /**
   * Proves from a full witness: `nVars` values of 32 bytes, little-endian, standard form, as circom's
   * `calculateBinWitness` gives them (the constant 1 first, then the public signals). The witness is not checked
   * against the constraints (a wrong one gives a proof that does not verify).
   */
  async prove(witness: Uint8Array): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
    const { nVars, nPublic } = this.key;
    if (witness.length !== nVars * 32)
      throw new AgoraError(ErrorCode.InvalidArgument, `a witness has ${nVars} values of 32 bytes`);
    for (let i = 0; i < nVars; i++)
      if ((witness[i * 32 + 31] as number) > 0x30)
        throw new AgoraError(ErrorCode.InvalidArgument, `witness value ${i} lies outside the scalar field`);
    const [first] = this.threads as [CurveThread];
    const h = first.call<Uint8Array>('h', { witness });
    const a = this.multiply('a', witness);
    const b1 = this.multiply('b1', witness);
    const b2 = this.multiply('b2', witness);
    const c = this.multiply('c', witness.subarray((nPublic + 1) * 32));
    const hSum = this.multiply('h', await h);

    const { G1, G2, Fr } = this.curve;
    const r = randomScalar();
    const s = randomScalar();
    const delta1 = G1.fromRprLEM(this.key.delta1);
    const piA = G1.add(G1.add(await a, G1.fromRprLEM(this.key.alpha1)), G1.timesFr(delta1, Fr.e(r)));
    const piB = G2.add(
      G2.add(await b2, G2.fromRprLEM(this.key.beta2)),
      G2.timesFr(G2.fromRprLEM(this.key.delta2), Fr.e(s)),
    );
    const b1Total = G1.add(G1.add(await b1, G1.fromRprLEM(this.key.beta1)), G1.timesFr(delta1, Fr.e(s)));
    let piC = G1.add(await c, await hSum);
    piC = G1.add(piC, G1.timesFr(piA, Fr.e(s)));
    piC = G1.add(piC, G1.timesFr(b1Total, Fr.e(r)));
    piC = G1.add(
      piC,
      G1.timesFr(delta1, Fr.e((BN254_SCALAR_FIELD - ((r * s) % BN254_SCALAR_FIELD)) % BN254_SCALAR_FIELD)),
    );

    const decimal = (value: unknown): unknown => (Array.isArray(value) ? value.map(decimal) : String(value));
    const publicSignals: string[] = [];
    for (let i = 1; i <= nPublic; i++)
      publicSignals.push(bytesToNumberLE(witness.subarray(i * 32, i * 32 + 32)).toString());
    return {
      proof: {
        pi_a: decimal(G1.toObject(G1.toAffine(piA))) as string[],
        pi_b: decimal(G2.toObject(G2.toAffine(piB))) as string[][],
        pi_c: decimal(G1.toObject(G1.toAffine(piC))) as string[],
        protocol: 'groth16',
        curve: 'bn128',
      },
      publicSignals,
    };
  }

  /** Stops the threads; later proofs fail. */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.terminate()));
  }
}
