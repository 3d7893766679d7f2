import {
  AgoraError,
  canonicalJson,
  doubleSha256,
  ErrorCode,
  fromHex,
  HEADER_TIME_TOLERANCE,
  type JsonObject,
  type NetworkConfig,
  toHex,
} from '../core/index.js';
import { acceptsCustodian, type DecisionAnchor, type Publication, publishedBy } from '../governance/index.js';
import type { Ledger, LedgerEvent } from '../ledger/index.js';
import {
  readLock,
  type StakeEnding,
  type StakeRecord,
  type StakeState,
  stakeEndings,
  stakeState,
} from '../stake/index.js';
import { MembershipTree, PANEL_LEVELS } from '../zk/index.js';
import {
  type DisputeAnsweredBody,
  type DisputeAppealedBody,
  type DisputeAttendedBody,
  type DisputeDrawnBody,
  type DisputeOpenedBody,
  type DisputeRevealedBody,
  type DisputeVoteBody,
  disputeParties,
  type JurorChoice,
  type JurorElectorate,
  receiptParties,
} from './dispute-events.js';
import { answerInTime, type DisputeAnchors, type OpeningTiming, openingTiming } from './dispute-time.js';
import {
  checkElectorate,
  type ElectorateOptions,
  type ElectorateVerdict,
  type EligibleJuror,
} from './electorate.js';
import { drawPanel, drawSeed } from './lottery.js';
import { DISPUTE_TERMS, maxAppealSeedHeight, panelSize, type RoundTimes, roundTimes } from './terms.js';

/** A bond as a dispute counts it. */
export interface Bond {
  /** The `stake.locked` event id. */
  readonly lock: string;
  readonly staker: string;
  readonly custodian: string;
  readonly amountSat: bigint;
  /** The dispute event that put it up (opening, answer or appeal). */
  readonly by: string;
}

/** A juror's revealed vote: its choice and the one-time key it is paid to. */
export interface RevealedVote {
  readonly vote: string;
  readonly choice: JurorChoice;
  readonly payout: string;
}

/** One round of a dispute, as the ledger gives it. */
export interface DisputeRound {
  readonly round: number;
  /** The event that opened the round: the dispute's opening, or the appeal. */
  readonly openedBy: string;
  readonly seedHeight: number;
  readonly times: RoundTimes;
  /**
   * `awaiting-draw` until a `dispute.drawn` gives the seed block's header; `unstaffed` when the electorate holds too
   * few eligible jurors (a first round: the dispute is void; an appeal round: the appeal fails, the round it appealed
   * stands); `unseeded` when the seed block is dated less than `seedBlockDelay` after the event fixing its height was
   * public (its hash could be known to whoever chose the height: treated as unstaffed); `undrawn` when no draw counts
   * by its voting close plus the grace (the last moment a draw may be published), or its seed height has no settled
   * block on the followed chain by then (treated as unstaffed: the round can never be drawn, so it cannot hold its
   * dispute open for ever); `drawn` once the panel is known.
   */
  readonly status: 'awaiting-draw' | 'unstaffed' | 'unseeded' | 'undrawn' | 'drawn';
  /**
   * The seed block's hash: the settled block at the height on the chain the ledger follows (`seedBlocks`), else the
   * lowest of the valid headers given for it (see docs/security.md).
   */
  readonly blockHash?: string;
  /** The jurors, in draw order, and the root of their panel tree (each leaf weight 1). */
  readonly panel?: readonly string[];
  readonly panelRoot?: bigint;
  /** The jurors' ZK commitments, in draw order: the leaves of the panel tree. */
  readonly commitments?: readonly bigint[];
  /** `dispute.drawn` events naming another block than the seed block, or a panel it does not draw: refused. */
  readonly refusedDraws: readonly { readonly id: string; readonly reason: string }[];
  /** Sealed votes counted: proofs against this panel's root, one per nullifier (lowest id). */
  readonly votes: number;
  readonly reveals: readonly RevealedVote[];
  readonly upheld: number;
  readonly rejected: number;
  /** Panel members whose vote is missing (counted from the votes: see `attended` for who). */
  readonly absent: number;
  /**
   * Panel members that attested in their own name that they voted (`dispute.attended` in the round's window), in
   * agent id order. When more attest than votes were counted, one at least attests falsely.
   */
  readonly attended: readonly string[];
  /** Once reveals closed: upheld when more revealed votes uphold the claim than reject it. */
  readonly outcome?: JurorChoice;
}

/**
 * Where a dispute stands at a moment. `unanchored`: unanswered past its deadline, but its opening has no anchor in
 * time yet, so nobody has lost it by default (see `openingTiming`).
 */
export type DisputeStatus =
  | 'invalid'
  | 'unanchored'
  | 'pending'
  | 'contested'
  | 'answering'
  | 'drawing'
  | 'voting'
  | 'revealing'
  | 'appealable'
  | 'decided'
  | 'void';

