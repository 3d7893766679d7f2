import type { WitnessCalculator } from 'circom_runtime';
import { AgoraError, ErrorCode } from '../core/index.js';
import { usingCurve } from './curve-lifetime.js';
import { Groth16Prover } from './groth16-prover.js';
import { loadCircomRuntime, loadSnarkjs } from './runtime.js';
import type { Groth16Proof } from './vote-proof.js';

/**
 * Which Groth16 prover turns a circuit's witness into a proof: `agora` ({@link Groth16Prover}: the key kept in its
 * own threads, fixed-base tables when asked) or `snarkjs` (`snarkjs.groth16.prove` on the same key, each proof
 * reading it again: the reference, kept as a fallback). Both make proofs the same verification key accepts.
 */
export type ProverEngine = 'agora' | 'snarkjs';

/** How a vote or panel prover proves (see {@link ProverEngine}; `tables` only concerns the `agora` engine). */
export interface ProverOptions {
  /** `agora` unless set. */
  readonly engine?: ProverEngine;
  /** Builds the `agora` engine's fixed-base tables at load (see `Prover.load`). */
  readonly tables?: boolean;
}

/** A proof from a `.wtns` witness file's bytes, whichever engine makes it. */
interface WitnessProver {
  prove(wtns: Uint8Array): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
  close(): Promise<void>;
}

async function agoraEngine(zkey: Uint8Array, options: ProverOptions): Promise<WitnessProver> {
  const groth16 = await Groth16Prover.load(zkey, { tables: options.tables === true });
  return {
    prove: (wtns) => groth16.prove(witnessOf(wtns, groth16.witnessLength)),
    close: () => groth16.close(),
  };
}

function snarkjsEngine(zkey: Uint8Array): WitnessProver {
  return {
    prove: async (wtns) => {
      const snarkjs = await loadSnarkjs();
      // snarkjs reads its inputs as files: copies, so its reader never shares (or detaches) the caller's bytes.
      const { proof, publicSignals } = await usingCurve(() =>
        snarkjs.groth16.prove({ type: 'mem', data: zkey.slice() }, { type: 'mem', data: wtns.slice() }),
      );
      return { proof: proof as Groth16Proof, publicSignals };
    },
    close: async () => {},
  };
}

/** The witness section of a `.wtns` file as circom's calculator writes it: its last `nVars` 32-byte values. */
function witnessOf(wtns: Uint8Array, nVars: number): Uint8Array {
  // Header: "wtns", version, 2 sections; section 1 (id, 64-bit length, n8 = 32, the prime, nVars); section 2 id
  // and 64-bit length: 11 words and the 8-word prime before the values.
  if (wtns.length !== 4 * 11 + 32 + nVars * 32 || new TextDecoder().decode(wtns.subarray(0, 4)) !== 'wtns')
    throw new AgoraError(ErrorCode.InvalidProof, `the witness calculator did not give ${nVars} values`);
  return wtns.subarray(wtns.length - nVars * 32);
}

/**
 * One circuit's witness calculator (built once from its wasm, reused) and {@link Groth16Prover} (its key parsed
 * once): what the vote and panel provers share. Their own checks come first; this turns circuit inputs into a proof.
 */
export class CircuitProver {
  /** The last witness calculation queued: circom's calculator is one wasm instance, for one call at a time. */
  private calculating: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly wasm: Uint8Array,
    private witnesses: WitnessCalculator,
    private readonly groth16: WitnessProver,
  ) {}

  /**
   * Builds the witness calculator and the chosen engine (`agora` unless `snarkjs` is asked: the key loaded into the
   * prover's threads, with tables when asked); an unknown engine is `INVALID_ARGUMENT`.
   */
  static async load(wasm: Uint8Array, zkey: Uint8Array, options: ProverOptions): Promise<CircuitProver> {
    const engine = options.engine ?? 'agora';
    if (engine !== 'agora' && engine !== 'snarkjs')
      throw new AgoraError(ErrorCode.InvalidArgument, `unknown prover engine ${String(engine)}`);
    const [witnesses, groth16] = await Promise.all([
      loadCircomRuntime().then(({ WitnessCalculatorBuilder }) => WitnessCalculatorBuilder(wasm)),
      engine === 'snarkjs' ? snarkjsEngine(zkey) : agoraEngine(zkey, options),
    ]);
    return new CircuitProver(wasm, witnesses, groth16);
  }

  /** Proves for the circuit's `input` signals; `INVALID_PROOF` (saying `what` failed) when they fail a constraint. */
  async prove(
    input: Record<string, unknown>,
    what: string,
  ): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
    try {
      // One witness at a time: the calculator sets a call's inputs, then reads the witness after an await, so two
      // calls at once could both read the second one's (a proof of another statement). The multiplications of
      // concurrent proofs still overlap in the prover's threads.
      const calculated = this.calculating.then(async () => {
        try {
          return await this.witnesses.calculateWTNSBin(input, 0);
        } catch (cause) {
          // circom's runtime keeps its error text across calls: the next proof starts from a fresh instance.
          this.witnesses = await (await loadCircomRuntime()).WitnessCalculatorBuilder(this.wasm);
          throw cause;
        }
      });
      this.calculating = calculated.catch(() => {});
      const wtns = await calculated;
      return await this.groth16.prove(wtns);
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.InvalidProof,
        `cannot prove ${what}: ${(cause as Error).message.split('\n')[0]}`,
        {
          cause,
        },
      );
    }
  }

  /** Frees the prover's threads. */
  close(): Promise<void> {
    return this.groth16.close();
  }
}
