import {
  AgoraError,
  type Clock,
  canonicalJson,
  ErrorCode,
  isDecimal,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  type JsonValue,
  systemClock,
  unixSeconds,
} from '../core/index.js';
import { BN254_SCALAR_FIELD, getPoseidon } from '../identity/index.js';
import type { EventTypeDefinition, Ledger, LedgerEvent, VerifyContext } from '../ledger/index.js';
import {
  ballotField,
  exponentOf,
  type MembershipPath,
  type Prover,
  publicSignalsOf,
  toField,
  type VoteProof,
} from '../zk/index.js';
import { batchedProofChecks, type VerifierSource } from './batched-proofs.js';
import { type BallotOf, type CountingMethod, parseBallot } from './counting/index.js';
import { DEFAULT_PIECE_RULE, type PieceRule, pieceNumber, pieceWeight, type VotePiece } from './pieces.js';
import { checkProposal, type ProposalBody } from './proposal.js';

/** Body of `vote.cast`: everything the proof states publicly, with the ballot it binds. */
export interface VoteBody {
  /** The proposal's event id. */
  readonly proposal: string;
  /** The ballot, in the proposal's counting method's shape; its canonical JSON is hashed into the proof. */
  readonly ballot: JsonValue;
  /** Poseidon(scope + piece number, secret), decimal: one vote per nullifier and proposal, one nullifier per piece. */
  readonly nullifier: string;
  /** The weight this piece counts with, decimal: a denomination of the proposal's piece rule (a power of two). */
  readonly votingWeight: string;
}

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `vote.cast: ${message}`);
}

/** The field element a ballot is bound to in the proof: its canonical JSON, under the proposal id. */
export function ballotHash(proposalId: string, ballot: unknown): bigint {
  return ballotField(proposalId, canonicalJson(ballot));
}

/** Where votes are indexed by nullifier: one key per proposal and nullifier. */
const nullifierKey = (proposalId: string, nullifier: string) => `${proposalId}:${nullifier}`;

/** The id of a stored vote on `proposalId` with this nullifier, if any (the first one in append order). */
export async function findVote(
  ledger: Ledger,
  proposalId: string,
  nullifier: string,
): Promise<string | undefined> {
  for await (const { id } of ledger.byIndex('nullifier', nullifierKey(proposalId, nullifier), { limit: 1 }))
    return id;
  return undefined;
}

/**
 * The nullifier a voter's proof of `piece` will carry for a proposal: Poseidon(scope + piece number, secret), as the
 * circuit computes it.
 */
export async function nullifierOf(proposalId: string, secret: bigint, piece: VotePiece): Promise<bigint> {
  const shifted = (toField('proposal', proposalId) + pieceNumber(piece)) % BN254_SCALAR_FIELD;
  return (await getPoseidon()).hash([shifted, secret]);
}

/** A proposal's piece rule: the one it declares, or plain binary pieces. */
export const pieceRuleOf = (proposal: ProposalBody): PieceRule => proposal.pieces ?? DEFAULT_PIECE_RULE;

/** The statement a vote proves, from the proposal and the vote's body. */
function statementOf(proposalId: string, proposal: ProposalBody, body: VoteBody) {
  return {
    root: BigInt(proposal.snapshot.root),
    scope: toField('proposal', proposalId),
    vote: ballotHash(proposalId, body.ballot),
    votingWeight: BigInt(body.votingWeight),
    top: pieceRuleOf(proposal).top,
  };
}

/** What a voter needs to cast a vote. */
export interface CastVoteInput<M extends CountingMethod> {
  readonly proposal: { readonly id: string; readonly event: LedgerEvent };
  readonly ballot: BallotOf[M];
  /** The voter's ZK secret, snapshot weight and path in the proposal's tree. */
  readonly secret: bigint;
  readonly weight: bigint;
  readonly path: MembershipPath;
  /** The piece of the weight this vote carries (see `piecesOf`; `castPrivateVote` casts a voter's pieces). */
  readonly piece: VotePiece;
  /** Its `created` time: when the client means to publish it (pieces of one voter are spread in time). */
  readonly clock?: Clock;
}

/**
 * Proves and builds one piece of an anonymous vote as a `vote.cast` event (no author, no signature: the proof is the
 * authority). Most callers want `castPrivateVote`, which casts a voter's pieces under the client rule.
 */
