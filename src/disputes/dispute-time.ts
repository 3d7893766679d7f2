import { HEADER_TIME_TOLERANCE } from '../core/index.js';
import type { DecisionAnchor } from '../governance/index.js';
import { DISPUTE_TERMS } from './terms.js';

/**
 * The objective times of dispute openings and answers: for each one's event id, its earliest verified anchor (the
 * anchoring layer's `disputeAnchors`), whose block header time is the moment by which the event existed.
 */
export type DisputeAnchors = ReadonlyMap<string, DecisionAnchor>;

/**
 * Whether an unanswered dispute can be lost by default: `in-time` when its opening is anchored in a block whose header
 * time is at least `minAnswerPeriod` before the answer deadline (the respondent had, by Bitcoin's clock rather than
 * the claimant's, at least the least answer period); `waiting` while no anchor is recorded (one in time may still
 * be); `void` for good when the earliest anchor came too late.
 */
export type OpeningTiming =
  | { readonly status: 'in-time'; readonly anchor: DecisionAnchor }
  | { readonly status: 'waiting'; readonly reason: string }
  | { readonly status: 'void'; readonly reason: string };

/**
 * The time rule of default losses, a pure function of the opening's answer deadline and its earliest verified
 * anchor. The opening's `created` is its author's claim, so it measures nothing: an opening dated back and published
 * after its own deadline would make its respondent lose at once. The anchor's block time is not a claim (on
 * `bitcoin`), and the header's time is taken as written (no tolerance in the claimant's favor: the default is the
 * sanction, so doubt goes to the respondent).
 */
export function openingTiming(answerBy: number, anchor: DecisionAnchor | undefined): OpeningTiming {
  const latest = answerBy - DISPUTE_TERMS.minAnswerPeriod;
  if (anchor === undefined)
    return {
      status: 'waiting',
      reason: `its opening is not anchored: the respondent loses by default only once it is, in a block dated by ${latest}`,
    };
  if (anchor.blockTime > latest)
    return {
      status: 'void',
      reason: `its opening was first anchored in block ${anchor.height} at ${anchor.blockTime}, less than ${DISPUTE_TERMS.minAnswerPeriod} s before its answer deadline: nobody loses it by default`,
    };
  return { status: 'in-time', anchor };
}

/**
 * Whether an answer counts against a dispute whose opening is anchored in time: only once the answer is anchored too,
 * in a block dated at most Bitcoin's 2-hour header tolerance after the deadline (here the doubt goes to the
 * respondent). Its claimed time cannot be trusted either: dated back and published after the voting windows, it
 * would turn a default loss into a panel that never sat, and a claim unproved. An answer to an opening without an
 * anchor in time counts on its claimed time (nobody can lose such a dispute by default).
 */
export function answerInTime(answerBy: number, anchor: DecisionAnchor | undefined): boolean {
  return anchor !== undefined && anchor.blockTime <= answerBy + HEADER_TIME_TOLERANCE;
}
