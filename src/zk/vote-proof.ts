import { bytesToNumberBE } from '@noble/curves/utils.js';
import { AgoraError, ErrorCode, fromHex, isDecimal, taggedHash, utf8 } from '../core/index.js';
import { BN254_SCALAR_FIELD, getPoseidon, type Poseidon } from '../identity/index.js';
import { loadVoteArtifacts, type VoteArtifacts } from './artifacts.js';
import { CircuitProver, type ProverOptions } from './circuit-prover.js';
import { type MembershipPath, MembershipTree, rootOfPath } from './membership-tree.js';

/** What a vote proof states publicly. */
export interface VoteStatement {
  /** Root of the proposal's membership tree. */
  readonly root: bigint;
  /** The proposal, as a field element (see {@link toField}). */
  readonly scope: bigint;
  /** Hash of the ballot, as a field element. */
  readonly vote: bigint;
  /** Weight the piece counts with: a power of two, `2^top` or a set bit of the member's weight below it. */
  readonly votingWeight: bigint;
  /** Exponent of the proposal's largest denomination, 0..31: fixes how every member's weight splits into pieces. */
  readonly top: number;
}

/** What only the voter knows. */
export interface VoteWitness {
  readonly secret: bigint;
  readonly weight: bigint;
  readonly path: MembershipPath;
  /** Index of the piece among the `weight >> top` pieces of the top denomination; 0 for a remainder bit. */
  readonly piece: bigint;
}

/** A Groth16 proof over BN254 as snarkjs writes it: points as decimal coordinate strings. */
export interface Groth16Proof {
  /** The G1 point A, projective: [x, y, z]. */
  pi_a: string[];
  /** The G2 point B, projective, each coordinate a pair of Fp elements. */
  pi_b: string[][];
  /** The G1 point C, projective: [x, y, z]. */
  pi_c: string[];
  /** `"groth16"`. */
  protocol: string;
  /** `"bn128"`. */
  curve: string;
}

/** A Groth16 proof with its public signals: [nullifier, root, scope, vote, votingWeight, top] as decimal strings. */
export interface VoteProof {
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
}

/** The circuit takes at most 2^12 pieces of the top denomination per voter. */
export const MAX_PIECE_INDEX = 4096n;

/** The exponent of a power of two below 2^64, or undefined for anything else. */
export function exponentOf(value: bigint): number | undefined {
  if (value <= 0n || value >= 1n << 64n || (value & (value - 1n)) !== 0n) return undefined;
  return value.toString(2).length - 1;
}

/** Maps 32 bytes (an event id, a ballot hash) into the BN254 scalar field, under a tag. */
export function toField(tag: string, bytesOrHex: Uint8Array | string): bigint {
  const bytes = typeof bytesOrHex === 'string' ? fromHex(bytesOrHex) : bytesOrHex;
  return bytesToNumberBE(taggedHash(`agora402/${tag}`, bytes)) % BN254_SCALAR_FIELD;
}

/** The public signals a statement and nullifier make, in the circuit's order. */
export function publicSignalsOf(statement: VoteStatement, nullifier: bigint): string[] {
  return [
    nullifier,
    statement.root,
    statement.scope,
    statement.vote,
    statement.votingWeight,
    BigInt(statement.top),
  ].map(String);
}

/**
 * Proves votes with the artifacts loaded once, the circuit's witness calculator built once and reused, and a
 * {@link Groth16Prover} that keeps the proving key's points in its threads (as fixed-base tables when asked).
 */
export class Prover {
  private constructor(
    private readonly circuit: CircuitProver,
    private readonly poseidon: Poseidon,
  ) {}

