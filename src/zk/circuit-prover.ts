import type { WitnessCalculator } from 'circom_runtime';
import { AgoraError, ErrorCode } from '../core/index.js';
import { Groth16Prover } from './groth16-prover.js';
import { loadCircomRuntime } from './runtime.js';
import type { Groth16Proof } from './vote-proof.js';

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
    private readonly groth16: Groth16Prover,
  ) {}

  /** Builds the witness calculator and loads the key into the prover's threads (with tables when asked). */
  static async load(
    wasm: Uint8Array,
    zkey: Uint8Array,
    options: { tables?: boolean },
  ): Promise<CircuitProver> {
    const [witnesses, groth16] = await Promise.all([
      loadCircomRuntime().then(({ WitnessCalculatorBuilder }) => WitnessCalculatorBuilder(wasm)),
      Groth16Prover.load(zkey, { tables: options.tables === true }),
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
      return await this.groth16.prove(witnessOf(wtns, this.groth16.witnessLength));
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
