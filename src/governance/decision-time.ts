import { type DecisionTimeBounds, HEADER_TIME_TOLERANCE } from '../core/index.js';
import type { ProposalBody } from './proposal.js';

/**
 * The earliest verified Bitcoin confirmation of a proposal's result (from the anchoring layer): its block's header
 * time is the objective moment by which the result existed.
 */
export interface DecisionAnchor {
  /** The block's header time, unix seconds. */
  readonly blockTime: number;
  readonly height: number;
  /** The `anchor.confirmed` event. */
  readonly confirmation: string;
  /**
   * The votes the decision counts: the union of those committed by every anchor confirmed within the grace (the
   * anchoring layer's `anchoredDecision`), sorted. Absent, the decision is the tally of every stored vote.
   */
  readonly votes?: readonly string[];
}

/**
 * Whether a decided proposal's result is in effect: `in-effect` once anchored in time, `waiting` for its anchor (it
 * may still come), or `void` for good: its times break the network's bounds, or its anchor came too late.
 */
export type DecisionTiming =
  | { readonly status: 'in-effect'; readonly anchor: DecisionAnchor }
  | { readonly status: 'waiting'; readonly reason: string }
  | { readonly status: 'void'; readonly reason: string };

const days = (seconds: number) => `${Math.round((seconds / 86_400) * 100) / 100} days`;

/**
 * The time rule of decisions, a pure function of the proposal, when voting closed (`closes`, after any late-quorum
 * extension; named in the reason) and its earliest verified anchor. A proposal's times are its author's claims; the
 * anchor's block time is not (on `bitcoin`). Bounding the snapshot's age before the opening, the window's length and
 * the anchor's delay after the latest close the window allows ({@link anchorDeadline}) bounds how old a moment `asOf`
 * can name: at most `maxSnapshotAge + maxWindow + anchorGrace + HEADER_TIME_TOLERANCE` before the block. A proposal naming an older moment, however complete its checkpoint for it,
 * never takes effect.
 */
export function decisionTiming(
  proposal: ProposalBody,
  closes: number,
  anchor: DecisionAnchor | undefined,
  bounds: DecisionTimeBounds,
): DecisionTiming {
  const problem = proposalTimeProblem(
    {
      asOf: proposal.snapshot.asOf,
      ...proposal.window,
      ...(proposal.lateQuorumExtension === undefined
        ? {}
        : { lateQuorumExtension: proposal.lateQuorumExtension }),
    },
    bounds,
  );
  if (problem !== undefined) return { status: 'void', reason: problem };
  if (anchor === undefined) return { status: 'waiting', reason: 'waiting for its anchor' };
  // The deadline counts from the latest close the window allows, not `closes`: it is the same for every anchor.
  const latest = anchorDeadline(proposal, bounds);
  if (anchor.blockTime > latest)
    return {
      status: 'void',
      reason: `anchored in block ${anchor.height} at ${anchor.blockTime}, ${days(anchor.blockTime - closes)} after voting closed; the network allows ${days(bounds.anchorGrace)} (and 2 hours of header time)`,
    };
  return { status: 'in-effect', anchor };
}

/**
 * The latest block time of an anchor within the grace: the latest close the proposal's window allows (its late-quorum
 * extension at most, whatever votes reach quorum when) plus `anchorGrace` and Bitcoin's header tolerance. It depends
 * on the proposal alone, so which anchors are in time never depends on the votes they commit to.
 */
export function anchorDeadline(proposal: ProposalBody, bounds: DecisionTimeBounds): number {
  return (
    proposal.window.closes + (proposal.lateQuorumExtension ?? 0) + bounds.anchorGrace + HEADER_TIME_TOLERANCE
  );
}

/**
 * Why a proposal with these times could never take effect under `bounds` (its snapshot too long before the opening,
 * or its window, extension included, too long), or undefined: what a proposer checks before signing.
 */
export function proposalTimeProblem(
  times: { asOf: number; opens: number; closes: number; lateQuorumExtension?: number },
  bounds: DecisionTimeBounds,
): string | undefined {
  const age = times.opens - times.asOf;
  if (age > bounds.maxSnapshotAge)
    return `its snapshot was taken ${days(age)} before voting opened; the network allows ${days(bounds.maxSnapshotAge)}`;
  const length = times.closes + (times.lateQuorumExtension ?? 0) - times.opens;
  if (length > bounds.maxWindow)
    return `its window (extension included) lasts ${days(length)}; the network allows ${days(bounds.maxWindow)}`;
  return undefined;
}
