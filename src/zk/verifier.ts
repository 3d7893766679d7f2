import { randomBytes } from 'node:crypto';
import { bytesToNumberBE, numberToBytesLE } from '@noble/curves/utils.js';
import type { WasmCurve } from 'ffjavascript';
import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD } from '../identity/index.js';
import { loadPanelArtifacts, loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
import { type CurveThread, startCurveThreads } from './curve-threads.js';
import { g2SubgroupTest } from './g2-subgroup.js';
import { loadFfjavascript } from './runtime.js';
import { canonicalSignals, type VoteProof } from './vote-proof.js';

/** A proof parsed into affine curve points (Montgomery form), checked on its curves. */
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

/** Concatenates equal-sized buffers. */
function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(parts.length * size);
  parts.forEach((part, i) => {
    out.set(part, i * size);
  });
  return out;
}

let parsingCurve: Promise<WasmCurve> | undefined;

/** ffjavascript's BN254 on this thread only (no workers), for parsing and checking points. */
function localCurve(): Promise<WasmCurve> {
  parsingCurve ??= loadFfjavascript().then(({ buildBn128 }) => buildBn128(true));
  return parsingCurve;
}

/**
 * Groth16 verification of vote proofs, alone or many at once: `prod e(-r_j A_j, B_j) * e(sum r_j L_j, gamma) *
 * e(sum r_j C_j, delta) * e((sum r_j) alpha, beta) == 1` with independent random 128-bit `r_j`, one multi-Miller
 * loop per worker thread (the squarings shared by all pairs) and one final exponentiation for the whole batch.
 * Every point is checked on its curve, and every B in the prime order subgroup of G2 (snarkjs checks neither
 * subgroup nor, before pairing, much else). A failing batch is split in halves until the bad proofs are named.
 * The work runs in worker threads of this verifier (idle, they do not keep the process alive).
 */
export class Verifier {
  private threads: Promise<CurveThread[]> | undefined;

  private constructor(
    private readonly curve: WasmCurve,
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
    return Verifier.fromKey(
      (artifacts ?? (await loadVoteArtifacts())).verificationKey,
      6,
      'the vote circuit',
    );
  }

  /**
   * A verifier of the panel circuit's proofs (a juror's seat: signals [nullifier, root, scope, vote]) for the key of
   * `artifacts` (the committed panel artifacts by default). A vote circuit key is refused: it has six signals.
   */
  static async loadPanel(artifacts?: VoteArtifacts): Promise<Verifier> {
    return Verifier.fromKey(
      (artifacts ?? (await loadPanelArtifacts())).verificationKey,
      4,
      'the panel circuit',
    );
  }

  private static async fromKey(verificationKey: Record<string, unknown>, signals: number, circuit: string) {
    const curve = await localCurve();
    const { G1, G2 } = curve;
    const vk = verificationKey as {
      vk_alpha_1: unknown;
      vk_beta_2: unknown;
      vk_gamma_2: unknown;
      vk_delta_2: unknown;
      IC: unknown[];
    };
    try {
      const alpha = G1.fromObject(bigints(vk.vk_alpha_1));
      const ic = vk.IC.map((point) => G1.fromObject(bigints(point)));
      const g2 = [vk.vk_beta_2, vk.vk_gamma_2, vk.vk_delta_2].map((point) => G2.fromObject(bigints(point)));
      const valid = [alpha, ...ic].every((p) => G1.isValid(p)) && g2.every((p) => G2.isValid(p));
      if (ic.length !== signals + 1 || !valid) throw new RangeError(`not a key of ${circuit}`);
      const [beta, gamma, delta] = g2.map((p) => G2.toAffine(p)) as [Uint8Array, Uint8Array, Uint8Array];
      return new Verifier(curve, {
        alpha: G1.toAffine(alpha),
        beta,
        gamma,
        delta,
        ic: ic.map((p) => G1.toAffine(p)),
      });
    } catch (cause) {
      throw new AgoraError(ErrorCode.InvalidArgument, `malformed verification key for ${circuit}`, {
        cause,
      });
    }
  }

