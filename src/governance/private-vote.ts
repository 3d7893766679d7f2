import { AgoraError, type Clock, ErrorCode, ManualClock, systemClock, unixSeconds } from '../core/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { MembershipPath, Prover } from '../zk/index.js';
import {
  allPieces,
  anonymousPieces,
  DEFAULT_MIN_ANONYMITY,
  denominationCounts,
  type MemberWeight,
  requiredAnonymity,
} from './anonymity.js';
import type { BallotOf, CountingMethod } from './counting/index.js';
import { pieceWeight, type VotePiece } from './pieces.js';
import type { ProposalBody } from './proposal.js';
import { castVote, pieceRuleOf } from './vote.js';

/** What a voter needs to cast its vote as anonymous pieces. */
export interface PrivateVoteInput<M extends CountingMethod> {
  readonly proposal: { readonly id: string; readonly event: LedgerEvent };
  readonly ballot: BallotOf[M];
  readonly secret: bigint;
  /** The voter's snapshot weight and path in the proposal's tree. */
  readonly weight: bigint;
  readonly path: MembershipPath;
  /** The snapshot's members and weights (public): which denominations hide their voter among enough members. */
  readonly members: readonly MemberWeight[];
  /**
   * Cast every canonical piece, the rare ones and those below the floor included: reveals the exact weight, and the
   * tally still refuses pieces in an anonymity set below the proposal's `minAnonymity`. Warns through `warn`.
   */
  readonly exact?: boolean;
  readonly warn?: (message: string) => void;
  /**
   * The voter's own k: each piece hides among at least this many members, whatever the proposal's `minAnonymity`
   * says (default {@link DEFAULT_MIN_ANONYMITY}). A proposal asking for more is followed; one asking for less is not,
   * since the proposer is among those a voter hides from. Lower only knowingly: warns through `warn`.
   */
  readonly minAnonymity?: number;
  /**
   * Cast a ranking, an approval list or a split (anything but a single choice) in pieces anyway. Every piece carries
   * the ballot in clear, and such ballots are often one voter's alone: an observer groups the pieces by it, and the
   * group hides its voter only among the members whose pieces add up the same way (on 1,000 Pareto members with
   * k = 8, 389 hide among fewer than 8 and 108 are named). Without it, such a vote in more than one piece is refused
   * (`WOULD_LINK`); with it, `warn` says so.
   */
  readonly linkedBallot?: boolean;
  /** Now (default: the system clock): no piece is dated before it. */
  readonly clock?: Clock;
  /** Uniform in [0, 1): draws the publication times (default: the system's secure random source). */
  readonly random?: () => number;
}

/** One cast piece and when to publish it: its `created` time, chosen by the client. */
export interface CastPiece {
  readonly event: LedgerEvent;
  readonly piece: VotePiece;
  readonly publishAt: number;
}

/** What {@link castPrivateVote} cast. */
export interface PrivateVote {
  /** In publication order. */
  readonly pieces: readonly CastPiece[];
  /** Weight the pieces carry together. */
  readonly weight: bigint;
  /** The voter's weight left out: below the floor, or in denominations too rare to hide it. */
  readonly dropped: bigint;
}

const secureRandom = (): number => {
  const words = new Uint32Array(2);
  crypto.getRandomValues(words);
  // 53 random bits, as Math.random would give.
  return ((words[0] as number) * 2 ** 21 + ((words[1] as number) >>> 11)) / 2 ** 53;
};

/**
 * The publication times of `count` pieces: independent and uniform over what is left of the voting window (from now,
 * or its opening, to its close), so neither their order nor their spacing ties them to one voter. `INVALID_STATE`
 * when the window has closed.
 */
export function publicationTimes(
  proposal: Pick<ProposalBody, 'window'>,
  count: number,
  now: number,
  random: () => number = secureRandom,
): number[] {
  const from = Math.max(now, proposal.window.opens);
  const span = proposal.window.closes - from;
  if (span <= 0)
    throw new AgoraError(ErrorCode.InvalidState, 'the voting window has closed: no piece can be published');
  return Array.from({ length: count }, () => from + Math.min(span - 1, Math.floor(random() * span))).sort(
    (a, b) => a - b,
  );
}

/**
 * Casts a vote under the client rule everyone follows, so that each piece hides its voter among at least k members
 * (the larger of the voter's `minAnonymity` and the proposal's, at most the snapshot's size): the voter's canonical pieces at or above the proposal's floor, in denominations
 * that many members hold, each proved on its own (its own nullifier; as the others, it goes out under a one-time key),
 * dated at an independent random time in the rest of the window. Append or publish each piece at its `publishAt`.
 */
export async function castPrivateVote<M extends CountingMethod>(
  prover: Prover,
  input: PrivateVoteInput<M>,
): Promise<PrivateVote> {
  const proposal = input.proposal.event.body as unknown as ProposalBody;
  const rule = pieceRuleOf(proposal);
  const own = input.minAnonymity ?? DEFAULT_MIN_ANONYMITY;
  const k = requiredAnonymity(
    Math.max(own, proposal.minAnonymity ?? DEFAULT_MIN_ANONYMITY),
    input.members.length,
  );
  if (k < Math.min(DEFAULT_MIN_ANONYMITY, input.members.length) && input.exact !== true)
    input.warn?.(
      `hiding each piece among ${k} members only (the default is ${DEFAULT_MIN_ANONYMITY}): a small set narrows who voted`,
    );
  let pieces: VotePiece[];
  if (input.exact === true) {
    pieces = allPieces(input.weight, rule);
    input.warn?.(
      `casting the exact weight ${input.weight}: a piece that fewer than ${k} members could cast names its voter, and the tally does not count it`,
    );
  } else pieces = anonymousPieces(input.weight, rule, denominationCounts(input.members, rule), k);
  // A single choice is shared by every voter who makes it, so it groups pieces only as the published totals do.
  if (proposal.counting !== 'single' && pieces.length > 1) {
    const why = `every piece of a ${proposal.counting} ballot carries it: its ${pieces.length} pieces are linked by it, and together they can name you`;
    if (input.linkedBallot !== true)
      throw new AgoraError(ErrorCode.WouldLink, `${why} (cast it anyway only knowingly)`);
    input.warn?.(why);
  }
  const now = unixSeconds(input.clock ?? systemClock);
  const times = publicationTimes(proposal, pieces.length, now, input.random);
  // A random order too: which piece goes out first says nothing.
  const order = pieces
    .map((piece) => ({ piece, key: (input.random ?? secureRandom)() }))
    .sort((a, b) => a.key - b.key);
  const cast: CastPiece[] = [];
  for (const [i, { piece }] of order.entries()) {
    const publishAt = times[i] as number;
    const event = await castVote(prover, {
      proposal: input.proposal,
      ballot: input.ballot,
      secret: input.secret,
      weight: input.weight,
      path: input.path,
      piece,
      clock: new ManualClock(publishAt * 1000),
    });
    cast.push({ event, piece, publishAt });
  }
  const weight = pieces.reduce((sum, piece) => sum + pieceWeight(piece), 0n);
  return { pieces: cast, weight, dropped: input.weight - weight };
}
