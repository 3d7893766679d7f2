import { AgoraError, ErrorCode } from '../core/index.js';
import { BN254_SCALAR_FIELD, getPoseidon, type Poseidon } from '../identity/index.js';
import { loadPanelArtifacts, type VoteArtifacts } from './artifacts.js';
import { CircuitProver, type ProverOptions } from './circuit-prover.js';
import { type MembershipPath, MembershipTree, PANEL_LEVELS, rootOfPath } from './membership-tree.js';
import type { VoteProof } from './vote-proof.js';

/** What a juror's panel proof states publicly. */
export interface PanelStatement {
  /** Root of the round's panel tree ({@link PANEL_LEVELS} levels, each juror a leaf of weight 1). */
  readonly root: bigint;
  /** The dispute and round, as a field element: one nullifier per juror and scope. */
  readonly scope: bigint;
  /** The sealed ballot, as a field element. */
  readonly vote: bigint;
}

/** What only the juror knows: its ZK secret and its path in the panel tree. */
export interface PanelWitness {
  readonly secret: bigint;
  readonly path: MembershipPath;
}

/** The public signals of a panel proof, in the circuit's order: [nullifier, root, scope, vote]. */
export function panelSignalsOf(statement: PanelStatement, nullifier: bigint): string[] {
  return [nullifier, statement.root, statement.scope, statement.vote].map(String);
}

/**
 * Proves seats on dispute panels with the panel circuit (a {@link PANEL_LEVELS}-level tree: about 1,600 constraints
 * against the vote circuit's 4,072), its key parsed once and kept in the prover's threads as {@link Prover} keeps the
 * vote circuit's. The nullifier is the vote circuit's for a weight-1 piece: `Poseidon(scope, secret)`.
 */
export class PanelProver {
  private constructor(
    private readonly circuit: CircuitProver,
    private readonly poseidon: Poseidon,
  ) {}

  /** Loads (and checksums) the panel artifacts and builds the witness calculator, once (tables: see `Prover.load`). */
  static async load(artifacts?: VoteArtifacts, options: ProverOptions = {}): Promise<PanelProver> {
    const loaded = artifacts ?? (await loadPanelArtifacts());
    const [circuit, poseidon] = await Promise.all([
      CircuitProver.load(loaded.wasm, loaded.zkey, options),
      getPoseidon(),
    ]);
    return new PanelProver(circuit, poseidon);
  }

  /** Frees the prover's threads. */
  close(): Promise<void> {
    return this.circuit.close();
  }

  /**
   * Proves that the holder of `witness.secret` sits on the panel `statement.root`; `INVALID_PROOF` when it does not
   * (checked in plain code first, for a precise message).
   */
  async prove(statement: PanelStatement, witness: PanelWitness): Promise<VoteProof & { nullifier: bigint }> {
    for (const value of [statement.root, statement.scope, statement.vote, witness.secret])
      if (value < 0n || value >= BN254_SCALAR_FIELD)
        throw new AgoraError(
          ErrorCode.InvalidProof,
          'cannot prove this seat: a value lies outside the BN254 field',
        );
    const leaf = MembershipTree.leafOf(this.poseidon, {
      commitment: this.poseidon.hash([witness.secret]),
      weight: 1n,
    });
    if (rootOfPath(this.poseidon, leaf, witness.path, PANEL_LEVELS) !== statement.root)
      throw new AgoraError(
        ErrorCode.InvalidProof,
        'cannot prove this seat: the secret and path do not lead to the panel root',
      );
    const { proof, publicSignals } = await this.circuit.prove(
      {
        root: statement.root.toString(),
        scope: statement.scope.toString(),
        vote: statement.vote.toString(),
        secret: witness.secret.toString(),
        pathIndices: witness.path.pathIndices.map(String),
        siblings: witness.path.siblings.map((level) => level.map(String)),
      },
      'this seat',
    );
    return { proof, publicSignals, nullifier: BigInt(publicSignals[0] as string) };
  }
}
