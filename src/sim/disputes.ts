import { doubleSha256, ErrorCode, isAgoraError, ManualClock, toHex, unixSeconds } from '../core/index.js';
import {
  absentPenalties,
  castJurorVote,
  createDisputeAnswered,
  createDisputeAttended,
  createDisputeDrawn,
  createDisputeOpened,
  DISPUTE_TERMS,
  type DisputeRound,
  disputeHorizon,
  draftElectorate,
  drawFor,
  governedStateWithDisputes,
  panelTree,
  readDispute,
  revealJurorVote,
  roundTimes,
  settlement,
} from '../disputes/index.js';
import { createSnapshotSources } from '../governance/index.js';
import { agentKeyFromSecret, objectId, zkIdentity } from '../identity/index.js';
import type { LedgerEvent } from '../ledger/index.js';
import { lockStake } from '../stake/index.js';
import type { PanelProver, Prover } from '../zk/index.js';
import { seededBytes } from './random.js';
import type { Actor, Proposal, ProviderActor, SimulationState, StakeState } from './state.js';
import { CAST_AFTER_OPEN_SECONDS, castVotes, proposeTerms } from './votes.js';

/** The standing rule the founders adopt before the market opens: two lost disputes within 30 days blacklist. */
export const DISPUTE_RULE = { kind: 'blacklist-dispute-losers', losses: 2, days: 30 } as const;

/** How long the dispute phase may take, in seconds: a dispute's first round, answer time included, fits in it. */
export const DISPUTE_PHASE_SECONDS = 5 * 86_400;

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
 * (`equal` weights), and the founders vote for it with real proofs. It is in force once voting closes.
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
  return { proposal, voters: voters.length, closes };
}

/** One dispute of the run, as the summary shows it. */
export interface DisputeOutcome {
  readonly id: string;
  readonly claimant: string;
  readonly provider: string;
  readonly answered: boolean;
  readonly status: string;
  readonly winner?: 'claimant' | 'respondent';
  readonly byDefault: boolean;
  /** First round: jurors drawn, sealed votes, reveals upholding and rejecting the claim, attested votes. */
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
  const bytes = new Uint8Array(80);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 0x20000000, true);
  bytes.set(seededBytes(seed, `seed-block/${height}`).subarray(0, 64), 4);
  view.setUint32(68, time, true);
  view.setUint32(72, 0x207fffff, true);
  for (let nonce = 0; ; nonce++) {
    view.setUint32(76, nonce, true);
    // Regtest's target is just under 2^255: the hash's last byte (the top, as hashes show reversed) below 0x80.
    if (((doubleSha256(bytes)[31] as number) & 0x80) === 0) return toHex(bytes);
  }
}

