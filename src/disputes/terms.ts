/**
 * The fixed terms of every dispute: one set for the whole network, so that every replica derives the same deadlines,
 * panel sizes and shares from the events alone. Times are seconds, amounts whole sats.
 */
export const DISPUTE_TERMS = {
  /** Jurors in the first round: odd, so a full panel cannot tie. */
  panelSize: 5,
  /** Least bond to open a dispute (and least counter-bond), sats. */
  minBondSat: 1_000,
  /** An appeal's bond is at least this many times the largest bond of the round it appeals. */
  appealBondFactor: 2,
  /** Longest time a respondent can be given to answer. */
  maxAnswerPeriod: 7 * 86_400,
  /** Shortest time a respondent is given to answer. */
  minAnswerPeriod: 3_600,
  /** Jurors commit their votes during this period, from the round's opening. */
  votePeriod: 2 * 86_400,
  /** Jurors reveal their committed votes during this period, after voting closed. */
  revealPeriod: 86_400,
  /** The loser of a round may appeal during this period, after revealing closed. */
  appealPeriod: 86_400,
  /** Rounds in all: the first and at most two appeals (5, 11 then 23 jurors). */
  maxRounds: 3,
  /** The juror electorate is fixed at most this long before the dispute opens. */
  maxElectorateAge: 86_400,
  /**
   * The least weight to sit on a panel, the network's (an electorate declaring another is invalid): a claimant's
   * higher floor would shrink the eligible set until the panel is known before the seed block is mined.
   */
  minJurorWeight: 1,
  /**
   * A round's seed block counts only if its header time is this long after the publication of the event that fixed
   * its height (the opening or the appeal): twice Bitcoin's 2-hour header tolerance, once for the seed block's time
   * and once for the publication anchor's, so the block was surely mined after anyone could read the event, and its
   * hash was unknown to whoever wrote it.
   */
  seedBlockDelay: 4 * 3_600,
  /**
   * An appeal whose round fails `unseeded` forfeits its bond only when its seed height was at most this many blocks
   * above the block dating the appeal's publication: at Bitcoin's pace those are mined within `seedBlockDelay`, so
   * the failure was the appellant's to expect (or to choose, for the delay). A height above that whose block came
   * early by chance (fast blocks, a slow listing) fails the appeal with its bond released.
   */
  unseededForfeitBlocks: 24,
  /** Basis points of the losing bonds shared by the jurors who revealed a majority vote; the rest to the winner. */
  jurorShareBps: 5_000,
  /** Basis points of a non-voting juror's stake its custodian is asked to take (see docs/security.md). */
  absentPenaltyBps: 100,
} as const;

/** Jurors of round `round` (0 the first): 5, then 2n+1 of the round before. */
export function panelSize(round: number): number {
  let size: number = DISPUTE_TERMS.panelSize;
  for (let r = 0; r < round; r++) size = 2 * size + 1;
  return size;
}

/** The windows of one round, unix seconds, derived from the dispute's `answerBy` alone. */
export interface RoundTimes {
  /** Votes count when `votesOpen <= created < votesClose`. */
  readonly votesOpen: number;
  readonly votesClose: number;
  /** Reveals count when `votesClose <= created < revealsClose`: none before, so nobody sees a running tally. */
  readonly revealsClose: number;
  /** An appeal of this round counts when `revealsClose <= created < appealsClose`. */
  readonly appealsClose: number;
}

/** The windows of round `round` of a dispute whose respondent had to answer by `answerBy`. */
export function roundTimes(answerBy: number, round: number): RoundTimes {
  const length = DISPUTE_TERMS.votePeriod + DISPUTE_TERMS.revealPeriod + DISPUTE_TERMS.appealPeriod;
  const votesOpen = answerBy + round * length;
  const votesClose = votesOpen + DISPUTE_TERMS.votePeriod;
  const revealsClose = votesClose + DISPUTE_TERMS.revealPeriod;
  return { votesOpen, votesClose, revealsClose, appealsClose: revealsClose + DISPUTE_TERMS.appealPeriod };
}

/** Bitcoin's target time between blocks, seconds. */
const BLOCK_INTERVAL = 600;

/**
 * The highest seed height an appeal opening round `round` may name: the opening's seed height plus twice the blocks
 * expected from the opening's claimed time (`opened`) to that round's voting close, so that an honest appellant,
 * naming a height just above the tip when it appeals, fits even if blocks come twice as fast as Bitcoin's target. A
 * height beyond it would be mined after the round's draw can count: such an appeal counts for nothing (a function of
 * the opening and the appeal alone, so no order of arrival changes it).
 */
export function maxAppealSeedHeight(
  openingSeedHeight: number,
  opened: number,
  answerBy: number,
  round: number,
): number {
  const span = Math.max(0, roundTimes(answerBy, round).votesClose - opened);
  return openingSeedHeight + 2 * Math.ceil(span / BLOCK_INTERVAL);
}

/**
 * Time an appeal's seed block needs, after it is mined, before the round's voting close: its confirmations, the
 * draw's publication and listing, and the jurors' votes. Not a rule of the ledger: what `agora dispute appeal` keeps
 * so that an honest appellant's round is drawn in time.
 */
export const SEED_REACH_MARGIN = 24 * 3_600;

/**
 * The highest seed height an appeal opening round `round` should name, from a block known at `height` at `time` (the
 * followed chain's tip now, else the opening's seed height at the opening's time): the blocks Bitcoin's target mines
 * from then until the round's voting close less {@link SEED_REACH_MARGIN}. A height above it is likely mined too late
 * to be drawn: the round ends `undrawn` and the appeal is forfeited.
 */
export function reachableSeedHeight(height: number, time: number, answerBy: number, round: number): number {
  const span = roundTimes(answerBy, round).votesClose - SEED_REACH_MARGIN - time;
  return height + Math.max(0, Math.floor(span / BLOCK_INTERVAL));
}

/** The last moment a dispute can still change: the end of its last possible round. Bonds must stay locked until then. */
export function disputeHorizon(answerBy: number): number {
  return roundTimes(answerBy, DISPUTE_TERMS.maxRounds - 1).appealsClose;
}
