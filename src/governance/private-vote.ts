import { AgoraError, type Clock, ErrorCode, ManualClock, systemClock, unixSeconds } from '../core/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import type { MembershipPath, Prover } from '../zk/index.js';
import {
  allPieces,
  anonymousPieces,
  clientAnonymity,
  DEFAULT_MIN_ANONYMITY,
  denominationCounts,
  type MemberWeight,
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
  /**
   * Cast only the largest piece the rule allows, the rest of the weight left uncounted (`dropped`, warned): for a
   * choice the voter expects few others to make. Every piece carries its choice, so a choice one voter makes alone
   * links all its pieces (the per-option totals show them too), and the group hides its voter only among the members
   * whose whole cast it is (`ProposalResult.anonymity.linked`); one piece hides among all holders of its denomination.
   * Not the default: which choice is rare is not known before the tally, and the weight lost would be every voter's.
   */
  readonly onePiece?: boolean;
  /**
   * When voting closes as the caller's ledger shows it (`tallyProposal(ledger, id).closes`): past `window.closes`
   * while a late-quorum extension is in effect, the vote is cast and its pieces spread over what is left of the
   * extension. Default `window.closes`: the helper holds no ledger, and which extension applies depends on the votes.
   * `INVALID_ARGUMENT` outside `window.closes .. window.closes + lateQuorumExtension`.
   */
  readonly closes?: number;
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
 * or its opening, to `closes`: the window's close, or a later one a late-quorum extension set), so neither their
 * order nor their spacing ties them to one voter. `INVALID_STATE` when voting has closed.
 */
export function publicationTimes(
  proposal: Pick<ProposalBody, 'window'>,
  count: number,
  now: number,
  random: () => number = secureRandom,
  closes: number = proposal.window.closes,
): number[] {
  const from = Math.max(now, proposal.window.opens);
  const span = closes - from;
  if (span <= 0) throw new AgoraError(ErrorCode.InvalidState, 'voting has closed: no piece can be published');
  return Array.from({ length: count }, () => from + Math.min(span - 1, Math.floor(random() * span))).sort(
    (a, b) => a - b,
  );
}

/**
 * Share of the voting window left under which {@link castPrivateVote} warns that a vote's pieces cluster in time.
 * Cast with a share f of the window left, all of a vote's pieces fall in that last share, where another voter casting
 * at a uniform time (its pieces spread over what was then left) has on average f(1 - ln f) of its own: at 10 % left,
 * a third of them; in the last hour of a week, one in 27. The fewer others' pieces there, the more surely an observer
 * takes the cluster for one voter's. No time rule removes this: a piece cannot be published before its vote is cast,
 * and one dated in the past would arrive (at relays, after anchors) when it was cast, with the others.
 */
export const LATE_VOTE_SHARE = 0.1;

/** The warning for a vote cast with less than {@link LATE_VOTE_SHARE} of the window left, if it is. */
function lateVoteWarning(
  proposal: ProposalBody,
  count: number,
  now: number,
  closes: number,
): string | undefined {
  const { opens } = proposal.window;
  const share = (closes - Math.max(now, opens)) / (proposal.window.closes - opens);
  if (count < 2 || share >= LATE_VOTE_SHARE) return undefined;
  const others = share * (1 - Math.log(share));
  return `${count} pieces, all dated in the last ${(share * 100).toFixed(1)} % of the voting window: another voter casting at a random time has ${(others * 100).toFixed(1)} % of its pieces there, so few hide yours and an observer can take them for one voter's; a vote cast earlier is spread wider`;
}

/**
 * Until when a vote cast now is counted: `window.closes`, or the later close of a late-quorum extension in effect
 * (`closes`, as the caller's tally shows it). `INVALID_ARGUMENT` for a close no extension can set, `INVALID_STATE`
 * once it has passed.
 */
function votingOpenUntil(
  id: string,
  proposal: ProposalBody,
  now: number,
  closes: number = proposal.window.closes,
): number {
  const latest = proposal.window.closes + (proposal.lateQuorumExtension ?? 0);
  if (!Number.isSafeInteger(closes) || closes < proposal.window.closes || closes > latest)
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `voting on ${id} closes at ${proposal.window.closes}${latest > proposal.window.closes ? ` or, extended by a late quorum, by ${latest}` : ''}, not at ${closes}`,
    );
  if (now >= closes)
    throw new AgoraError(
      ErrorCode.InvalidState,
      closes < latest
        ? `voting on ${id} closed at ${closes}, now is ${now}: a late quorum extends it to at most ${latest}; pass the close your ledger's tally shows (closes) if it extends it`
        : `voting on ${id} closed at ${closes}, now is ${now}`,
    );
  return closes;
}

/**
 * Casts a vote under the client rule everyone follows, so that each piece hides its voter among at least k members
 * (the larger of the voter's `minAnonymity` and the proposal's, at most the snapshot's size): the voter's canonical
 * pieces at or above the proposal's floor, in denominations that many members hold, each proved on its own (its own
 * nullifier; as the others, it goes out under a one-time key), dated at an independent random time in the rest of the
 * window (or of a late-quorum extension in effect: pass `closes`). Append or publish each piece at its `publishAt`.
 */
export async function castPrivateVote<M extends CountingMethod>(
  prover: Prover,
  input: PrivateVoteInput<M>,
): Promise<PrivateVote> {
  const proposal = input.proposal.event.body as unknown as ProposalBody;
  const rule = pieceRuleOf(proposal);
  const k = clientAnonymity(proposal.minAnonymity, input.members.length, input.minAnonymity);
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
  if (input.onePiece === true && pieces.length > 1) {
    // The largest: the top pieces come first, then the lower bits in descending order.
    pieces = pieces.slice(0, 1);
    input.warn?.(
      `casting one piece of ${pieceWeight(pieces[0] as VotePiece)}: the rest of your weight is not counted, and nothing links your choice to other pieces`,
    );
  }
  // A single choice is shared by every voter who makes it, so it groups pieces only as the published totals do.
  if (proposal.counting !== 'single' && pieces.length > 1) {
    const why = `every piece of a ${proposal.counting} ballot carries it: its ${pieces.length} pieces are linked by it, and together they can name you`;
    if (input.linkedBallot !== true)
      throw new AgoraError(ErrorCode.WouldLink, `${why} (cast it anyway only knowingly)`);
    input.warn?.(why);
  }
  const now = unixSeconds(input.clock ?? systemClock);
  const closes = votingOpenUntil(input.proposal.id, proposal, now, input.closes);
  const late = lateVoteWarning(proposal, pieces.length, now, closes);
  if (late !== undefined) input.warn?.(late);
  const times = publicationTimes(proposal, pieces.length, now, input.random, closes);
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
