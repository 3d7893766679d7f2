import { randomFillSync } from 'node:crypto';
import { numberToBytesLE } from '@noble/curves/utils.js';
import type { WasmCurve } from 'ffjavascript';
import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD } from '../identity/index.js';
import { loadPanelArtifacts, loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
import { type CurveThread, startCurveThreads } from './curve-threads.js';
import { g2SubgroupTest } from './g2-subgroup.js';
import { loadFfjavascript } from './runtime.js';
import { canonicalSignals, type VoteProof } from './vote-proof.js';
import { BN254_BASE_FIELD } from './zkey.js';

/**
 * A proof's points as the curve threads read them: Jacobian coordinates (x, y, z) in standard form, little-endian, 32
 * bytes per Fp element (A and C: 96 bytes, B: 192), with its public signals. The threads parse and check them.
 */
interface Parsed {
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly c: Uint8Array;
  readonly signals: bigint[];
}

/** What a thread answers for a chunk of a batch (see the `chunk` operation of the curve worker). */
interface Chunk {
  /** 1 for each proof whose points are on their curves, A and B not zero, B in G2's subgroup. */
  readonly flags: Uint8Array;
  /** The product of the Miller loops of (-r_j A_j, B_j) over the flagged proofs. */
  readonly value: Uint8Array;
  /** sum r_j C_j (Jacobian). */
  readonly commitments: Uint8Array;
  /** The IC scalars of the flagged proofs, summed. */
  readonly sums: Uint8Array;
}

/**
 * Proofs per chunk: enough that a chunk's shared Fp12 squarings and its message cost little, few enough to keep both
 * threads busy to the end of a batch (its last chunks are smaller, down to {@link MIN_CHUNK}).
 */
const CHUNK = 32;
const MIN_CHUNK = 8;

/** Decimal strings (as snarkjs writes points) to the bigints ffjavascript's fromObject reads. */
function bigints(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(bigints);
  if (typeof value === 'string') {
    if (!/^(?:0|[1-9]\d{0,77})$/.test(value)) throw new RangeError('not a decimal coordinate');
    return BigInt(value);
  }
  return value;
}

/**
 * `count` non-zero 128-bit coefficients from the CSPRNG (a cheater cannot guess them to cancel a bad proof), with their
 * little-endian bytes.
 */
function coefficients(count: number): { values: bigint[]; bytes: Uint8Array } {
  const bytes = randomFillSync(new Uint8Array(16 * count));
  const view = new DataView(bytes.buffer);
  const values = Array.from({ length: count }, (_, j) => {
    for (;;) {
      const value = view.getBigUint64(16 * j, true) | (view.getBigUint64(16 * j + 8, true) << 64n);
      if (value !== 0n) return value;
      randomFillSync(bytes, 16 * j, 16);
    }
  });
  return { values, bytes };
}

/** Writes `x` (below 2^256) as 32 little-endian bytes at `offset` (noble's conversion goes through hex: slower). */
function putLE(view: DataView, offset: number, x: bigint): void {
  for (let i = 0; i < 32; i += 8) {
    view.setBigUint64(offset + i, BigInt.asUintN(64, x), true);
    x >>= 64n;
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

/** A canonical decimal Fp element (as snarkjs writes coordinates), or a RangeError. */
function coordinate(value: unknown): bigint {
  if (typeof value !== 'string' || !/^(?:0|[1-9]\d{0,77})$/.test(value))
    throw new RangeError('not a decimal coordinate');
  const x = BigInt(value);
  if (x >= BN254_BASE_FIELD) throw new RangeError('a coordinate is not below the field order');
  return x;
}

/**
 * A snarkjs point ([x, y] or [x, y, z]; over Fp2 each element a pair) as Jacobian coordinates in standard form; z
 * defaults to 1, z = 0 is the point at infinity. Throws a RangeError on anything else.
 */
function point(value: unknown, fp2: boolean): Uint8Array {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3))
    throw new RangeError('not a curve point');
  const element = (x: unknown): bigint[] => {
    if (!fp2) return [coordinate(x)];
    if (!Array.isArray(x) || x.length !== 2) throw new RangeError('not an Fp2 element');
    return x.map(coordinate);
  };
  const limbs = [
    ...element(value[0]),
    ...element(value[1]),
    ...(value.length === 3 ? element(value[2]) : fp2 ? [1n, 0n] : [1n]),
  ];
  const out = new Uint8Array(32 * limbs.length);
  const view = new DataView(out.buffer);
  limbs.forEach((x, i) => {
    putLE(view, 32 * i, x);
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
  /** Proofs sent to each thread and not answered yet. */
  private readonly queued = new Map<CurveThread, number>();

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

  private async workers(): Promise<CurveThread[]> {
    this.threads ??= this.startThreads();
    const current = this.threads;
    let threads: CurveThread[];
    try {
      threads = await current;
    } catch (cause) {
      // Threads that failed to start are started again by the next verification, not taken as failing for good.
      if (this.threads === current) this.threads = undefined;
      throw cause;
    }
    if (!threads.some((thread) => thread.stopped)) return threads;
    // A thread was lost (it crashed or ran out of memory): without a new pool every later verification would fail
    // until the process restarts. The others are stopped with it (their calls in flight fail as closed).
    if (this.threads === current) {
      this.threads = undefined;
      for (const thread of threads) this.queued.delete(thread);
      await Promise.all(threads.map((thread) => thread.terminate()));
    }
    return this.workers();
  }

  /** Starts the threads and gives each the key (its G2 points prepared there once) and the subgroup test's constants. */
  private async startThreads(): Promise<CurveThread[]> {
    const threads = await startCurveThreads(this.curve);
    try {
      const { alpha, beta, gamma, delta, ic } = this.key;
      const key = { alpha, beta, gamma, delta, ic: concat(ic, 64), ...(await this.subgroupConstants()) };
      await Promise.all(threads.map((thread) => thread.call('verifierKey', key)));
    } catch (cause) {
      await Promise.all(threads.map((thread) => thread.terminate()));
      throw cause;
    }
    for (const thread of threads) this.queued.set(thread, 0);
    return threads;
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

  /** Runs `op` on `thread`, counting its proofs as queued there until it answers. */
  private async run<T>(
    thread: CurveThread,
    op: string,
    fields: Record<string, unknown>,
    proofs: number,
  ): Promise<T> {
    const queued = this.queued.get(thread);
    if (queued !== undefined) this.queued.set(thread, queued + proofs);
    try {
      return await thread.call<T>(op, fields);
    } finally {
      // A thread the verifier closed meanwhile is no longer counted (nor kept).
      const queued = this.queued.get(thread);
      if (queued !== undefined) this.queued.set(thread, queued - proofs);
    }
  }

  /** Runs `op` on the thread with the fewest proofs queued. */
  private dispatch<T>(
    threads: readonly CurveThread[],
    op: string,
    fields: Record<string, unknown>,
    proofs: number,
  ): Promise<T> {
    const queued = (thread: CurveThread) => this.queued.get(thread) ?? 0;
    const thread = threads.reduce((best, next) => (queued(next) < queued(best) ? next : best));
    return this.run(thread, op, fields, proofs);
  }

  /** The proof's points and signals, or undefined when it is not even shaped like a proof of this circuit. */
  private parse(proof: VoteProof): Parsed | undefined {
    // Proofs arrive from other agents: anything that is not a well-formed proof is simply invalid.
    if (typeof proof !== 'object' || proof === null) return undefined;
    const signals = proof.publicSignals;
    if (!canonicalSignals(signals, this.key.ic.length - 1)) return undefined;
    try {
      const { pi_a, pi_b, pi_c } = proof.proof;
      return {
        a: point(pi_a, false),
        b: point(pi_b, true),
        c: point(pi_c, false),
        signals: signals.map(BigInt),
      };
    } catch {
      return undefined;
    }
  }

  /** Proofs as a `chunk` or `check` call takes them, each with a fresh coefficient r_j and its IC scalars r_j.(1, s). */
  private encode(proofs: readonly Parsed[]): Record<string, Uint8Array> {
    const F = BN254_SCALAR_FIELD;
    const r = coefficients(proofs.length);
    const k = this.key.ic.length;
    const scalars = new Uint8Array(32 * k * proofs.length);
    const view = new DataView(scalars.buffer);
    proofs.forEach((proof, j) => {
      const rj = r.values[j] as bigint;
      putLE(view, 32 * k * j, rj);
      proof.signals.forEach((signal, i) => {
        putLE(view, 32 * (k * j + i + 1), (rj * signal) % F);
      });
    });
    return {
      a: concat(
        proofs.map((p) => p.a),
        96,
      ),
      b: concat(
        proofs.map((p) => p.b),
        192,
      ),
      c: concat(
        proofs.map((p) => p.c),
        96,
      ),
      r: r.bytes,
      scalars,
    };
  }

  /** Whether every proof of a small set passes its checks and the set's batch equation holds, in one call. */
  private async holdsAll(threads: readonly CurveThread[], proofs: readonly Parsed[]): Promise<boolean> {
    const { holds } = await this.dispatch<{ holds: boolean }>(
      threads,
      'check',
      this.encode(proofs),
      proofs.length,
    );
    return holds;
  }

  /** Names the valid proofs of a set whose batch equation failed: each half verified, a failing half split again. */
  private async bisect(
    threads: readonly CurveThread[],
    items: readonly { index: number; proof: Parsed }[],
    verdicts: boolean[],
  ): Promise<void> {
    if (items.length <= 1) return;
    const half = items.length >> 1;
    await Promise.all(
      [items.slice(0, half), items.slice(half)].map(async (part) => {
        if (
          await this.holdsAll(
            threads,
            part.map((item) => item.proof),
          )
        )
          for (const { index } of part) verdicts[index] = true;
        else await this.bisect(threads, part, verdicts);
      }),
    );
  }

  /**
   * True when the proof is valid for its public signals. Signals must be canonical field elements (no value >= r,
   * which would let one proof stand for several statements), coordinates canonical elements of Fp, and B must lie in
   * G2's prime-order subgroup; malformed input is simply not valid.
   */
  async verify(proof: VoteProof): Promise<boolean> {
    return (await this.verifyBatch([proof]))[0] === true;
  }

  /**
   * One verdict per proof, in order; a batch of valid proofs costs a single final exponentiation. The proofs go to the
   * threads in chunks as they are parsed, each to the least busy thread, which parses and checks their points, tests
   * their B in the subgroup and runs their Miller loops in one call; a failing batch has each chunk settled alone and
   * the failing chunks bisected until the bad proofs are named.
   */
  async verifyBatch(proofs: readonly VoteProof[]): Promise<boolean[]> {
    const verdicts = proofs.map(() => false);
    const items: { index: number; proof: Parsed }[] = [];
    proofs.forEach((proof, index) => {
      const parsed = this.parse(proof);
      if (parsed !== undefined) items.push({ index, proof: parsed });
    });
    if (items.length === 0) return verdicts;
    const threads = await this.workers();
    if (items.length === 1) {
      // One proof: everything in one thread, one message round trip.
      verdicts[(items[0] as (typeof items)[number]).index] = await this.holdsAll(
        threads,
        items.map((item) => item.proof),
      );
      return verdicts;
    }
    // Each thread takes the next chunk as it finishes one (two in flight, so that it never waits for this thread to
    // encode the next), and chunks shrink as the batch runs out: a thread slowed by other work (the machine is
    // shared) does not leave the other idle at the end. A chunk is encoded while the threads work on others.
    const groups: (typeof items)[] = [];
    const chunks: Chunk[] = [];
    let taken = 0;
    const take = (): number | undefined => {
      const left = items.length - taken;
      if (left === 0) return undefined;
      const size = Math.min(
        left,
        Math.max(MIN_CHUNK, Math.min(CHUNK, Math.ceil(left / (2 * threads.length)))),
      );
      groups.push(items.slice(taken, taken + size));
      taken += size;
      return groups.length - 1;
    };
    await Promise.all(
      [...threads, ...threads].map(async (thread) => {
        for (let i = take(); i !== undefined; i = take()) {
          const group = groups[i] as (typeof groups)[number];
          chunks[i] = await this.run<Chunk>(
            thread,
            'chunk',
            this.encode(group.map((item) => item.proof)),
            group.length,
          );
        }
      }),
    );
    // Only the proofs whose points passed their checks are in their chunk's figures.
    const passed = groups.map((group, i) => group.filter((_, j) => (chunks[i] as Chunk).flags[j] === 1));
    const settle = (chosen: readonly number[]) =>
      this.dispatch<boolean>(
        threads,
        'settle',
        {
          values: concat(
            chosen.map((i) => (chunks[i] as Chunk).value),
            384,
          ),
          commitments: concat(
            chosen.map((i) => (chunks[i] as Chunk).commitments),
            96,
          ),
          sums: concat(
            chosen.map((i) => (chunks[i] as Chunk).sums),
            32 * this.key.ic.length,
          ),
        },
        1,
      );
    const live = passed.flatMap((group, i) => (group.length > 0 ? [i] : []));
    const accept = (group: readonly { index: number }[]) => {
      for (const { index } of group) verdicts[index] = true;
    };
    if (live.length === 0) return verdicts;
    if (await settle(live)) {
      for (const i of live) accept(passed[i] as (typeof passed)[number]);
      return verdicts;
    }
    // Some proof does not hold: each chunk settled alone, then the failing ones bisected.
    await Promise.all(
      live.map(async (i) => {
        const group = passed[i] as (typeof passed)[number];
        if (await settle([i])) accept(group);
        else await this.bisect(threads, group, verdicts);
      }),
    );
    return verdicts;
  }

  /** Stops the verifier's threads (a later verification starts them again). */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = undefined;
    if (threads === undefined) return;
    const stopped = await threads;
    for (const thread of stopped) this.queued.delete(thread);
    await Promise.all(stopped.map((thread) => thread.terminate()));
  }
}