export async function castVote<M extends CountingMethod>(
  prover: Prover,
  input: CastVoteInput<M>,
): Promise<LedgerEvent> {
  const proposal = input.proposal.event.body as unknown as ProposalBody;
  checkProposal(proposal, input.proposal.event.created);
  parseBallot(proposal.counting, proposal.options, input.ballot);
  const votingWeight = pieceWeight(input.piece);
  const draft: VoteBody = {
    proposal: input.proposal.id,
    ballot: JSON.parse(canonicalJson(input.ballot)) as JsonValue,
    nullifier: '0',
    votingWeight: votingWeight.toString(),
  };
  const proved = await prover.prove(statementOf(input.proposal.id, proposal, draft), {
    secret: input.secret,
    weight: input.weight,
    path: input.path,
    piece: input.piece.index,
  });
  const { pi_a, pi_b, pi_c } = proved.proof;
  return {
    v: 1,
    type: 'vote.cast',
    created: unixSeconds(input.clock ?? systemClock),
    body: { ...draft, nullifier: proved.nullifier.toString() } as unknown as JsonObject,
    proof: { pi_a, pi_b, pi_c },
  };
}

/** Checks the body's shape and returns it with its proposal; the proof is checked by the caller. */
async function checkVote(
  event: LedgerEvent,
  getProposal: (id: string) => Promise<LedgerEvent | undefined>,
): Promise<{ body: VoteBody; proposal: ProposalBody }> {
  const body = event.body;
  if (!isJsonObject(body)) invalid('body must be an object');
  const fields = Object.keys(body);
  if (fields.length !== 4 || !['proposal', 'ballot', 'nullifier', 'votingWeight'].every((f) => f in body))
    invalid('body is {proposal, ballot, nullifier, votingWeight}');
  if (!isLowerHex(body.proposal, 32)) invalid('proposal must be an event id');
  for (const field of ['nullifier', 'votingWeight'] as const)
    if (!isDecimal(body[field])) invalid(`${field} must be decimal`);
  if (exponentOf(BigInt(body.votingWeight as string)) === undefined)
    invalid('votingWeight must be a power of two: the denomination of one piece');
  const stored = await getProposal(body.proposal as string);
  if (stored === undefined)
    throw new AgoraError(ErrorCode.MissingReference, `vote.cast: no proposal ${body.proposal} yet`);
  if (stored.type !== 'proposal.created') invalid(`${body.proposal} is not a proposal`);
  const proposal = stored.body as unknown as ProposalBody;
  if ((exponentOf(BigInt(body.votingWeight as string)) as number) > pieceRuleOf(proposal).top)
    invalid(`votingWeight is above the proposal's largest denomination 2^${pieceRuleOf(proposal).top}`);
  try {
    parseBallot(proposal.counting, proposal.options, body.ballot);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidEvent, `vote.cast: ${(cause as Error).message}`, { cause });
  }
  // Votes carry the time their voter claims: see docs/architecture.md on what a window can and cannot enforce.
  // A late-quorum extension may keep voting open after `closes`: the tally decides which of those votes count.
  if (
    event.created < proposal.window.opens ||
    event.created >= proposal.window.closes + (proposal.lateQuorumExtension ?? 0)
  )
    invalid('cast outside the voting window');
  return { body: body as unknown as VoteBody, proposal };
}

/**
 * `vote.cast`, checked with `verifier` (default: the committed artifacts, loaded on the first vote): the proposal is stored, the ballot fits it, the vote falls in the window,
 * and the proof holds for the proposal's snapshot root, its scope, the ballot's hash, the voting weight and the
 * nullifier. A second vote with the same nullifier is stored too (as evidence); the tally counts the earliest dated, then the lowest id (a copy under a later date censors nothing).
 * The proofs of an appended batch are verified together (one multi-pairing; bisection names the bad ones).
 */
export function voteCastType(verifier?: VerifierSource): EventTypeDefinition {
  const proofOf = async (event: LedgerEvent, context: VerifyContext): Promise<VoteProof> => {
    // A vote whose proposal is later in the batch throws here: it is verified alone once its proposal is stored.
    const { body, proposal } = await checkVote(event, context.get);
    return {
      proof: event.proof as unknown as VoteProof['proof'],
      publicSignals: publicSignalsOf(statementOf(body.proposal, proposal, body), BigInt(body.nullifier)),
    };
  };
  return {
    type: 'vote.cast',
    auth: 'proof',
    ...batchedProofChecks('vote.cast', proofOf, verifier),
    *indexes(event) {
      const body = event.body as unknown as VoteBody;
      yield ['proposal', body.proposal];
      yield ['nullifier', nullifierKey(body.proposal, body.nullifier)];
    },
  };
}