/**
 * The dispute phase, after the stakes are locked: buyers who got garbage from the malicious provider open disputes
 * (one each, up to the rule's count) with a bond, against an electorate of the agents' stakes. The provider answers
 * the first with a counter-bond, and a panel of five drawn from a seed block decides it (honest jurors uphold the
 * claim, the provider's sybils reject it; each voter attests in its own name); it lets the others lapse, lost by
 * default. Once they are final the governed state is read with the disputes' outcomes: the standing rule fires.
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
  const claims: { buyer: Actor; receipt: string }[] = [];
  for (const { buyer, provider: seller, receipt } of state.market.garbageReceipts)
    if (seller === provider && !claims.some((c) => c.buyer === buyer) && claims.length < DISPUTE_RULE.losses)
      claims.push({ buyer, receipt });
  const opened = unixSeconds(clock);
  const answerBy = opened + ANSWER_SECONDS;
  const horizon = disputeHorizon(answerBy);
  const bond = async (actor: Actor, sequence: number) =>
    (
      await lockStake({
        key: actor.key,
        backend: actor.node,
        custodian: stakes.custodian,
        amountSat: BOND_SAT,
        until: horizon,
        mode: 'custodial',
        sequence,
        clock,
        randomBytes,
      })
    ).lock;
  // The electorate: every stake locked before the disputes, as any agent reads it now.
  const { ids, declared } = await draftElectorate(ledger, { mode: 'stake', asOf: opened - 1 });
  const disputes: string[] = [];
  const outcomes: DisputeOutcome[] = [];
  for (const [i, { buyer, receipt }] of claims.entries()) {
    const lock = await bond(buyer, 1);
    const sources = createSnapshotSources(buyer.key, ids, { clock });
    await ledger.appendBatch(sources);
    const open = createDisputeOpened(
      buyer.key,
      {
        receipt,
        claim: `paid ${provider.name} for ${provider.service} and got garbage`,
        bond: idOf(lock),
        answerBy,
        seedHeight: 1_000 + i,
        jurors: { ...declared, sources: sources.map(idOf) },
      },
      { clock },
    );
    const { id } = await ledger.append(open);
    disputes.push(id);
    // The provider answers the first dispute if its earnings cover the counter-bond, and lets the others lapse.
    const counterBond = i === 0 ? await bond(provider, 0).catch(unaffordable) : undefined;
    if (counterBond !== undefined) await decideByPanel(state, prover, id, answerBy, counterBond, onProgress);
  }
  // Every dispute is final when its first round's appeal period ended (or its answer deadline passed).
  const final = roundTimes(answerBy, 0).appealsClose;
  clock.set(final * 1000);
  for (const id of disputes) {
    const view = await readDispute(ledger, id, final);
    const instructions = settlement(view) ?? [];
    const sum = (to: (p: { to: string }) => boolean) =>
      instructions
        .flatMap((instruction) => instruction.payouts)
        .filter(to)
        .reduce((total, p) => total + p.sat, 0n)
        .toString();
    const winner = view.winner === 'claimant' ? view.claimant : view.respondent;
    const round = view.rounds[0] as DisputeRound | undefined;
    const penalties = (await absentPenalties(ledger, view)) ?? [];
    outcomes.push({
      id,
      claimant: cast.agents.find((a) => a.key.id === view.claimant)?.name ?? view.claimant,
      provider: provider.name,
      answered: view.answer !== undefined,
      status: view.status,
      ...(view.winner === undefined ? {} : { winner: view.winner }),
      byDefault: view.byDefault === true,
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
      ...(view.decidedAt === undefined ? {} : { decidedAt: view.decidedAt }),
    });
  }
  state.governed = await governedStateWithDisputes(ledger, final);
  const blacklisted = new Set(state.governed.blacklistedByRule());
  return {
    rule: { proposal: rule.proposal.id, losses: DISPUTE_RULE.losses, days: DISPUTE_RULE.days },
    disputes: outcomes,
    blacklistedByRule: cast.providers.filter((p) => blacklisted.has(p.key.id)).map((p) => p.name),
    firedAt: final,
  };
}

/**
 * The first dispute's course: the provider answers with its counter-bond, anyone posts the draw from the seed block,
 * the five jurors seal their votes (honest ones uphold the claim, the provider's sybils reject it), reveal them after
 * voting closed and attest in their own name that they voted.
 */
async function decideByPanel(
  state: SimulationState,
  prover: PanelProver,
  dispute: string,
  answerBy: number,
  counterBond: LedgerEvent,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<void> {
  const { ledger, clock, cast, scenario } = state;
  const provider = cast.malicious[0] as ProviderActor;
  const times = roundTimes(answerBy, 0);
  const at = (seconds: number) => new ManualClock(seconds * 1000);
  await ledger.append(
    createDisputeAnswered(
      provider.key,
      { dispute, evidence: 'served the data as paid for', bond: idOf(counterBond) },
      { clock },
    ),
  );
  const header = seedHeader(scenario.seed, 1_000, answerBy);
  const panel = await drawFor(ledger, dispute, 0, header);
  await ledger.append(
    createDisputeDrawn(
      cast.custodian.key,
      { dispute, round: 0, appeal: null, header, panel },
      { clock: at(answerBy + 1) },
    ),
  );
  const view = await readDispute(ledger, dispute, times.votesOpen);
  const round = view.rounds[0] as DisputeRound;
  const tree = await panelTree(view, 0);
  const votes: LedgerEvent[] = [];
  const after: LedgerEvent[] = [];
  for (const [seat, agent] of panel.entries()) {
    const juror = cast.agents.find((a) => a.key.id === agent) as Actor;
    const sealed = await castJurorVote(prover, {
      dispute,
      round: 0,
      panelRoot: round.panelRoot as bigint,
      path: tree.path(seat),
      secret: (await zkIdentity(juror.key)).secret,
      choice: cast.isSybil.has(juror) ? 'rejected' : 'upheld',
      payoutKey: agentKeyFromSecret(
        seededBytes(scenario.seed, `juror-payout/${dispute}/${seat}`).slice(0, 32),
      ),
      clock: at(times.votesOpen + 10 + seat),
    });
    votes.push(sealed.event);
    after.push(
      revealJurorVote(sealed, { clock: at(times.votesClose + 5) }),
      createDisputeAttended(juror.key, { dispute, round: 0 }, { clock: at(times.votesClose + 60 + seat) }),
    );
    onProgress('juror votes', seat + 1, panel.length);
  }
  await ledger.appendBatch(votes);
  await ledger.appendBatch(after);
}

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));

/** A bond its staker's node cannot pay for is not put up; any other failure is a defect of the run. */
function unaffordable(error: unknown): undefined {
  if (isAgoraError(error) && error.code === ErrorCode.InsufficientBalance) return undefined;
  throw error;
}