/** Everything the ledger says about one dispute at `now`: a pure function of the stored events and `now`. */
export interface DisputeView {
  readonly id: string;
  readonly receipt: string;
  readonly provider: string;
  readonly payer: string;
  readonly claimant: string;
  readonly respondent: string;
  readonly claim: string;
  readonly opened: number;
  readonly answerBy: number;
  /** The opening's earliest verified anchor, when the caller gave the anchors (`ReadDisputeOptions`). */
  readonly openingAnchor?: DecisionAnchor;
  readonly bond?: Bond;
  readonly answer?: { readonly id: string; readonly evidence: string; readonly bond: Bond };
  /** The electorate's verdict; not checked for an opening whose bond does not count (`invalid`: it changes nothing). */
  readonly electorate?: ElectorateVerdict['status'];
  readonly reason?: string;
  readonly rounds: readonly DisputeRound[];
  /** Counted appeals, in round order. */
  readonly appeals: readonly { readonly id: string; readonly round: number; readonly bond: Bond }[];
  /**
   * An appeal whose round failed by its appellant's choices: never drawn by the round's voting close plus the grace
   * (`undrawn`: a height too far, or no draw published), or its seed block mined too early (`unseeded`) at a height at
   * most `unseededForfeitBlocks` above the block dating the appeal's publication (any height without witnesses). The
   * round it
   * appealed stands and its bond is settled as a losing bond ({@link settlement}): otherwise a loser could hold the
   * winner's bonds a voting period more, free, by naming a height it knows will fail.
   */
  readonly forfeited?: { readonly id: string; readonly round: number; readonly bond: Bond };
  readonly status: DisputeStatus;
  /** Once decided. */
  readonly winner?: 'claimant' | 'respondent';
  readonly byDefault?: boolean;
  /** When the outcome became final (unix seconds). */
  readonly decidedAt?: number;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const blockHashOf = (header: string) => toHex(doubleSha256(fromHex(header)).reverse());
/** A block header's time: bytes 68..72, little-endian. */
const headerTime = (header: string) => {
  const bytes = fromHex(header);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(68, true);
};

/**
 * What one pass over the ledger (one `now`, one set of options) reads once for all the disputes it reads: each
 * electorate rebuilt, each bond's owner. Openings are free to sign once a party holds a bond, so a reader of every
 * dispute must not pay an electorate rebuild per opening.
 */
export interface DisputeMemo {
  readonly electorates: Map<string, Promise<ElectorateVerdict>>;
  readonly owners: Map<string, Promise<string | undefined>>;
}

/** An empty memo, for one pass over the ledger (never kept across appends). */
export const disputeMemo = (): DisputeMemo => ({ electorates: new Map(), owners: new Map() });

/**
 * The electorate `declared` as one dispute reads it (`options`, told apart in the memo by `key`), rebuilt once per
 * memo and key.
 */
function electorateOf(
  ledger: Ledger,
  declared: JurorElectorate,
  options: ElectorateOptions,
  key: string,
  memo: DisputeMemo,
) {
  const memoKey = `${key} ${canonicalJson(declared as unknown as JsonObject)}`;
  let verdict = memo.electorates.get(memoKey);
  if (verdict === undefined) {
    verdict = checkElectorate(ledger, declared, options);
    memo.electorates.set(memoKey, verdict);
  }
  return verdict;
}

/**
 * A stake as a dispute bond reads it: its lock (whatever holds its payment), the lower-id rival locks of its payment,
 * and every ending stored for it, first first.
 */
interface BondStake {
  readonly stake: StakeRecord;
  readonly rivals: readonly string[];
  readonly endings: readonly StakeEnding[];
}

/** Stake `lock` with its rivals and endings, or undefined when no lock is stored under that id. */
async function bondStake(ledger: Ledger, lock: string): Promise<BondStake | undefined> {
  const stored = await readLock(ledger, lock);
  if (stored === undefined) return undefined;
  return { ...stored, endings: await stakeEndings(ledger, lock) };
}

/**
 * Why `stake` can back no dispute event at all, or undefined when it can: its custodian must be one the network
 * accepts ({@link acceptsCustodian}, the rule stake weights use) and not its own staker. A custodian's signature alone
 * makes a lock (no payment need stand behind it) and ends one at any time it claims: a party holding its own bond
 * risks nothing by it, and could "release" it dated back whenever a verdict read with it displeased it.
 */
function bondRefusal(stake: StakeRecord, network: NetworkConfig | undefined): string | undefined {
  if (stake.custodian === stake.staker)
    return `it is held by its own staker ${stake.staker}: a bond needs a custodian of the network`;
  if (!acceptsCustodian(network, stake.custodian))
    return `its custodian ${stake.custodian} is not one this network accepts (its configured custodians)`;
  return undefined;
}

/** Where a dispute event's bond is judged, besides its time. */
export interface BondContext {
  /**
   * The dispute event putting the bond up, once signed: where `publication` shows it, it dates the endings and
   * rival locks read ({@link bondStanding}).
   */
  readonly event?: string;
  /** When events were published (`ReadDisputeOptions.publication`). */
  readonly publication?: Publication | undefined;
}

/**
 * Which stored events a dispute event's bond is judged by: where witnesses show publication and show the event, only
 * those listed no later than it (an event shown later, or not yet, is left out whatever time it claims); else every
 * stored one. A custodian's ending or rival lock dated back and published after a dispute event thus never unmakes
 * the bond that event put up, so a verdict read with it is not reversed by it. A function of the stored events and
 * their listings only, whatever order they arrived in.
 */
function shownBy(context: BondContext): (id: string) => boolean {
  const { publication, event } = context;
  const by =
    publication?.witnessed === true && event !== undefined ? publication.at(event)?.blockTime : undefined;
  return (by === undefined ? undefined : publishedBy(publication, by)) ?? (() => true);
}

/**
 * The state of `bond` for a dispute event dated `at` ({@link stakeState} at `at`), reading only the endings the event
 * is judged by ({@link shownBy}), or undefined when a lower-id rival lock of its payment it is judged by makes it no
 * stake (the rule of `readStakes`, bounded by publication). Every bond rule asks this one.
 */
function bondState(
  { stake, rivals, endings }: BondStake,
  at: number,
  context: BondContext,
): StakeState | undefined {
  const judged = shownBy(context);
  if (rivals.some(judged)) return undefined;
  const ending = endings.find((candidate) => judged(candidate.id));
  const { ending: _stored, ...lock } = stake;
  return stakeState(ending === undefined ? lock : { ...lock, ending }, at);
}

/** Stake `lock` as a dispute bond dated `at` reads it (see {@link bondStanding}). */
export interface BondStanding {
  /**
   * The counted lock: undefined when none is stored under that id, or a lower-id lock of its payment holds it (one
   * listed no later than the event, where witnesses show publication and the event, {@link BondContext}; else any
   * stored).
   */
  readonly stake?: StakeRecord;
  /** Its state at `at` (the endings shown by the event's publication, {@link BondContext}), when counted. */
  readonly state?: StakeState;
  /** Whether a dispute event dated `at` can put it up: a counted lock of an accepted custodian, `locked` then. */
  readonly counts: boolean;
  /** Why it does not count though `locked`: its custodian is its own staker, or one the network does not accept. */
  readonly refused?: string;
}

/**
 * Whether stake `lock` can back a dispute event (opening, answer, appeal) dated `at`: the rule `readDispute` counts
 * bonds by (a lock no lower-id rival of its payment public when the event was holds, held by a custodian the network
 * accepts, never by its own staker, and `locked` at the event's `created` by the endings public when the event was,
 * {@link BondContext}; its first use owns it besides,
 * {@link bondOwner}). For a caller to refuse, before signing, a stake whose event would be stored and never count
 * (without a context every stored ending is read): the ingest rule checks the lock's promised `until`, not whether
 * its custodian already released it.
 */
export async function bondStanding(
  ledger: Ledger,
  lock: string,
  at: number,
  context: BondContext = {},
): Promise<BondStanding> {
  const bond = await bondStake(ledger, lock);
  if (bond === undefined) return { counts: false };
  return standingOf(bond, at, context, ledger.registry.network);
}

function standingOf(
  bond: BondStake,
  at: number,
  context: BondContext,
  network: NetworkConfig | undefined,
): BondStanding {
  const state = bondState(bond, at, context);
  if (state === undefined) return { counts: false };
  const refused = bondRefusal(bond.stake, network);
  return {
    stake: bond.stake,
    state,
    counts: refused === undefined && state === 'locked',
    ...(refused === undefined ? {} : { refused }),
  };
}

/**
 * Dispute events in the order they were first published: where witnesses show publication, the earliest listing
 * first (an event not shown yet comes after every shown one), then the earliest `created`, then the lowest id. A use of
 * a bond or an appeal signed later and published later, dated back and ground for a lower id, never comes before the
 * event published first. Without witnesses the claimed times order them (see docs/security.md). One order for every
 * choice among competing uses ({@link bondOwner}, the appeal that opens a round), so that they never disagree.
 */
function publishedFirst(
  publication: Publication | undefined,
): (a: { id: string; event: LedgerEvent }, b: { id: string; event: LedgerEvent }) => number {
  const witnessed = publication?.witnessed === true;
  const shown = (id: string) =>
    witnessed ? (publication?.at(id)?.blockTime ?? Number.POSITIVE_INFINITY) : 0;
  return (a, b) => {
    const [shownA, shownB] = [shown(a.id), shown(b.id)];
    if (shownA !== shownB) return shownA < shownB ? -1 : 1;
    if (a.event.created !== b.event.created) return a.event.created < b.event.created ? -1 : 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

/**
 * The dispute event a bond belongs to: of the dispute events naming `lock` as their bond while it counts for them
 * ({@link bondStanding} at their `created`, read by their publication), the first published ({@link publishedFirst}: by witness listing where witnesses show publication, then
 * the earliest `created`, then the lowest id). Only the lock's staker can name it (the ingest rule), so the owner is
 * its own first use: a use signed later and published later, dated back and ground for a lower id, never takes a bond
 * from the event that committed it first. Without witnesses the claimed times order them (see docs/security.md).
 * Undefined when the stake is not stored.
 */
export async function bondOwner(
  ledger: Ledger,
  lock: string,
  publication: Publication | undefined,
): Promise<string | undefined> {
  const bond = await bondStake(ledger, lock);
  if (bond === undefined) return undefined;
  const order = publishedFirst(publication);
  const network = ledger.registry.network;
  let owner: { id: string; event: LedgerEvent } | undefined;
  for await (const use of ledger.byIndex('dispute-bond', lock)) {
    if (!use.event.type.startsWith('dispute.')) continue;
    if (!standingOf(bond, use.event.created, { event: use.id, publication }, network).counts) continue;
    if (owner === undefined || order(use, owner) < 0) owner = use;
  }
  return owner?.id;
}

/**
 * The bond `lock` put up by event `by` at time `at`, if it counts: the stake is a counted lock (no lower-id rival
 * public when `by` was),
 * locked at `at`, and `by` is the event it belongs to ({@link bondOwner}: one bond backs one side once).
 */
async function countedBond(
  ledger: Ledger,
  lock: string,
  by: string,
  at: number,
  reading: { memo: DisputeMemo; publication: Publication | undefined },
): Promise<Bond | undefined> {
  const { stake, counts } = await bondStanding(ledger, lock, at, {
    event: by,
    publication: reading.publication,
  });
  if (stake === undefined || !counts) return undefined;
  let owner = reading.memo.owners.get(lock);
  if (owner === undefined) {
    owner = bondOwner(ledger, lock, reading.publication);
    reading.memo.owners.set(lock, owner);
  }
  if ((await owner) !== by) return undefined;
  return {
    lock,
    staker: stake.staker,
    custodian: stake.custodian,
    amountSat: BigInt(stake.statement.amountSat),
    by,
  };
}

/** The events of a dispute, by type, in id order. */
async function eventsOf(ledger: Ledger, disputeId: string) {
  const found: Record<string, { id: string; event: LedgerEvent }[]> = {};
  for await (const { id, event } of ledger.byIndex('dispute', disputeId)) {
    const list = found[event.type] ?? [];
    list.push({ id, event });
    found[event.type] = list;
  }
  for (const list of Object.values(found)) list.sort(byId);
  return (type: string) => found[type] ?? [];
}

/** What `readDispute` takes besides the ledger. */
export interface ReadDisputeOptions {
  /**
   * The objective times of openings and answers (the anchoring layer's `disputeAnchors(ledger, now)`). Without the
   * opening's anchor in time an unanswered dispute is `unanchored` past its deadline, never lost by default; with it,
   * an answer counts only once anchored in time too (`answerInTime`).
   */
  readonly anchors?: DisputeAnchors;
  /**
   * When events were published, by the network's witnesses (the anchoring layer's `publicationTimes`); it replaces
   * `anchors`. With witnesses, the opening's answer period runs from its publication (a default loss needs it
   * published at least the least answer period before the deadline), an answer counts only if published by 2 hours
   * (Bitcoin's header tolerance, the grace) after the deadline, an appeal, a juror's vote, its reveal and an
   * attestation of attendance only if published by the grace after their window closes, a draw only if published by
   * the grace after its round's voting closes; a round's outcome and the dispute's end wait for that grace.
   * Without witnesses (a development network), nobody loses by default.
   */
  readonly publication?: Publication;
  /**
   * The seed block at each height (the anchoring layer's `seedBlocks(ledger, now)`: the block at that height on the
   * heaviest verified header chain, once deep enough; undefined while none is). With it a round is drawn only from
   * that block: a `dispute.drawn` naming another one (a fork's, which passes the block rule on ingest) is refused,
   * and the round waits for a draw while the height has no settled block. Without it (a ledger without a
   * checkpoint) the lowest hash of the headers given counts.
   */
  readonly seedBlocks?: SeedBlocks;
  /**
   * The median time past of the settled tip of the chain the ledger follows (the anchoring layer's
   * `settledChainTime`): every block not settled yet is dated after it (Bitcoin's median rule), so no listing or
   * anchor still to come is dated at or before it. A deadline measured in block times (an answer anchored by it, a
   * piece shown by it) is past only once this time has reached it, whatever `now` says: read earlier, a listing in
   * time still on its way would change a verdict already read final. Without it (no checkpoint) `now` alone counts.
   */
  readonly settledTime?: number;
}

/** The hash of the settled block at a height on the chain a ledger follows, undefined while there is none. */
export type SeedBlocks = (height: number) => string | undefined;

/** Whether events published by `deadline` (a block time) count; every event when nothing shows publication. */
type Shown = (deadline: number) => (id: string) => boolean;

/**
 * Reads dispute `disputeId` from the ledger at `now`. Every verdict is a function of the stored events (their claimed
 * times included) and the openings' anchors, never of the order they arrived in: the lowest id wins wherever several
 * events compete (answers, votes with one nullifier, reveals), except for the uses of one bond and the appeals of one
 * round, where the first published wins (by witness listing, then `created`, then id: a later appeal never replaces
 * one whose panel its appellant could have seen). A default loss needs the opening anchored in
 * time ({@link openingTiming}), and an answer to such an opening counts only once anchored in time too
 * ({@link answerInTime}). `NOT_FOUND` when no such dispute is stored.
 */
export async function readDispute(
  ledger: Ledger,
  disputeId: string,
  now: number,
  options: ReadDisputeOptions = {},
): Promise<DisputeView> {
  return readDisputeWith(ledger, disputeId, now, options, disputeMemo());
}

/** {@link readDispute} sharing `memo` with the other reads of one pass (`disputeLosses`, `disputeFacts`). */
export async function readDisputeWith(
  ledger: Ledger,
  disputeId: string,
  now: number,
  options: ReadDisputeOptions,
  memo: DisputeMemo,
): Promise<DisputeView> {
  const stored = await ledger.get(disputeId);
  if (stored === undefined || stored.event.type !== 'dispute.opened')
    throw new AgoraError(ErrorCode.NotFound, `no dispute ${disputeId} in this ledger`);
  const opened = stored.event;
  const body = opened.body as unknown as DisputeOpenedBody;
  const receipt = (await ledger.get(body.receipt))?.event as LedgerEvent;
  const { claimant, respondent } = disputeParties(opened, receipt);
  const { provider, payer } = receiptParties(receipt);
  const { publication } = options;
  const witnessed = publication?.witnessed === true;
  // Where witnesses show publication, a piece published after its window (and the grace) counts for nothing.
  const shown: Shown = (deadline) => publishedBy(publication, deadline) ?? (() => true);
  const grace = witnessed ? HEADER_TIME_TOLERANCE : 0;
  const { settledTime } = options;
  // A deadline is past once `now` and the followed chain's settled time have both reached it.
  const past = (deadline: number) =>
    now >= deadline && (settledTime === undefined || settledTime >= deadline);
  const times = (id: string) => (publication === undefined ? options.anchors?.get(id) : publication.at(id));
  const openingAnchor = times(disputeId);
  const base = {
    id: disputeId,
    receipt: body.receipt,
    provider,
    payer: payer as string,
    claimant,
    respondent,
    claim: body.claim,
    opened: opened.created,
    answerBy: body.answerBy,
    ...(openingAnchor === undefined ? {} : { openingAnchor }),
  };
  const reading = { memo, publication };
  const bond = await countedBond(ledger, body.bond, disputeId, opened.created, reading);
  // An opening whose bond does not count changes nothing: its electorate is not even rebuilt (openings are free).
  if (bond === undefined)
    return {
      ...base,
      rounds: [],
      appeals: [],
      status: 'invalid',
      reason: 'the opening bond is not a locked stake of its own, or an earlier dispute event committed it',
    };
  // With witnesses, the electorate is fixed by the opening's publication (plus the grace): an event shown later,
  // dated before `asOf`, contests nothing (a decided dispute cannot be undone a month on); and past that deadline a
  // listed event missing, or shown only after it, makes the opening void, not pending for ever (its holder would
  // otherwise choose, once the seed block is mined, whether the dispute ever goes on). A listed event no witness
  // dates (a witness's own, listed by no other) counts as stored. Without witnesses the deadline is the answer
  // deadline, on stored events alone.
  const electorateDeadline = witnessed
    ? (openingAnchor?.blockTime ?? Number.POSITIVE_INFINITY) + grace
    : body.answerBy;
  const published = publishedBy(publication, electorateDeadline);
  const shownLate = (id: string) => (times(id)?.blockTime ?? Number.NEGATIVE_INFINITY) > electorateDeadline;
  const closed = past(electorateDeadline);
  const electorate = await electorateOf(
    ledger,
    body.jurors,
    {
      ...(published === undefined ? {} : { published }),
      parties: [claimant, respondent],
      ...(closed ? { whole: (id: string) => !witnessed || !shownLate(id) } : {}),
    },
    `${[claimant, respondent].sort().join()} ${electorateDeadline} ${closed}`,
    memo,
  );
  const empty = { rounds: [], appeals: [], electorate: electorate.status };
  if (electorate.status === 'incomplete')
    return {
      ...base,
      ...empty,
      bond,
      status: 'void',
      reason: electorate.reason,
      decidedAt: electorateDeadline,
    };
  if (electorate.status !== 'valid')
    return { ...base, ...empty, bond, status: electorate.status, reason: electorate.reason };
  const of = await eventsOf(ledger, disputeId);

  // Measured by Bitcoin's clock once the opening is anchored in time: then the answer must be too.
  const timing: OpeningTiming =
    publication !== undefined && !witnessed
      ? {
          status: 'waiting',
          reason:
            'this network names no publication witness: nobody can show the opening was public, so nobody loses by default',
        }
      : openingTiming(body.answerBy, openingAnchor);
  let answer: DisputeView['answer'];
  let unanchoredAnswer = false;
  for (const { id, event } of of('dispute.answered')) {
    if ((timing.status === 'in-time' || witnessed) && !answerInTime(body.answerBy, times(id))) {
      unanchoredAnswer = true;
      continue;
    }
    const answered = event.body as unknown as DisputeAnsweredBody;
    const counted = await countedBond(ledger, answered.bond, id, event.created, reading);
    if (counted !== undefined) {
      answer = { id, evidence: answered.evidence, bond: counted };
      break;
    }
  }
  const withBonds = { ...base, bond, electorate: electorate.status };
  if (answer === undefined) {
    // An answer anchored (or shown) by the deadline plus Bitcoin's header tolerance still counts (`answerInTime`), so
    // nothing is final until then: not a default loss, nor a void that would release the claimant's bond.
    const answerClosed = body.answerBy + HEADER_TIME_TOLERANCE;
    if (now < body.answerBy || (timing.status !== 'waiting' && !past(answerClosed)))
      return { ...withBonds, rounds: [], appeals: [], status: 'answering' };
    if (timing.status !== 'in-time')
      return {
        ...withBonds,
        rounds: [],
        appeals: [],
        status: timing.status === 'void' ? 'void' : 'unanchored',
        reason: timing.reason,
        ...(timing.status === 'void' ? { decidedAt: answerClosed } : {}),
      };
    return {
      ...withBonds,
      rounds: [],
      appeals: [],
      status: 'decided',
      winner: 'claimant',
      byDefault: true,
      decidedAt: answerClosed,
      ...(unanchoredAnswer
        ? { reason: 'an answer is stored, but not anchored by 2 hours after the deadline: it does not count' }
        : {}),
    };
  }

  const rounds: DisputeRound[] = [];
  const appeals: { id: string; round: number; bond: Bond }[] = [];
  const excluded = new Set([claimant, respondent]);
  let openedBy = disputeId;
  let seedHeight = body.seedHeight;
  // When the event fixing the round's seed height was public: its publication with witnesses, else its claimed time.
  let fixedBy = opened.created;
  for (let round = 0; ; round++) {
    const seedAfter = witnessed ? publication?.at(openedBy)?.blockTime : fixedBy;
    const times = roundTimes(body.answerBy, round);
    // A draw counts only if published while votes on its panel can still count (by the voting close plus the grace):
    // of several draws the lowest seed hash wins, so a later one would redraw a round already voted, even decided.
    const drawShown = shown(times.votesClose + grace);
    const drawn = of('dispute.drawn').filter(({ id, event }) => {
      const d = event.body as unknown as DisputeDrawnBody;
      return d.round === round && (round === 0 ? d.appeal === null : d.appeal === openedBy) && drawShown(id);
    });
    const result = await readRound(ledger, of, {
      disputeId,
      round,
      openedBy,
      seedHeight,
      times,
      drawn,
      jurors: electorate.jurors,
      excluded,
      past,
      shown,
      grace,
      ...(options.seedBlocks === undefined ? {} : { seedBlocks: options.seedBlocks }),
      publication,
      seedAfter,
    });
    rounds.push(result);
    const view = { ...withBonds, answer, rounds, appeals };
    const appealed = rounds[round - 1];
    const failed =
      result.status === 'unstaffed' || result.status === 'unseeded' || result.status === 'undrawn';
    // A round never drawn is known to have failed only once its draw can no longer count. An appeal round whose seed
    // block was mined too early is dated there too, whenever its draw arrived (up to that moment): dated earlier, a
    // failure shown late would make its dispute final before disputes final meanwhile and move their absent
    // penalties (a first round's failure voids its dispute, which has no absent juror to order).
    const appealUnseeded = result.status === 'unseeded' && round > 0;
    const failedAt =
      result.status === 'undrawn' || appealUnseeded ? result.times.votesClose + grace : undefined;
    if (appealUnseeded && !past(failedAt as number)) return { ...view, status: 'drawing' };
    if (failed && appealed?.outcome !== undefined) {
      // An appeal the electorate cannot staff, whose seed block was mined too early, or that was never drawn, fails:
      // the round it appealed stands. Unstaffed, it is known to fail when its appeal window closes and is not counted
      // (its bond gets no instruction: its hold lapses back to the appellant). Undrawn, it held the dispute open until
      // its voting close plus the grace by its appellant's choice of height (or its silence): its bond is forfeited.
      // Unseeded, likewise only where the appellant could expect the failure: with witnesses, a seed height at most
      // `unseededForfeitBlocks` above the block dating the appeal's publication (mined within the delay at Bitcoin's
      // pace); a height above that whose block came early by chance fails with the bond released.
      rounds.pop();
      const appeal = appeals.pop();
      const dated = appeal === undefined ? undefined : publication?.at(appeal.id)?.height;
      const chosen =
        result.status === 'undrawn' ||
        (result.status === 'unseeded' &&
          (!witnessed ||
            (dated !== undefined && result.seedHeight <= dated + DISPUTE_TERMS.unseededForfeitBlocks)));
      const appealsClosed = appealed.times.appealsClose + grace;
      if (!past(appealsClosed)) return { ...view, status: 'appealable' };
      return {
        ...view,
        ...(chosen && appeal !== undefined ? { forfeited: appeal } : {}),
        status: 'decided',
        winner: appealed.outcome === 'upheld' ? 'claimant' : 'respondent',
        byDefault: false,
        decidedAt: failedAt ?? appealsClosed,
        reason: `appeal round ${round} ${FAILURES[result.status]}: round ${round - 1} stands`,
      };
    }
    if (failed)
      return {
        ...view,
        status: 'void',
        decidedAt: failedAt ?? result.times.votesOpen,
        reason: `round ${round} ${FAILURES[result.status]}`,
      };
    if (result.status === 'awaiting-draw') return { ...view, status: 'drawing' };
    for (const agent of result.panel ?? []) excluded.add(agent);
    if (now < result.times.votesClose) return { ...view, status: 'voting' };
    if (result.outcome === undefined) return { ...view, status: 'revealing' };
    const winner = result.outcome === 'upheld' ? 'claimant' : 'respondent';
    const loser = winner === 'claimant' ? respondent : claimant;
    let appeal: { id: string; round: number; bond: Bond } | undefined;
    const appealShown = shown(result.times.appealsClose + grace);
    if (round + 1 < DISPUTE_TERMS.maxRounds)
      // Of several appeals by the loser, the first published counts ({@link publishedFirst}, as a bond's first use
      // owns it): one published after another's seed block could be known (its panel drawn) never replaces it, so a
      // loser cannot re-roll the round's panel by a later appeal ground for a lower id; the later one counts for
      // nothing (its bond gets no instruction) and the first keeps its bond, forfeit included.
      for (const { id, event } of [...of('dispute.appealed')].sort(publishedFirst(publication))) {
        const appealed = event.body as unknown as DisputeAppealedBody;
        if (appealed.round !== round + 1 || event.author !== loser || !appealShown(id)) continue;
        // A seed height beyond the bound would be mined after the appeal round's draw can count: the appeal would
        // only hold the dispute open, so it counts for nothing (its round would end `undrawn` anyway).
        if (
          appealed.seedHeight > maxAppealSeedHeight(body.seedHeight, opened.created, body.answerBy, round + 1)
        )
          continue;
        const counted = await countedBond(ledger, appealed.bond, id, event.created, reading);
        // At least `appealBondFactor` times the largest bond at stake so far (the ingest rule can only check the
        // opening bond: the answer may arrive after the appeal on some replica).
        if (counted !== undefined && counted.amountSat >= appealMinimum(bond, answer, appeals)) {
          appeal = { id, round: round + 1, bond: counted };
          seedHeight = appealed.seedHeight;
          fixedBy = event.created;
          break;
        }
      }
    if (appeal === undefined) {
      const final =
        round + 1 >= DISPUTE_TERMS.maxRounds ? result.times.revealsClose : result.times.appealsClose;
      // An appeal published within the grace may still come. `decidedAt` is always the moment the dispute turns
      // final, never its window's close before the grace: disputes are ordered by it (absent penalties), and one
      // final later must not sort before one final earlier.
      if (!past(final + grace)) return { ...view, status: 'appealable' };
      return { ...view, status: 'decided', winner, byDefault: false, decidedAt: final + grace };
    }
    appeals.push(appeal);
    openedBy = appeal.id;
  }
}

/** Why a round failed, for a view's `reason`. */
const FAILURES: Record<string, string> = {
  unstaffed: 'cannot be staffed',
  unseeded: 'has a seed block mined before the event fixing its height was public',
  undrawn: 'was not drawn by its voting close (no draw published in time, or its seed block never settled)',
};

/** What an appeal of a dispute's last round must meet to count (see {@link appealTerms}). */
export interface AppealTerms {
  /** The round the appeal opens. */
  readonly round: number;
  /** The party that lost the last round: only its appeal counts. */
  readonly appellant: string;
  /** The least bond, sats: `appealBondFactor` times the largest bond put up so far. */
  readonly minBondSat: bigint;
  /** The highest seed height the appeal may name (`maxAppealSeedHeight`). */
  readonly maxSeedHeight: number;
}

/**
 * What an appeal of `view`'s last round must meet to count, as `readDispute` counts it: undefined unless the dispute
 * is `appealable` with a decided last round and another round allowed. For a caller to refuse, before storing, an
 * appeal that would never count.
 */
export function appealTerms(view: DisputeView): AppealTerms | undefined {
  const last = view.rounds[view.rounds.length - 1];
  const first = view.rounds[0];
  if (
    view.status !== 'appealable' ||
    view.bond === undefined ||
    view.answer === undefined ||
    last?.outcome === undefined ||
    first === undefined ||
    view.rounds.length >= DISPUTE_TERMS.maxRounds
  )
    return undefined;
  const round = view.rounds.length;
  return {
    round,
    appellant: last.outcome === 'upheld' ? view.respondent : view.claimant,
    minBondSat: appealMinimum(view.bond, view.answer, view.appeals),
    maxSeedHeight: maxAppealSeedHeight(first.seedHeight, view.opened, view.answerBy, round),
  };
}

/** The least bond of the next appeal: `appealBondFactor` times the largest bond put up so far. */
function appealMinimum(
  bond: Bond,
  answer: { readonly bond: Bond },
  appeals: readonly { readonly bond: Bond }[],
): bigint {
  const largest = [answer.bond, ...appeals.map((appeal) => appeal.bond)].reduce(
    (max, { amountSat }) => (amountSat > max ? amountSat : max),
    bond.amountSat,
  );
  return largest * BigInt(DISPUTE_TERMS.appealBondFactor);
}

interface RoundInput {
  readonly disputeId: string;
  readonly round: number;
  readonly openedBy: string;
  readonly seedHeight: number;
  readonly times: RoundTimes;
  readonly drawn: readonly { id: string; event: LedgerEvent }[];
  readonly jurors: readonly EligibleJuror[];
  readonly excluded: ReadonlySet<string>;
  /** Whether a deadline is past (`now` and the followed chain's settled time have both reached it). */
  readonly past: (deadline: number) => boolean;
  /** Which events were published by a block time (see `ReadDisputeOptions.publication`). */
  readonly shown: Shown;
  /** How long after a window its pieces may still be published (0 without witnesses). */
  readonly grace: number;
  /** The settled block at each height (see `ReadDisputeOptions.seedBlocks`). */
  readonly seedBlocks?: SeedBlocks;
  readonly publication: Publication | undefined;
  /**
   * When the event fixing the seed height was public (its witness time; its claimed time without witnesses), or
   * undefined while no witness shows it: a seed block must be dated `seedBlockDelay` after it.
   */
  readonly seedAfter: number | undefined;
}

/** One round: the draw from its seed block, the votes against its panel, the reveals, the outcome. */
async function readRound(
  ledger: Ledger,
  of: (type: string) => { id: string; event: LedgerEvent }[],
  input: RoundInput,
): Promise<DisputeRound> {
  const { disputeId, round, times } = input;
  const base = {
    round,
    openedBy: input.openedBy,
    seedHeight: input.seedHeight,
    times,
    votes: 0,
    reveals: [],
    upheld: 0,
    rejected: 0,
    absent: 0,
    attended: [],
  };
  const size = panelSize(round);
  // Staffing depends on the electorate and earlier panels alone: an appeal round that cannot be staffed is known
  // before any draw (no draw, whatever panel it lists, changes that), and its appeal fails at once.
  const eligible = input.jurors.filter((j) => j.weight > 0n && !input.excluded.has(j.agent)).length;
  if (round > 0 && eligible < size) return { ...base, status: 'unstaffed', refusedDraws: [] };
  // Every header stored passed the block rule for this height, on some verified chain. Where the ledger follows one
  // (a checkpoint), only its settled block seeds the round: a fork's block, however low its hash, is refused.
  const settled = input.seedBlocks?.(input.seedHeight);
  // Once no draw can count any more (published by the voting close plus the grace), a round still waiting never will.
  const waiting = input.past(times.votesClose + input.grace) ? 'undrawn' : 'awaiting-draw';
  if (
    input.drawn.length === 0 ||
    input.seedAfter === undefined ||
    (input.seedBlocks !== undefined && settled === undefined)
  )
    return { ...base, status: waiting, refusedDraws: [] };
  const hashOf = (event: LedgerEvent) => blockHashOf((event.body as unknown as DisputeDrawnBody).header);
  const offChain = input.drawn
    .filter(({ event }) => settled !== undefined && hashOf(event) !== settled)
    .map(({ id, event }) => ({
      id,
      reason: `block ${hashOf(event)} is not the block at ${input.seedHeight} on the heaviest verified chain`,
    }));
  const onChain = input.drawn.filter(({ id }) => !offChain.some((refused) => refused.id === id));
  if (onChain.length === 0) return { ...base, status: waiting, refusedDraws: offChain };
  // A seed block mined before the height was public is known to whoever fixed it, who could grind its dispute id (or
  // pick the height) for the panel it wants: its draw does not count, and that block is the height's for good.
  const earliest = input.seedAfter + DISPUTE_TERMS.seedBlockDelay;
  const early = onChain
    .filter(({ event }) => headerTime((event.body as unknown as DisputeDrawnBody).header) <= earliest)
    .map(({ id }) => ({
      id,
      reason: `its seed block is dated by ${earliest}, before the height was surely unknown`,
    }));
  const drawn = onChain.filter(({ id }) => !early.some((refused) => refused.id === id));
  if (drawn.length === 0) return { ...base, status: 'unseeded', refusedDraws: [...offChain, ...early] };
  // Without a followed chain, of several headers (a fork) the lowest hash counts.
  const blockHash = drawn.map(({ event }) => hashOf(event)).sort()[0] as string;
  let panel: string[];
  try {
    panel = drawPanel(input.jurors, drawSeed(blockHash, disputeId, round), size, input.excluded);
  } catch {
    return { ...base, status: 'unstaffed', blockHash, refusedDraws: [...offChain, ...early] };
  }
  const refusedDraws = [
    ...offChain,
    ...early,
    ...drawn
      .filter(({ event }) => (event.body as unknown as DisputeDrawnBody).panel.join() !== panel.join())
      .map(({ id }) => ({ id, reason: `its panel is not the one block ${blockHash} draws` })),
  ];
  const byAgent = new Map(input.jurors.map((juror) => [juror.agent, juror.commitment]));
  const commitments = panel.map((agent) => byAgent.get(agent) as bigint);
  const panelRoot = (
    await MembershipTree.build(
      commitments.map((commitment) => ({ commitment, weight: 1n })),
      PANEL_LEVELS,
    )
  ).root;
  // One vote per nullifier, the lowest id. Its copies (the same proof and sealed ballot under another `created`, which
  // the proof does not bind: anyone can make them, grinding for a lower id) are the same vote: a reveal of any of them
  // opens it, so a copy cannot leave a juror's vote unrevealed.
  const counted: { id: string; commitment: string; copies: string[] }[] = [];
  const byNullifier = new Map<string, (typeof counted)[number]>();
  // A witness on the panel could list its own anonymous vote and reveal, keep them, and publish them once the round
  // is final: the panel's witnesses do not date this round's pieces alone (`Publication.without`).
  const { publication } = input;
  const at = publication?.without?.(new Set(panel)) ?? publication?.at.bind(publication);
  const pieces: Publication | undefined =
    publication === undefined || at === undefined ? publication : { witnessed: publication.witnessed, at };
  const piecesShown = (deadline: number) => publishedBy(pieces, deadline) ?? (() => true);
  const voteShown = piecesShown(times.votesClose + input.grace);
  const revealShown = piecesShown(times.revealsClose + input.grace);
  // A reveal the witnesses show before voting closed (dated ahead) would show a running tally to jurors yet to vote:
  // it does not count, the vote stays sealed. Measured by the witness time, a function of the events.
  // Any witness's early listing counts here: it shows the reveal was out.
  const shownEarly = (id: string) => {
    const shown = publication?.witnessed === true ? publication.at(id) : undefined;
    return shown !== undefined && shown.blockTime < times.votesClose;
  };
  for (const { id, event } of of('dispute.vote')) {
    if (!voteShown(id)) continue;
    const vote = event.body as unknown as DisputeVoteBody;
    // A proof against another root (a manipulated panel) never counts; a second vote of a juror neither.
    if (vote.round !== round || vote.panelRoot !== panelRoot.toString()) continue;
    const known = byNullifier.get(vote.nullifier);
    if (known === undefined) {
      const entry = { id, commitment: vote.commitment, copies: [id] };
      byNullifier.set(vote.nullifier, entry);
      counted.push(entry);
    } else if (known.commitment === vote.commitment) known.copies.push(id);
  }
  const reveals: RevealedVote[] = [];
  for (const vote of counted) {
    const opened: { id: string; event: LedgerEvent }[] = [];
    for (const copy of vote.copies)
      for await (const stored of ledger.byIndex('dispute-vote', copy))
        if (stored.event.type === 'dispute.revealed' && revealShown(stored.id) && !shownEarly(stored.id))
          opened.push(stored);
    const first = opened.sort(byId)[0];
    if (first === undefined) continue;
    const { choice } = first.event.body as unknown as DisputeRevealedBody;
    reveals.push({ vote: vote.id, choice, payout: first.event.author as string });
  }
  const seated = new Set(panel);
  const attended = new Set<string>();
  // An attestation is dated within the voting or revealing window; published after it (and the grace), it would make
  // a decided round's panel absent after the fact (more attesting than voted), so it counts like a reveal.
  for (const { id, event } of of('dispute.attended'))
    if (
      (event.body as unknown as DisputeAttendedBody).round === round &&
      seated.has(event.author as string) &&
      revealShown(id)
    )
      attended.add(event.author as string);
  const upheld = reveals.filter((r) => r.choice === 'upheld').length;
  const rejected = reveals.length - upheld;
  const closed = input.past(times.revealsClose + input.grace);
  return {
    ...base,
    status: 'drawn',
    blockHash,
    panel,
    panelRoot,
    commitments,
    refusedDraws,
    votes: counted.length,
    reveals,
    upheld,
    rejected,
    absent: size - counted.length,
    attended: [...attended].sort(),
    // A tie (absent or unrevealed jurors) leaves the claim unproved: the claimant carries the burden.
    ...(closed ? { outcome: upheld > rejected ? 'upheld' : 'rejected' } : {}),
  };
}

/** The ids of the disputes over `receipt`, or of every dispute, in id order. */
export async function listDisputes(ledger: Ledger, filter: { receipt?: string } = {}): Promise<string[]> {
  const ids: string[] = [];
  const events =
    filter.receipt === undefined
      ? ledger.events({ type: 'dispute.opened' })
      : ledger.byIndex('dispute-receipt', filter.receipt);
  for await (const { id, event } of events) if (event.type === 'dispute.opened') ids.push(id);
  return ids.sort();
}

/** The panel tree of a drawn round, for a juror to find its path: leaves in draw order, weight 1 each. */
export async function panelTree(view: DisputeView, round: number): Promise<MembershipTree> {
  const commitments = view.rounds[round]?.commitments;
  if (commitments === undefined)
    throw new AgoraError(ErrorCode.InvalidState, `round ${round} of dispute ${view.id} is not drawn`);
  return MembershipTree.build(
    commitments.map((commitment) => ({ commitment, weight: 1n })),
    PANEL_LEVELS,
  );
}

/**
 * The panel the block `header` draws for round `round` of a dispute (what a `dispute.drawn` must list): the valid
 * electorate's jurors, neither party nor anyone who sat on an earlier round. `options`: what the dispute is read with
 * (`disputeTimes`), so that earlier rounds' panels are the ones every replica counts (their seed blocks on the followed
 * chain, their draws published in time). `INVALID_STATE` when the electorate is not valid, an earlier round is not
 * drawn, or too few jurors are eligible.
 */
export async function drawFor(
  ledger: Ledger,
  disputeId: string,
  round: number,
  header: string,
  options: ReadDisputeOptions = {},
): Promise<string[]> {
  const view = await readDispute(ledger, disputeId, Number.MAX_SAFE_INTEGER, options);
  const opened = (await ledger.get(disputeId))?.event as LedgerEvent;
  const electorate = await checkElectorate(ledger, (opened.body as unknown as DisputeOpenedBody).jurors, {
    parties: [view.claimant, view.respondent],
  });
  if (electorate.status !== 'valid')
    throw new AgoraError(
      ErrorCode.InvalidState,
      `dispute ${disputeId}: the electorate is ${electorate.status}`,
    );
  const excluded = new Set([view.claimant, view.respondent]);
  for (let r = 0; r < round; r++) {
    const panel = view.rounds[r]?.panel;
    if (panel === undefined)
      throw new AgoraError(ErrorCode.InvalidState, `dispute ${disputeId}: round ${r} is not drawn`);
    for (const agent of panel) excluded.add(agent);
  }
  return drawPanel(
    electorate.jurors,
    drawSeed(blockHashOf(header), disputeId, round),
    panelSize(round),
    excluded,
  );
}