  /**
   * Loads (and checksums) the artifacts and builds the witness calculator, once. `{ tables: true }` also builds the
   * prover's fixed-base tables: about ten proofs' worth of work at load for proofs about twice as fast after, worth
   * it for a process that proves many votes (the simulator); without, the key's points are still kept in the
   * prover's threads (see {@link Groth16Prover.load}). `{ engine: 'snarkjs' }` proves with snarkjs instead (the
   * reference, slower: it reads the key again for every proof).
   */
  static async load(artifacts?: VoteArtifacts, options: ProverOptions = {}): Promise<Prover> {
    const loaded = artifacts ?? (await loadVoteArtifacts());
    const [circuit, poseidon] = await Promise.all([
      CircuitProver.load(loaded.wasm, loaded.zkey, options),
      getPoseidon(),
    ]);
    return new Prover(circuit, poseidon);
  }

  /** Frees the prover's threads (idle, they do not keep the process alive). */
  async close(): Promise<void> {
    await this.circuit.close();
  }

  /**
   * Checks the witness against the statement in plain code first: a precise error instead of a failed circuit
   * assertion (which circom's runtime also prints to the console).
   */
  private check(statement: VoteStatement, witness: VoteWitness): void {
    const refuse = (why: string): never => {
      throw new AgoraError(ErrorCode.InvalidProof, `cannot prove this vote: ${why}`);
    };
    if (witness.weight < 0n || witness.weight >= 1n << 64n) refuse('the member weight must be below 2^64');
    const { top, votingWeight } = statement;
    if (!Number.isInteger(top) || top < 0 || top > 31) refuse('the top exponent must be 0 to 31');
    const exponent = exponentOf(votingWeight);
    if (exponent === undefined || exponent > top)
      refuse(`voting weight ${votingWeight} is not a power of two up to 2^${top}`);
    if (witness.piece < 0n || witness.piece >= MAX_PIECE_INDEX) refuse('the piece index must be below 4096');
    if (exponent === top) {
      if ((witness.piece + 1n) << BigInt(top) > witness.weight)
        refuse(`the member weight ${witness.weight} holds no piece ${witness.piece} of 2^${top}`);
    } else if (((witness.weight >> BigInt(exponent as number)) & 1n) === 0n || witness.piece !== 0n)
      refuse(`the member weight ${witness.weight} has no remainder piece of ${votingWeight}`);
    for (const value of [statement.root, statement.scope, statement.vote, witness.secret])
      if (value < 0n || value >= BN254_SCALAR_FIELD) refuse('a value lies outside the BN254 scalar field');
    const commitment = this.poseidon.hash([witness.secret]);
    const leaf = MembershipTree.leafOf(this.poseidon, { commitment, weight: witness.weight });
    if (rootOfPath(this.poseidon, leaf, witness.path) !== statement.root)
      refuse('the secret, weight and path do not lead to the statement root');
  }

  /** Proves membership and weight for `statement`; `INVALID_PROOF` when the witness does not satisfy the circuit. */
  async prove(statement: VoteStatement, witness: VoteWitness): Promise<VoteProof & { nullifier: bigint }> {
    this.check(statement, witness);
    const input = {
      root: statement.root.toString(),
      scope: statement.scope.toString(),
      vote: statement.vote.toString(),
      votingWeight: statement.votingWeight.toString(),
      top: String(statement.top),
      secret: witness.secret.toString(),
      weight: witness.weight.toString(),
      exponent: String(exponentOf(statement.votingWeight) as number),
      piece: witness.piece.toString(),
      pathIndices: witness.path.pathIndices.map(String),
      siblings: witness.path.siblings.map((level) => level.map(String)),
    };
    const { proof, publicSignals } = await this.circuit.prove(input, 'this vote');
    return { proof, publicSignals, nullifier: BigInt(publicSignals[0] as string) };
  }
}

/** Public signals as the verifier accepts them: `count` (the vote circuit's six) canonical decimal field elements. */
export function canonicalSignals(signals: unknown, count = 6): signals is string[] {
  return (
    Array.isArray(signals) &&
    signals.length === count &&
    signals.every((s) => isDecimal(s) && BigInt(s) < BN254_SCALAR_FIELD)
  );
}

/** Ballot hash of a choice for a proposal, as a field element. */
export function ballotField(proposalId: string, ballot: string): bigint {
  return toField('ballot', utf8(`${proposalId}:${ballot}`));
}