  private workers(): Promise<CurveThread[]> {
    this.threads ??= startCurveThreads(this.curve);
    return this.threads;
  }

  private prepare(proof: VoteProof): Prepared | undefined {
    const { G1, G2 } = this.curve;
    // Proofs arrive from other agents: anything that is not a well-formed proof is simply invalid.
    if (typeof proof !== 'object' || proof === null) return undefined;
    const signals = proof.publicSignals;
    if (!canonicalSignals(signals, this.key.ic.length - 1)) return undefined;
    try {
      const a = G1.fromObject(bigints(proof.proof.pi_a));
      const b = G2.fromObject(bigints(proof.proof.pi_b));
      const c = G1.fromObject(bigints(proof.proof.pi_c));
      if (!G1.isValid(a) || !G1.isValid(c) || !G2.isValid(b) || G1.isZero(a) || G2.isZero(b))
        return undefined;
      return { a: G1.toAffine(a), b: G2.toAffine(b), c: G1.toAffine(c), signals: signals.map(BigInt) };
    } catch {
      return undefined;
    }
  }

  /** The subgroup test's constants in the WebAssembly module's form. */
  private async subgroupConstants(): Promise<{ psi: Uint8Array; x0: Uint8Array }> {
    const F2 = this.curve.G2.F;
    const test = await g2SubgroupTest();
    const psi = concat(
      [test.psiX, test.psiY, test.psi2X, test.psi2Y].map((c) => F2.fromObject([...c])),
      64,
    );
    return { psi, x0: numberToBytesLE(test.x0, 8) };
  }

  /** Whether each B lies in G2's prime-order subgroup, the points shared among the threads. */
  private async inSubgroup(threads: CurveThread[], points: readonly Uint8Array[]): Promise<boolean[]> {
    const { psi, x0 } = await this.subgroupConstants();
    const flags = await Promise.all(
      threads.map((thread, k) => {
        const share = points.slice(
          Math.floor((points.length * k) / threads.length),
          Math.floor((points.length * (k + 1)) / threads.length),
        );
        return share.length === 0
          ? Promise.resolve(new Uint8Array(0))
          : thread.call<Uint8Array>('subgroup', { points: concat(share, 128), psi, x0 });
      }),
    );
    return flags.flatMap((part) => [...part].map((flag) => flag === 1));
  }

