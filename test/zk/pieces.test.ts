// Exact soundness of vote pieces: the circuit accepts a piece (exponent, index) of a weight under a top exactly when it
// is one of the weight's canonical pieces, and distinct pieces carry distinct nullifiers; so whatever pieces a voter
// combines, across denominations or twice over, what the tally counts for it never exceeds its weight.
import { type WitnessCalculator, WitnessCalculatorBuilder } from 'circom_runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalPieces, pieceNumber, pieceWeight, type VotePiece } from '../../src/governance/index.js';
import { generateAgentKey, getPoseidon, zkIdentity } from '../../src/identity/index.js';
import { loadVoteArtifacts, MembershipTree, toField } from '../../src/zk/index.js';

let wasm: Uint8Array;
let calculator: WitnessCalculator;
const scope = toField('proposal', 'cd'.repeat(32));

beforeAll(async () => {
  wasm = (await loadVoteArtifacts()).wasm;
  calculator = await WitnessCalculatorBuilder(wasm);
});

afterAll(() => vi.restoreAllMocks());

/** Whether the circuit computes a witness for this piece of `weight` (a member of its own one-leaf tree). */
async function accepts(
  secret: bigint,
  weight: bigint,
  tree: MembershipTree,
  top: number,
  piece: VotePiece,
): Promise<boolean> {
  const path = tree.path(0);
  try {
    await calculator.calculateWTNSBin(
      {
        root: tree.root.toString(),
        scope: scope.toString(),
        vote: '1',
        votingWeight: pieceWeight(piece).toString(),
        top: String(top),
        secret: secret.toString(),
        weight: weight.toString(),
        exponent: String(piece.exponent),
        piece: piece.index.toString(),
        pathIndices: path.pathIndices.map(String),
        siblings: path.siblings.map((level) => level.map(String)),
      },
      0,
    );
    return true;
  } catch {
    // circom's runtime keeps its error state: the next witness starts from a fresh instance.
    calculator = await WitnessCalculatorBuilder(wasm);
    return false;
  }
}

const key = (piece: VotePiece) => `${piece.exponent}/${piece.index}`;

describe('vote pieces', () => {
  it('the circuit accepts exactly the canonical pieces: every (exponent, index) tried, for weights and tops', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const identity = await zkIdentity(generateAgentKey());
    for (const weight of [0n, 1n, 6n, 13n, 22n]) {
      const tree = await MembershipTree.build([{ commitment: identity.commitment, weight }]);
      for (const top of [0, 2, 3]) {
        const canonical = new Set(canonicalPieces(weight, top).map(key));
        const accepted: VotePiece[] = [];
        for (let exponent = 0; exponent <= top + 1; exponent++)
          for (let index = 0n; index <= (exponent === top ? (weight >> BigInt(top)) + 1n : 1n); index++) {
            const piece = { exponent, index };
            const ok = await accepts(identity.secret, weight, tree, top, piece);
            expect(ok, `weight ${weight}, top ${top}, piece ${key(piece)}`).toBe(canonical.has(key(piece)));
            if (ok) accepted.push(piece);
          }
        // Together the accepted pieces weigh exactly the weight, and no two share a nullifier.
        expect(accepted.reduce((sum, piece) => sum + pieceWeight(piece), 0n)).toBe(weight);
        expect(new Set(accepted.map(pieceNumber)).size).toBe(accepted.length);
      }
    }
    quiet.mockRestore();
  }, 600_000);

  it('any combination of a weight canonical pieces, repeats counted once per nullifier, never exceeds the weight', async () => {
    const poseidon = await getPoseidon();
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 40n) - 1n }),
        fc.integer({ min: 0, max: 31 }),
        fc.array(fc.nat(), { maxLength: 64 }),
        (weight, top, picks) => {
          if (weight >> BigInt(top) > 4096n) return;
          const pieces = canonicalPieces(weight, top);
          expect(pieces.reduce((sum, piece) => sum + pieceWeight(piece), 0n)).toBe(weight);
          if (pieces.length === 0) return;
          // A voter picks pieces, repeats included: the tally keeps one vote per nullifier.
          const byNullifier = new Map<bigint, bigint>();
          for (const pick of picks) {
            const piece = pieces[pick % pieces.length] as VotePiece;
            byNullifier.set(poseidon.hash([scope + pieceNumber(piece), 7n]), pieceWeight(piece));
          }
          const counted = [...byNullifier.values()].reduce((sum, w) => sum + w, 0n);
          expect(counted <= weight).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
