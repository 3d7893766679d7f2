import { disputeAnchors, publicationTimes, reverseHex } from '../anchor/index.js';
import {
  ErrorCode,
  HEADER_TIME_TOLERANCE,
  isAgoraError,
  ManualClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import { governedState } from '../decisions.js';
import {
  absentPenalties,
  appealBond,
  bondProgress,
  castJurorVote,
  createDisputeAnswered,
  createDisputeAppealed,
  createDisputeAttended,
  createDisputeDrawn,
  createDisputeOpened,
  DISPUTE_TERMS,
  type DisputeRound,
  type DisputeView,
  disputeHorizon,
  draftElectorate,
  drawFor,
  type JurorChoice,
  panelTree,
  type ReadDisputeOptions,
  readDispute,
  revealJurorVote,
  roundTimes,
  settleDisputeBonds,
  settlement,
} from '../disputes/index.js';
import { createSnapshotSources } from '../governance/index.js';
import { type AgentKey, agentKeyFromSecret, objectId, zkIdentity } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import { createShareClaim, lockStake, nextStakeSequence, readStake } from '../stake/index.js';
import type { PanelProver, Prover } from '../zk/index.js';
import { anchorDecision, anchorDisputeEvent, witnessAt } from './commitment.js';
import { seededBytes } from './random.js';
import { regtestHeader } from './regtest-header.js';
import type { Actor, Proposal, ProviderActor, SimulationState, StakeState } from './state.js';
import { CAST_AFTER_OPEN_SECONDS, castVotes, proposeTerms } from './votes.js';

/** The standing rule the founders adopt before the market opens: two lost disputes within 30 days blacklist. */
export const DISPUTE_RULE = { kind: 'blacklist-dispute-losers', losses: 2, days: 30 } as const;

/** How long the dispute phase may take, in seconds: a dispute's first round and an appeal, answer time included. */
export const DISPUTE_PHASE_SECONDS = 9 * 86_400;

/** What each side bonds, in sats (a custodial stake with the run's custodian): the least a dispute takes. */
const BOND_SAT = DISPUTE_TERMS.minBondSat;
/** Time the respondent is given to answer, in seconds. */
const ANSWER_SECONDS = 6 * 3_600;
/** Share of all members that must vote on the rule, in basis points: the founders' few equal votes reach it. */
const RULE_QUORUM_BP = 500;

/** The rule's proposal and how its vote went. */
export interface RuleAdoption {
  readonly proposal: Proposal;
  readonly voters: number;
  readonly closes: number;
}

/**
 * Early, before the market: the first founder proposes to install {@link DISPUTE_RULE}, one vote per registered agent
 * (`equal` weights), and the founders vote for it with real proofs. It is in force once its result is anchored, ten
 * minutes after voting closes.
 */
export async function adoptDisputeRule(
  state: SimulationState,
  prover: Prover,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<RuleAdoption> {
  const opens = unixSeconds(state.clock) + 60;
  const closes = opens + 3_600;
  const proposal = await proposeTerms(state, {
    title: `Standing rule: blacklist a provider that lost ${DISPUTE_RULE.losses} disputes within ${DISPUTE_RULE.days} days`,
    options: ['for', 'against', 'abstain'],
    counting: 'single',
    weightMode: 'equal',
    quorum: RULE_QUORUM_BP,
    threshold: 5_000,
    window: { opens, closes },
    minWeight: '1',
    actions: [{ type: 'rule.install', rule: DISPUTE_RULE }],
  });
  const founders = new Set(state.cast.founders);
  const voters = state.cast.honest.filter((agent) => founders.has(agent.key.id));
  await castVotes(
    state,
    prover,
    proposal,
    { voters, choice: () => 'for', castAt: opens + CAST_AFTER_OPEN_SECONDS },
    { onProgress: (_, done, total) => onProgress('votes (rule)', done, total) },
  );
  await anchorDecision(state, proposal.id, closes + 600, voters[0] as Actor);
  return { proposal, voters: voters.length, closes };
}

/** One dispute of the run, as the summary shows it. */
export interface DisputeOutcome {
  readonly id: string;
  /** What it stands for in the run: a garbage purchase (`garbage`) or an honest provider wrongly accused. */
  readonly kind: 'garbage' | 'wrongful';
  readonly claimant: string;
  readonly provider: string;
  readonly answered: boolean;
  readonly status: string;
  readonly winner?: 'claimant' | 'respondent';
  readonly byDefault: boolean;
  /** Jurors drawn in each round: one entry per round, the appeal's 2n+1 after the first. */
  readonly panels: readonly number[];
  readonly appealed: boolean;
  /** Final round: jurors drawn, sealed votes, reveals upholding and rejecting the claim, attested votes. */
  readonly panel: number;
  readonly votes: number;
  readonly upheld: number;
  readonly rejected: number;
  readonly attended: number;
  /** Bonds as the settlement asks: released to their stakers, and sats paid out of settled ones to winner and jurors. */
  readonly bondsReleased: number;
  readonly bondSatToWinner: string;
  readonly bondSatToJurors: string;
  /** Sats the absent jurors' custodian is asked to take. */
  readonly absentPenaltySat: string;
  /** What the custodian did: shares owed by its settlements, shares paid over Lightning and their sats. */
  readonly sharesOwed: number;
  readonly sharesPaid: number;
  readonly satPaid: string;
  readonly decidedAt?: number;
}

/** What the dispute phase did, and what the standing rule made of it. */
export interface DisputePhase {
  readonly rule: { readonly proposal: string; readonly losses: number; readonly days: number };
  readonly disputes: readonly DisputeOutcome[];
  /** Providers the rule blacklists once the disputes are final (names), and when (unix seconds). */
  readonly blacklistedByRule: readonly string[];
  readonly firedAt: number;
}

/** A regtest block header for the seed height, its content from the run's seed, mined to regtest's target. */
function seedHeader(seed: string, height: number, time: number): string {
  const content = seededBytes(seed, `seed-block/${height}`);
  return regtestHeader(reverseHex(toHex(content.subarray(0, 32))), toHex(content.subarray(32, 64)), time);
}

/** One dispute to open: who claims, against which receipt of which provider, and why. */
interface Claim {
  readonly kind: DisputeOutcome['kind'];
  readonly buyer: Actor;
  readonly provider: ProviderActor;
  readonly receipt: string;
}

/** The one-time payout keys the run's jurors revealed with, by key id: their juror signs the share claim. */
type PayoutKeys = Map<string, { key: AgentKey; juror: Actor }>;

/**
 * The dispute phase, after the stakes are locked: buyers who got garbage from the malicious provider open disputes
 * (one each, up to the rule's count) with a bond, against an electorate of the agents' stakes, and an honest buyer
 * wrongly accuses an honest provider. The malicious provider answers the first with a counter-bond, and a panel of
 * five drawn from a seed block upholds the claim (honest jurors uphold, the provider's sybils reject; each voter
 * attests in its own name); it lets the second lapse, lost by default. The honest provider answers the wrongful claim
 * and its panel rejects it (the sybils uphold it, to hurt a competitor); the claimant appeals against twice the bond,
 * and a panel of eleven new jurors rejects it again: the provider wins. Once every dispute is final the custodian settles
 * the bonds as the ledger says (losers' bonds settled and paid out share by share to the winners' and majority
 * jurors' signed invoices, winners' bonds released), and the governed state is read with the disputes' outcomes:
 * the standing rule fires.
 */
export async function runDisputes(
  state: SimulationState,
  prover: PanelProver,
  stakes: StakeState,
  rule: RuleAdoption,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<DisputePhase> {
  const { ledger, clock, cast, randomBytes } = state;
  const provider = cast.malicious[0] as ProviderActor;
  const claims: Claim[] = [];
  for (const { buyer, provider: seller, receipt } of state.market.garbageReceipts)
    if (seller === provider && !claims.some((c) => c.buyer === buyer) && claims.length < DISPUTE_RULE.losses)
      claims.push({ kind: 'garbage', buyer, provider, receipt });
  const wrongful = state.market.goodReceipts[0];
  if (wrongful !== undefined) claims.push({ kind: 'wrongful', ...wrongful });
  const opened = unixSeconds(clock);
  const answerBy = opened + ANSWER_SECONDS;
  const horizon = disputeHorizon(answerBy);
  const bond = async (actor: Actor, amountSat: number) =>
    (
      await lockStake({
        key: actor.key,
        backend: actor.node,
        custodian: stakes.custodian,
        amountSat,
        until: horizon,
        mode: 'custodial',
        sequence: await nextStakeSequence(ledger, actor.key.id),
        clock,
        randomBytes,
      })
    ).lock;
  // The electorate: every stake locked before the disputes, as any agent reads it now.
  const { ids, declared } = await draftElectorate(ledger, { mode: 'stake', asOf: opened - 1 });
  const payoutKeys: PayoutKeys = new Map();
  const opening: { id: string; claim: Claim }[] = [];
  for (const [i, claim] of claims.entries()) {
    const lock = await bond(claim.buyer, BOND_SAT);
    const sources = createSnapshotSources(claim.buyer.key, ids, { clock });
    await ledger.appendBatch(sources);
    const what =
      claim.kind === 'garbage' ? 'got garbage' : 'says it got garbage (it did not: the service was sound)';
    const open = createDisputeOpened(
      claim.buyer.key,
      {
        receipt: claim.receipt,
        claim: `paid ${claim.provider.name} for ${claim.provider.service} and ${what}`,
        bond: idOf(lock),
        answerBy,
        seedHeight: 1_000 + i,
        jurors: { ...declared, sources: sources.map(idOf) },
      },
      { clock },
    );
    const { id } = await ledger.append(open);
    opening.push({ id, claim });
  }
  // The custodian anchors the openings ten minutes on: their respondents' answer period is then measured from a
  // block's time, not the claimants' word, and an unanswered one can be lost by default.
  for (const { id } of opening) await anchorDisputeEvent(state, id, opened + 600, cast.custodian);
  const appealing: { id: string; at: number; appellant: Actor; choose: (juror: Actor) => JurorChoice }[] = [];
  for (const [i, { id, claim }] of opening.entries()) {
    // The malicious provider answers the first dispute if its earnings cover the counter-bond, and lets the others
    // lapse; an honest provider answers a wrongful claim.
    const answers = claim.kind === 'wrongful' || i === 0;
    const counterBond = answers ? await bond(claim.provider, BOND_SAT).catch(unaffordable) : undefined;
    if (counterBond === undefined) continue;
    const answer = await ledger.append(
      createDisputeAnswered(
        claim.provider.key,
        { dispute: id, evidence: 'served the data as paid for', bond: idOf(counterBond) },
        { clock },
      ),
    );
    // Its answer is anchored too, before the deadline: the opening's anchor put the dispute on Bitcoin's clock.
    await anchorDisputeEvent(state, answer.id, opened + 1_200, claim.provider);
    // Honest jurors see through both: they uphold a garbage claim and reject a wrongful one; sybils side against it.
    const choose = (juror: Actor): JurorChoice =>
      cast.isSybil.has(juror) === (claim.kind === 'garbage') ? 'rejected' : 'upheld';
    await seatPanel(
      state,
      prover,
      { dispute: id, round: 0, appeal: null, seedHeight: 1_000 + i, answerBy },
      choose,
      payoutKeys,
      onProgress,
    );
    if (claim.kind === 'wrongful') appealing.push({ id, at: i, appellant: claim.buyer, choose });
  }
  // The wrongful claimant lost the first round and insists: once reveals closed it appeals against the larger bond,
  // and 2n+1 new jurors decide again.
  clock.set((roundTimes(answerBy, 0).revealsClose + 10) * 1000);
  for (const { id, at: i, appellant, choose } of appealing) {
    const appealLock = await bond(appellant, Number(appealBond(BigInt(BOND_SAT), 1))).catch(unaffordable);
    if (appealLock === undefined) continue;
    const appeal = await ledger.append(
      createDisputeAppealed(
        appellant.key,
        { dispute: id, round: 1, bond: idOf(appealLock), seedHeight: 2_000 + i },
        { clock },
      ),
    );
    await witnessAt(state, unixSeconds(clock) + 60, cast.custodian);
    await seatPanel(
      state,
      prover,
      { dispute: id, round: 1, appeal: appeal.id, seedHeight: 2_000 + i, answerBy },
      choose,
      payoutKeys,
      onProgress,
    );
  }
  // Every dispute is final when its last round's appeal period ended (or its answer deadline passed), and the grace
  // in which an appeal published by then may still be shown by a witness.
  const final = roundTimes(answerBy, 1).appealsClose + HEADER_TIME_TOLERANCE;
  clock.set(final * 1000);
  const outcomes: DisputeOutcome[] = [];
  const reading = {
    anchors: await disputeAnchors(ledger, final),
    publication: await publicationTimes(ledger, final),
  };
  for (const { id, claim } of opening) {
    // The simulated custodian signs one lock per payment: a refused bond here is a bug, not an outcome.
    const { refused } = await settleDisputeBonds(stakes.custodian, ledger, id, final, reading);
    if (refused[0] !== undefined) throw refused[0].error;
    const view = await readDispute(ledger, id, final, reading);
    const paid = await payShares(state, stakes, view, payoutKeys, reading);
    outcomes.push(await outcomeOf(state, view, claim, paid, reading));
  }
  state.governed = await governedState(ledger, final);
  const blacklisted = new Set(state.governed.blacklistedByRule());
  return {
    rule: { proposal: rule.proposal.id, losses: DISPUTE_RULE.losses, days: DISPUTE_RULE.days },
    disputes: outcomes,
    blacklistedByRule: cast.providers.filter((p) => blacklisted.has(p.key.id)).map((p) => p.name),
    firedAt: final,
  };
}

/**
 * Each payee of a final dispute's settlements claims its share: an agent or provider with its own key, a juror with
 * the one-time payout key it revealed with (an invoice of its node, signed by that key); the custodian pays each
 * claim over Lightning. A share whose payment finds no route stays owed (counted, not paid).
 */
async function payShares(
  state: SimulationState,
  stakes: StakeState,
  view: DisputeView,
  payoutKeys: PayoutKeys,
  reading: ReadDisputeOptions,
): Promise<{ owed: number; paid: number; sat: bigint }> {
  const actors = new Map([...state.cast.agents, ...state.cast.providers].map((a) => [a.key.id, a] as const));
  let owed = 0;
  for (const progress of await bondProgress(state.ledger, view, reading)) {
    if (progress.status !== 'done') continue;
    const ending = (await readStake(state.ledger, progress.instruction.lock))?.ending;
    for (const share of progress.shares) {
      owed++;
      if (share.paid || ending === undefined) continue;
      const payout = payoutKeys.get(share.to);
      const actor = payout?.juror ?? actors.get(share.to);
      if (actor === undefined) continue;
      const invoice = await actor.node.createInvoice({ amountMsat: Number(share.sat) * 1000 });
      const claim = createShareClaim(
        payout?.key ?? actor.key,
        { settlement: ending.id, paymentRequest: invoice.paymentRequest },
        { clock: state.clock },
      );
      await stakes.custodian.payShare(claim).catch(unaffordable);
    }
  }
  let paid = 0;
  let sat = 0n;
  for (const progress of await bondProgress(state.ledger, view, reading))
    for (const share of progress.shares)
      if (share.paid) {
        paid++;
        sat += share.sat;
      }
  return { owed, paid, sat };
}

/** The summary's view of one final dispute. */
async function outcomeOf(
  state: SimulationState,
  view: DisputeView,
  claim: Claim,
  paid: { owed: number; paid: number; sat: bigint },
  reading: ReadDisputeOptions,
): Promise<DisputeOutcome> {
  const instructions = settlement(view) ?? [];
  const sum = (to: (p: { to: string }) => boolean) =>
    instructions
      .flatMap((instruction) => instruction.payouts)
      .filter(to)
      .reduce((total, p) => total + p.sat, 0n)
      .toString();
  const winner = view.winner === 'claimant' ? view.claimant : view.respondent;
  const round = view.rounds[view.rounds.length - 1] as DisputeRound | undefined;
  const penalties = (await absentPenalties(state.ledger, view, reading)) ?? [];
  return {
    id: view.id,
    kind: claim.kind,
    claimant: claim.buyer.name,
    provider: claim.provider.name,
    answered: view.answer !== undefined,
    status: view.status,
    ...(view.winner === undefined ? {} : { winner: view.winner }),
    byDefault: view.byDefault === true,
    panels: view.rounds.map((r) => r.panel?.length ?? 0),
    appealed: view.appeals.length > 0,
    panel: round?.panel?.length ?? 0,
    votes: round?.votes ?? 0,
    upheld: round?.upheld ?? 0,
    rejected: round?.rejected ?? 0,
    attended: round?.attended.length ?? 0,
    bondsReleased: instructions.filter((x) => x.action === 'release').length,
    bondSatToWinner: sum((p) => p.to === winner),
    bondSatToJurors: sum((p) => p.to !== winner),
    absentPenaltySat: penalties
      .reduce((total, p) => total + p.amountSat - (p.payouts.find((x) => x.to === p.staker)?.sat ?? 0n), 0n)
      .toString(),
    sharesOwed: paid.owed,
    sharesPaid: paid.paid,
    satPaid: paid.sat.toString(),
    ...(view.decidedAt === undefined ? {} : { decidedAt: view.decidedAt }),
  };
}

/** Where a round is seated: its dispute, number, the appeal that opened it (null for the first) and seed height. */
interface RoundToSeat {
  readonly dispute: string;
  readonly round: number;
  readonly appeal: string | null;
  readonly seedHeight: number;
  readonly answerBy: number;
}

/**
 * One round's course: anyone posts the draw from the seed block, the jurors seal their votes (`choose`), reveal them
 * after voting closed and attest in their own name that they voted. Each juror's one-time payout key is kept in
 * `payoutKeys`, so that it can claim its share later.
 */
async function seatPanel(
  state: SimulationState,
  prover: PanelProver,
  seat: RoundToSeat,
  choose: (juror: Actor) => JurorChoice,
  payoutKeys: PayoutKeys,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<void> {
  const { ledger, cast, scenario } = state;
  const { dispute, round: number, answerBy } = seat;
  const times = roundTimes(answerBy, number);
  const at = (seconds: number) => new ManualClock(seconds * 1000);
  const header = seedHeader(scenario.seed, seat.seedHeight, times.votesOpen);
  const panel = await drawFor(ledger, dispute, number, header);
  // Anyone records the draw: here its first juror, not the custodian, the run's one witness in action (a witness's
  // own events count only once another witness lists them).
  const recorder = cast.agents.find((a) => a.key.id === panel[0]) as Actor;
  await ledger.append(
    createDisputeDrawn(
      recorder.key,
      { dispute, round: number, appeal: seat.appeal, header, panel },
      { clock: at(times.votesOpen + 1) },
    ),
  );
  const view = await readDispute(ledger, dispute, times.votesOpen);
  const round = view.rounds[number] as DisputeRound;
  const tree = await panelTree(view, number);
  const votes: LedgerEvent[] = [];
  const after: LedgerEvent[] = [];
  for (const [place, agent] of panel.entries()) {
    const juror = cast.agents.find((a) => a.key.id === agent) as Actor;
    const payoutKey = agentKeyFromSecret(
      seededBytes(scenario.seed, `juror-payout/${dispute}/${number}/${place}`).slice(0, 32),
    );
    payoutKeys.set(payoutKey.id, { key: payoutKey, juror });
    const sealed = await castJurorVote(prover, {
      dispute,
      round: number,
      panelRoot: round.panelRoot as bigint,
      path: tree.path(place),
      secret: (await zkIdentity(juror.key)).secret,
      choice: choose(juror),
      payoutKey,
      clock: at(times.votesOpen + 10 + place),
    });
    votes.push(sealed.event);
    after.push(
      revealJurorVote(sealed, { clock: at(times.votesClose + 5) }),
      createDisputeAttended(
        juror.key,
        { dispute, round: number },
        { clock: at(times.votesClose + 60 + place) },
      ),
    );
    onProgress(`juror votes (round ${number})`, place + 1, panel.length);
  }
  await ledger.appendBatch(votes);
  // The run's witness shows the votes by the close, and the reveals by the end of the reveal period: only what is
  // published within a window (and Bitcoin's 2-hour grace) counts.
  await witnessAt(state, times.votesClose, cast.custodian);
  await ledger.appendBatch(after);
  await witnessAt(state, times.votesClose + 120 + panel.length, cast.custodian);
}

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

/**
 * A bond its staker's node cannot pay for is not put up, and a share whose payment finds no route stays owed; any other
 * failure is a defect of the run.
 */
function unaffordable(error: unknown): undefined {
  if (
    isAgoraError(error) &&
    (error.code === ErrorCode.InsufficientBalance || error.code === ErrorCode.NoRoute)
  )
    return undefined;
  throw error;
}