  private async holds(threads: CurveThread[], batch: readonly Prepared[]): Promise<boolean> {
    const { G1 } = this.curve;
    const F = BN254_SCALAR_FIELD;
    const coefficients = batch.map(() => coefficient());
    const icScalars = this.key.ic.map(() => 0n);
    let coefficientSum = 0n;
    batch.forEach((proof, j) => {
      const r = coefficients[j] as bigint;
      coefficientSum = (coefficientSum + r) % F;
      icScalars[0] = ((icScalars[0] as bigint) + r) % F;
      proof.signals.forEach((signal, i) => {
        icScalars[i + 1] = ((icScalars[i + 1] as bigint) + r * signal) % F;
      });
    });
    const r16 = concat(
      coefficients.map((r) => numberToBytesLE(r, 16)),
      16,
    );
    const [first, last] = [threads[0] as CurveThread, threads[threads.length - 1] as CurveThread];
    // The proofs' pairs e(-r_j A_j, B_j), shared among the threads; the sums for the key's three fixed pairs.
    const loops = threads.map((thread, k) => {
      const from = Math.floor((batch.length * k) / threads.length);
      const to = Math.floor((batch.length * (k + 1)) / threads.length);
      if (from === to) return Promise.resolve(undefined);
      const share = batch.slice(from, to);
      return thread.call<Uint8Array>('miller', {
        g1: concat(
          share.map((p) => p.a),
          64,
        ),
        g2: concat(
          share.map((p) => p.b),
          128,
        ),
        scalars: r16.slice(from * 16, to * 16),
        scalarBytes: 16,
        negate: true,
      });
    });
    const inputs = first.call<Uint8Array>('msm1', {
      bases: concat(this.key.ic, 64),
      scalars: concat(
        icScalars.map((x) => numberToBytesLE(x, 32)),
        32,
      ),
      scalarBytes: 32,
    });
    const commitments = last.call<Uint8Array>('msm1', {
      bases: concat(
        batch.map((p) => p.c),
        64,
      ),
      scalars: r16,
      scalarBytes: 16,
    });
    const affine = (point: Uint8Array) => (G1.isZero(point) ? new Uint8Array(64) : G1.toAffine(point));
    const fixed = first.call<Uint8Array>('miller', {
      g1: concat([affine(await inputs), affine(await commitments), this.key.alpha], 64),
      g2: concat([this.key.gamma, this.key.delta, this.key.beta], 128),
      scalars: concat(
        [1n, 1n, coefficientSum].map((x) => numberToBytesLE(x, 32)),
        32,
      ),
      scalarBytes: 32,
      negate: false,
    });
    const values = (await Promise.all([...loops, fixed])).filter((v): v is Uint8Array => v !== undefined);
    return first.call<boolean>('final', { values: concat(values, 384) });
  }

  private async bisect(
    threads: CurveThread[],
    indices: number[],
    prepared: Prepared[],
    verdicts: boolean[],
  ): Promise<void> {
    if (indices.length === 0) return;
    if (
      await this.holds(
        threads,
        indices.map((i) => prepared[i] as Prepared),
      )
    ) {
      for (const i of indices) verdicts[i] = true;
      return;
    }
    if (indices.length === 1) return;
    const half = indices.length >> 1;
    await this.bisect(threads, indices.slice(0, half), prepared, verdicts);
    await this.bisect(threads, indices.slice(half), prepared, verdicts);
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
    const verdicts = proofs.map(() => false);
    const prepared: Prepared[] = [];
    const parsed: number[] = [];
    proofs.forEach((proof, i) => {
      const ready = this.prepare(proof);
      prepared.push(ready as Prepared);
      if (ready !== undefined) parsed.push(i);
    });
    if (parsed.length === 0) return verdicts;
    const threads = await this.workers();
    if (parsed.length === 1) {
      // One proof: everything in one thread, one message round trip.
      const i = parsed[0] as number;
      const proof = prepared[i] as Prepared;
      const r = coefficient();
      const icScalars = [r, ...proof.signals.map((signal) => (r * signal) % BN254_SCALAR_FIELD)];
      const { holds } = await (threads[0] as CurveThread).call<{ holds: boolean }>('check', {
        ...(await this.subgroupConstants()),
        a: proof.a,
        b: proof.b,
        c: proof.c,
        r: numberToBytesLE(r, 16),
        ic: concat(this.key.ic, 64),
        icScalars: concat(
          icScalars.map((x) => numberToBytesLE(x, 32)),
          32,
        ),
        alpha: this.key.alpha,
        beta: this.key.beta,
        gamma: this.key.gamma,
        delta: this.key.delta,
        fixedScalars: concat(
          [1n, 1n, r].map((x) => numberToBytesLE(x, 32)),
          32,
        ),
      });
      verdicts[i] = holds;
      return verdicts;
    }
    const members = await this.inSubgroup(
      threads,
      parsed.map((i) => (prepared[i] as Prepared).b),
    );
    const candidates = parsed.filter((_, k) => members[k]);
    await this.bisect(threads, candidates, prepared, verdicts);
    return verdicts;
  }

  /** Stops the verifier's threads (a later verification starts them again). */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = undefined;
    if (threads !== undefined) await Promise.all((await threads).map((thread) => thread.terminate()));
  }
}
