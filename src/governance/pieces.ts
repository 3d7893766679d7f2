import { AgoraError, ErrorCode } from '../core/index.js';

/**
 * How a proposal splits voting weight into pieces, each proved and cast as its own anonymous vote. Denominations are
 * powers of two: `2^top` pieces carry the bulk of a heavy weight (as many as fit, told apart by a private index), and
 * the bits of the remainder below `2^top` give at most one piece each. Pieces below `2^floor` are not cast: the
 * rounding that keeps the number of proofs per voter small. Both are public, fixed by the proposal.
 */
export interface PieceRule {
  /** Exponent of the largest denomination, 0..31. */
  readonly top: number;
  /** Exponent of the smallest denomination cast, 0..top. */
  readonly floor: number;
  /**
   * The snapshot's weight unit, reputation snapshots only: each member's leaf weighs its reputation times
   * `scale / 2^16` (rounded down), `2^16 <= scale < 2^17`; absent, 2^16 (the reputation itself). Reputation is a
   * share in an arbitrary unit, so a proposal may pick the one whose powers of two its members share most (see
   * `chooseWeightScale`): every denomination is then `2^e * 2^16 / scale` of the reputation, a public ladder the
   * circuit's binary pieces can follow.
   */
  readonly scale?: number;
}

/** The weight scale that leaves weights as they are: `scale / 2^16 = 1`. */
export const UNIT_SCALE = 65_536;

/** Whether `scale` is a weight scale a rule may declare: a whole number in `[2^16, 2^17)`. */
export const isWeightScale = (scale: unknown): scale is number =>
  Number.isInteger(scale) && (scale as number) >= UNIT_SCALE && (scale as number) < 2 * UNIT_SCALE;

/** A weight in a snapshot scaled by `scale / 2^16`, rounded down (never below the weight: the scale is at least 1). */
export const scaledWeight = (weight: bigint, scale: number = UNIT_SCALE): bigint =>
  (weight * BigInt(scale)) >> 16n;

/** Denominations go up to 2^31 (the circuit's one-hot exponents have 32 places); 4096 top pieces cover 2^43. */
export const MAX_EXPONENT = 31;

/** Most pieces of the top denomination a client proves for one voter (a proposal's top keeps it far below). */
export const MAX_PIECES = 4096n;

/** The rule of a proposal that sets none: binary pieces up to 2^31, nothing rounded away. */
export const DEFAULT_PIECE_RULE: PieceRule = { top: MAX_EXPONENT, floor: 0 };

/** One piece of a voter's weight: its denomination `2^exponent` and, among the top pieces, its index. */
export interface VotePiece {
  readonly exponent: number;
  /** 0 for a remainder bit; 0..q-1 for the q = weight >> top pieces of the top denomination. */
  readonly index: bigint;
}

/** The weight a piece counts with. */
export const pieceWeight = (piece: VotePiece): bigint => 1n << BigInt(piece.exponent);

/** Whether `rule` is well formed: whole exponents with `0 <= floor <= top <= 31`, and a weight scale if any. */
export function isPieceRule(rule: unknown): rule is PieceRule {
  if (typeof rule !== 'object' || rule === null) return false;
  const { top, floor, scale } = rule as Record<string, unknown>;
  return (
    (scale === undefined || isWeightScale(scale)) &&
    Number.isInteger(top) &&
    Number.isInteger(floor) &&
    (floor as number) >= 0 &&
    (floor as number) <= (top as number) &&
    (top as number) <= MAX_EXPONENT
  );
}

function checkRule(rule: PieceRule): void {
  if (!isPieceRule(rule))
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a piece rule has whole exponents 0 <= floor <= top <= ${MAX_EXPONENT}`,
    );
}

/**
 * The canonical pieces of `weight` under `top` (every denomination, the floor ignored): `weight >> top` pieces of
 * `2^top`, then one piece per set bit of `weight mod 2^top`. They add up to exactly `weight`, and the circuit accepts
 * no other piece for this weight and top: that is what makes counting more than the weight impossible.
 */
export function canonicalPieces(weight: bigint, top: number): VotePiece[] {
  if (weight < 0n || weight >= 1n << 64n)
    throw new AgoraError(ErrorCode.InvalidArgument, 'a weight is a whole number below 2^64');
  checkRule({ top, floor: 0 });
  const pieces: VotePiece[] = [];
  const count = weight >> BigInt(top);
  if (count > MAX_PIECES)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `a weight of ${weight} would take ${count} pieces of 2^${top}: more than ${MAX_PIECES} proofs`,
    );
  for (let index = 0n; index < count; index++) pieces.push({ exponent: top, index });
  for (let exponent = top - 1; exponent >= 0; exponent--)
    if ((weight >> BigInt(exponent)) & 1n) pieces.push({ exponent, index: 0n });
  return pieces;
}

/**
 * The pieces a voter following `rule` may cast: the canonical ones at or above the floor, with at most
 * {@link MAX_PIECES} of the top denomination (the circuit proves no more; a weight beyond that is not counted).
 */
export function piecesOf(weight: bigint, rule: PieceRule): VotePiece[] {
  checkRule(rule);
  if (weight < 0n || weight >= 1n << 64n)
    throw new AgoraError(ErrorCode.InvalidArgument, 'a weight is a whole number below 2^64');
  const pieces: VotePiece[] = [];
  const count = weight >> BigInt(rule.top);
  for (let index = 0n; index < count && index < MAX_PIECES; index++)
    pieces.push({ exponent: rule.top, index });
  for (let exponent = rule.top - 1; exponent >= rule.floor; exponent--)
    if ((weight >> BigInt(exponent)) & 1n) pieces.push({ exponent, index: 0n });
  return pieces;
}

/**
 * The distinct denominations a member with `weight` reveals under `rule`, each once (the top one stands for all its
 * pieces: their indices are private).
 */
export function denominationsOf(weight: bigint, rule: PieceRule): bigint[] {
  checkRule(rule);
  const denominations: bigint[] = [];
  // Without listing the top pieces: a weight may hold very many of them.
  if (weight >> BigInt(rule.top) > 0n) denominations.push(1n << BigInt(rule.top));
  for (let exponent = rule.top - 1; exponent >= rule.floor; exponent--)
    if ((weight >> BigInt(exponent)) & 1n) denominations.push(1n << BigInt(exponent));
  return denominations;
}

/** The number the circuit adds to the scope of a piece's nullifier: distinct for distinct pieces (exponent < 32). */
export const pieceNumber = (piece: VotePiece): bigint => piece.index * 32n + BigInt(piece.exponent);
