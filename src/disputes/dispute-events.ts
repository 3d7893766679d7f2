import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isDecimal,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  taggedHash,
  toHex,
  utf8,
} from '../core/index.js';
import {
  batchedProofChecks,
  CHECKPOINT_FIELDS,
  type CheckpointDeclaration,
  checkCheckpointParts,
  isCheckpointDeclaration,
  type VerifierSource,
} from '../governance/index.js';
import { type AgentKey, BN254_SCALAR_FIELD, objectId } from '../identity/index.js';
import {
  type EventTypeDefinition,
  type LedgerEvent,
  signEvent,
  type VerifyContext,
} from '../ledger/index.js';
import type { ReceiptBody } from '../receipts/index.js';
import { storedStatement } from '../stake/index.js';
import { ballotField, panelSignalsOf, toField, Verifier, type VoteProof } from '../zk/index.js';
import { DISPUTE_TERMS, disputeHorizon, panelSize, roundTimes } from './terms.js';

/** How jurors are weighted: by reputation score or by locked sats. */
export type JurorWeighting = 'reputation' | 'stake';

/**
 * The juror electorate a dispute fixes when it opens, as a proposal fixes its voters: the snapshot computed at `asOf`
 * from exactly the events its `snapshot.sources` parts list (a checkpoint), with its root, total and member count.
 * Every replica rebuilds it from those events (see `readDispute`).
 */
export interface JurorElectorate extends CheckpointDeclaration {
  readonly mode: JurorWeighting;
  /** Least weight to be eligible, decimal. */
  readonly minWeight: string;
}

/** Body of `dispute.opened`, signed by the claimant (the receipt's payer or its provider). */
export interface DisputeOpenedBody {
  /** The disputed receipt's event id. */
  readonly receipt: string;
  /** What the claimant says went wrong. */
  readonly claim: string;
  /** The claimant's bond: a custodial `stake.locked` of its own, locked until the dispute can no longer change. */
  readonly bond: string;
  /** Unix seconds by which the other party must answer, or lose by default. */
  readonly answerBy: number;
  /** Height of the Bitcoin block whose hash seeds the first draw: one not mined yet when the dispute opens. */
  readonly seedHeight: number;
  readonly jurors: JurorElectorate;
}

/** Body of `dispute.answered`, signed by the respondent. */
export interface DisputeAnsweredBody {
  readonly dispute: string;
  readonly evidence: string;
  /** The counter-bond: a custodial `stake.locked` of the respondent, at least the claimant's bond. */
  readonly bond: string;
}

/** Body of `dispute.appealed`, signed by the party that lost round `round - 1`. */
export interface DisputeAppealedBody {
  readonly dispute: string;
  /** The round the appeal opens, 1 or more. */
  readonly round: number;
  /**
   * At least the opening bond times `appealBondFactor` to the power `round` (checked on ingest); counted only when at
   * least `appealBondFactor` times the largest bond put up so far, the answer's included (`readDispute`).
   */
  readonly bond: string;
  readonly seedHeight: number;
}

/** Body of `dispute.drawn`, signed by anyone: the seed block's header and the panel it draws. */
export interface DisputeDrawnBody {
  readonly dispute: string;
  readonly round: number;
  /** For rounds after the first, the `dispute.appealed` that opened it (its seed height is the round's). */
  readonly appeal: string | null;
  /** The 80-byte header (hex) of the block at the round's seed height. */
  readonly header: string;
  /** The jurors drawn, in draw order: checked by every replica against its own draw. */
  readonly panel: readonly string[];
}

/** A juror's choice: `upheld` (the claim holds, the claimant wins) or `rejected`. */
export type JurorChoice = 'upheld' | 'rejected';
/** The choices a juror may seal, in the order their ballot fields number them. */
export const JUROR_CHOICES: readonly JurorChoice[] = ['upheld', 'rejected'];

/**
 * Body of `dispute.vote`: anonymous, proved with the panel circuit. The proof shows membership in the round's panel
 * tree (`panelRoot`, 64 seats), binds the sealed ballot (`commitment`) and gives a nullifier per dispute and round. The choice
 * stays sealed until a `dispute.revealed` opens it after voting closed.
 */
export interface DisputeVoteBody {
  readonly dispute: string;
  readonly round: number;
  readonly panelRoot: string;
  readonly commitment: string;
  readonly nullifier: string;
}

/** Body of `dispute.revealed`, signed by the one-time payout key sealed in the vote's commitment. */
export interface DisputeRevealedBody {
  readonly vote: string;
  readonly choice: JurorChoice;
  /** 32 bytes of hex, drawn by the juror. */
  readonly salt: string;
}

/**
 * The block rule: checks that `header` is the block at `height` and returns its hash. The anchoring layer's
 * `blockAtHeight(network)` is one (headers on the chain verified from the checkpoint).
 */
export type SeedBlockRule = (header: string, height: number, context: VerifyContext) => Promise<string>;

const MAX_TEXT = 2_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function invalid(type: string, message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `${type}: ${message}`);
}

function missing(type: string, message: string): never {
  throw new AgoraError(ErrorCode.MissingReference, `${type}: ${message}`);
}

const idOf = (event: LedgerEvent) => toHex(objectId(event as never));
const isHeight = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

function checkText(type: string, value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT || CONTROL.test(value))
    invalid(type, `${field} is 1 to ${MAX_TEXT} printable characters`);
}

/** The event `id` refers to, of type `expected`: waits while it is not stored, refused when it is something else. */
async function referenced(type: string, context: VerifyContext, id: unknown, expected: string) {
  if (!isLowerHex(id, 32)) invalid(type, `a ${expected} is named by its event id`);
  const event = await context.get(id);
  if (event === undefined) missing(type, `no ${expected} ${id} yet`);
  if (event.type !== expected) invalid(type, `${id} is not a ${expected}`);
  return event;
}

/** The parties of a dispute over `receipt`: its provider and its payer. */
export function receiptParties(receipt: LedgerEvent): { provider: string; payer: string | null } {
  return { provider: receipt.author as string, payer: (receipt.body as unknown as ReceiptBody).payer };
}

/** The claimant and respondent of an opening, given its receipt. */
export function disputeParties(opened: LedgerEvent, receipt: LedgerEvent) {
  const { provider, payer } = receiptParties(receipt);
  const claimant = opened.author as string;
  return { claimant, respondent: claimant === provider ? (payer as string) : provider };
}

/**
 * Checks a bond: a stored `stake.locked` (else it waits), custodial (its custodian can settle it to the winners),
 * locked by `staker` before `at`, of at least `minSat`, promised locked until `until`. Returns its amount.
 */
async function checkBond(
  type: string,
  context: VerifyContext,
  bond: unknown,
  staker: string,
  at: number,
  minSat: bigint,
  until: number,
): Promise<bigint> {
  const lock = await referenced(type, context, bond, 'stake.locked');
  const statement = storedStatement(lock);
  if (statement.staker !== staker) invalid(type, 'the bond is not locked by the author');
  if (statement.body.mode !== 'custodial')
    invalid(type, 'a bond is custodial: its custodian must be able to settle it');
  if (lock.created > at) invalid(type, 'the bond is locked after the event');
  if (BigInt(statement.body.amountSat) < minSat) invalid(type, `the bond is below ${minSat} sats`);
  if (statement.body.until < until) invalid(type, `the bond must stay locked until ${until}`);
  return BigInt(statement.body.amountSat);
}

/** The amount of a bond the ledger verified already. */
export function bondAmount(lock: LedgerEvent): bigint {
  return BigInt(storedStatement(lock).body.amountSat);
}

function checkElectorate(type: string, jurors: unknown, created: number): asserts jurors is JurorElectorate {
  if (
    !isJsonObject(jurors) ||
    !hasExactKeys(jurors, ['mode', 'minWeight', ...CHECKPOINT_FIELDS]) ||
    (jurors.mode !== 'reputation' && jurors.mode !== 'stake') ||
    !isDecimal(jurors.minWeight) ||
    BigInt(jurors.minWeight) < 1n ||
    !isCheckpointDeclaration(jurors)
  )
    invalid(
      type,
      'jurors is {mode (reputation|stake), asOf, minWeight, root, total, members, events, sources}',
    );
  // Bounded on both sides: an old moment would let the claimant pick a small electorate of its choosing.
  const asOf = jurors.asOf as number;
  if (asOf > created || asOf < created - DISPUTE_TERMS.maxElectorateAge)
    invalid(type, `the electorate is fixed within ${DISPUTE_TERMS.maxElectorateAge} s before the opening`);
}

/**
 * `dispute.opened`: signed by a party of a stored receipt (its provider or its payer; a receipt that is not stored yet
 * makes it wait, `MISSING_REFERENCE`), with a claim, a bond of at least `minBondSat`, an answer deadline within the
 * allowed period, a seed height and a juror electorate whose checkpoint parts are stored.
 */
export const disputeOpenedType: EventTypeDefinition = {
  type: 'dispute.opened',
  auth: 'signature',
  async verify(event, context) {
    const type = event.type;
    const body = event.body;
    if (
      !isJsonObject(body) ||
      !hasExactKeys(body, ['receipt', 'claim', 'bond', 'answerBy', 'seedHeight', 'jurors'])
    )
      invalid(type, 'body is {receipt, claim, bond, answerBy, seedHeight, jurors}');
    checkText(type, body.claim, 'claim');
    if (!isHeight(body.seedHeight)) invalid(type, 'seedHeight is a block height');
    const answerBy = body.answerBy;
    if (
      !Number.isSafeInteger(answerBy) ||
      (answerBy as number) < event.created + DISPUTE_TERMS.minAnswerPeriod ||
      (answerBy as number) > event.created + DISPUTE_TERMS.maxAnswerPeriod
    )
      invalid(
        type,
        `answerBy is ${DISPUTE_TERMS.minAnswerPeriod} to ${DISPUTE_TERMS.maxAnswerPeriod} s after the opening`,
      );
    checkElectorate(type, body.jurors, event.created);
    const receipt = await referenced(type, context, body.receipt, 'receipt');
    const { provider, payer } = receiptParties(receipt);
    if (payer === null) invalid(type, 'the receipt names no payer: there is nobody to dispute with');
    if (event.author !== provider && event.author !== payer)
      invalid(type, "only the receipt's payer or provider can dispute it");
    if (provider === payer) invalid(type, 'the receipt names its provider as payer');
    await checkBond(
      type,
      context,
      body.bond,
      event.author as string,
      event.created,
      BigInt(DISPUTE_TERMS.minBondSat),
      disputeHorizon(answerBy as number),
    );
    await checkCheckpointParts(type, body.jurors, context);
  },
  indexes(event) {
    const body = event.body as unknown as DisputeOpenedBody;
    return [
      ['dispute', idOf(event)],
      ['dispute-receipt', body.receipt],
      ['dispute-bond', body.bond],
    ];
  },
};

/** The stored opening a later dispute event names, with its receipt and parties. */
async function openingOf(type: string, context: VerifyContext, id: unknown) {
  const opened = await referenced(type, context, id, 'dispute.opened');
  const body = opened.body as unknown as DisputeOpenedBody;
  const receipt = await context.get(body.receipt);
  // Stored before the opening by the ingest rule.
  if (receipt === undefined) missing(type, `no receipt ${body.receipt} yet`);
  const bond = await context.get(body.bond);
  if (bond === undefined) missing(type, `no stake.locked ${body.bond} yet`);
  return { opened, body, parties: disputeParties(opened, receipt), bond: bondAmount(bond) };
}

/** `dispute.answered`: by the respondent, before `answerBy`, with evidence and a counter-bond at least the claimant's. */
export const disputeAnsweredType: EventTypeDefinition = {
  type: 'dispute.answered',
  auth: 'signature',
  async verify(event, context) {
    const type = event.type;
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['dispute', 'evidence', 'bond']))
      invalid(type, 'body is {dispute, evidence, bond}');
    checkText(type, body.evidence, 'evidence');
    const opening = await openingOf(type, context, body.dispute);
    if (event.author !== opening.parties.respondent) invalid(type, 'only the respondent answers a dispute');
    if (event.created >= opening.body.answerBy)
      invalid(type, `answered after the deadline ${opening.body.answerBy}`);
    await checkBond(
      type,
      context,
      body.bond,
      event.author as string,
      event.created,
      opening.bond,
      disputeHorizon(opening.body.answerBy),
    );
  },
  indexes(event) {
    const body = event.body as unknown as DisputeAnsweredBody;
    return [
      ['dispute', body.dispute],
      ['dispute-bond', body.bond],
    ];
  },
};

/** The least bond of an appeal opening `round`, given the opening bond. */
export function appealBond(openingBond: bigint, round: number): bigint {
  return openingBond * BigInt(DISPUTE_TERMS.appealBondFactor) ** BigInt(round);
}

/**
 * `dispute.appealed`: by a party, for round 1 up to `maxRounds - 1`, during the appeal period of the round before,
 * with a bond of at least the opening bond times `appealBondFactor^round`. Whether the appellant lost that round is
 * read from the ledger (`readDispute`): an appeal by the winner is stored and never counted.
 */
export const disputeAppealedType: EventTypeDefinition = {
  type: 'dispute.appealed',
  auth: 'signature',
  async verify(event, context) {
    const type = event.type;
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['dispute', 'round', 'bond', 'seedHeight']))
      invalid(type, 'body is {dispute, round, bond, seedHeight}');
    const round = body.round;
    if (!Number.isSafeInteger(round) || (round as number) < 1 || (round as number) >= DISPUTE_TERMS.maxRounds)
      invalid(type, `round is 1 to ${DISPUTE_TERMS.maxRounds - 1}`);
    if (!isHeight(body.seedHeight)) invalid(type, 'seedHeight is a block height');
    const opening = await openingOf(type, context, body.dispute);
    const { claimant, respondent } = opening.parties;
    if (event.author !== claimant && event.author !== respondent) invalid(type, 'only a party appeals');
    const before = roundTimes(opening.body.answerBy, (round as number) - 1);
    if (event.created < before.revealsClose || event.created >= before.appealsClose)
      invalid(
        type,
        `an appeal of round ${(round as number) - 1} is made between ${before.revealsClose} and ${before.appealsClose}`,
      );
    await checkBond(
      type,
      context,
      body.bond,
      event.author as string,
      event.created,
      appealBond(opening.bond, round as number),
      disputeHorizon(opening.body.answerBy),
    );
  },
  indexes(event) {
    const body = event.body as unknown as DisputeAppealedBody;
    return [
      ['dispute', body.dispute],
      ['dispute-bond', body.bond],
    ];
  },
};

/**
 * `dispute.drawn`, checked with `blockRule`: the header is the block at the round's seed height (the opening's, or
 * the appeal's for later rounds) and the panel lists `panelSize(round)` distinct agents. Whether the panel is the one
 * that block draws is decided by every replica on read (`readDispute`): a draw that is not is refused there.
 */
export function disputeDrawnType(blockRule: SeedBlockRule): EventTypeDefinition {
  return {
    type: 'dispute.drawn',
    auth: 'signature',
    async verify(event, context) {
      const type = event.type;
      const body = event.body;
      if (!isJsonObject(body) || !hasExactKeys(body, ['dispute', 'round', 'appeal', 'header', 'panel']))
        invalid(type, 'body is {dispute, round, appeal, header, panel}');
      const round = body.round;
      if (
        !Number.isSafeInteger(round) ||
        (round as number) < 0 ||
        (round as number) >= DISPUTE_TERMS.maxRounds
      )
        invalid(type, `round is 0 to ${DISPUTE_TERMS.maxRounds - 1}`);
      const size = panelSize(round as number);
      if (
        !Array.isArray(body.panel) ||
        body.panel.length !== size ||
        !body.panel.every((agent) => isLowerHex(agent, 32)) ||
        new Set(body.panel).size !== size
      )
        invalid(type, `panel lists ${size} distinct agent ids`);
      const opening = await openingOf(type, context, body.dispute);
      let seedHeight = opening.body.seedHeight;
      if (round === 0) {
        if (body.appeal !== null) invalid(type, 'the first round has no appeal');
      } else {
        const appeal = await referenced(type, context, body.appeal, 'dispute.appealed');
        const appealed = appeal.body as unknown as DisputeAppealedBody;
        if (appealed.dispute !== body.dispute || appealed.round !== round)
          invalid(type, `the appeal does not open round ${round} of this dispute`);
        seedHeight = appealed.seedHeight;
      }
      if (!isLowerHex(body.header, 80)) invalid(type, 'header is an 80-byte block header');
      await blockRule(body.header, seedHeight, context);
    },
    indexes(event) {
      return [['dispute', (event.body as unknown as DisputeDrawnBody).dispute]];
    },
  };
}

/** The scope of a round's juror proofs: one nullifier per juror, dispute and round. */
export function roundScope(disputeId: string, round: number): bigint {
  return toField('dispute-round', utf8(`${disputeId}:${round}`));
}

/** The sealed ballot: a tagged hash of the dispute, round, choice, salt and the payout key that will reveal it. */
export function sealBallot(
  disputeId: string,
  round: number,
  choice: JurorChoice,
  salt: string,
  payoutKey: string,
): string {
  return toHex(
    taggedHash('agora402/jury-ballot', utf8(`${disputeId}:${round}:${choice}:${salt}:${payoutKey}`)),
  );
}

/**
 * The statement a juror's panel proof makes: the panel root, the round's scope (so its nullifier and the proof
 * itself hold for this dispute and round only) and the sealed ballot.
 */
export function jurorStatement(
  body: Pick<DisputeVoteBody, 'dispute' | 'round' | 'panelRoot' | 'commitment'>,
) {
  return {
    root: BigInt(body.panelRoot),
    scope: roundScope(body.dispute, body.round),
    vote: ballotField(body.dispute, `${body.round}:${body.commitment}`),
  };
}

function checkVoteBody(type: string, body: unknown): asserts body is DisputeVoteBody {
  if (
    !isJsonObject(body) ||
    !hasExactKeys(body, ['dispute', 'round', 'panelRoot', 'commitment', 'nullifier']) ||
    !isLowerHex(body.dispute, 32) ||
    !Number.isSafeInteger(body.round) ||
    (body.round as number) < 0 ||
    (body.round as number) >= DISPUTE_TERMS.maxRounds ||
    !isDecimal(body.panelRoot) ||
    BigInt(body.panelRoot) >= BN254_SCALAR_FIELD ||
    !isLowerHex(body.commitment, 32) ||
    !isDecimal(body.nullifier) ||
    BigInt(body.nullifier) >= BN254_SCALAR_FIELD
  )
    invalid(type, 'body is {dispute, round, panelRoot, commitment, nullifier}');
}

/**
 * `dispute.vote`, checked with `verifier`, a panel circuit verifier (default: the committed panel artifacts, loaded on
 * the first vote): the dispute is
 * stored, the vote falls in its round's voting window, and the proof holds for the declared panel root, the round's
 * scope, the sealed ballot and weight 1. Whether the panel root is the round's real panel is decided on read. A second
 * vote with the same nullifier is stored too (as evidence); only the lowest id counts.
 */
export function disputeVoteType(verifier?: VerifierSource): EventTypeDefinition {
  const proofOf = async (event: LedgerEvent, context: VerifyContext): Promise<VoteProof> => {
    const body = event.body;
    checkVoteBody(event.type, body);
    const opening = await openingOf(event.type, context, body.dispute);
    const times = roundTimes(opening.body.answerBy, body.round);
    if (event.created < times.votesOpen || event.created >= times.votesClose)
      invalid(event.type, `round ${body.round} takes votes from ${times.votesOpen} to ${times.votesClose}`);
    return {
      proof: event.proof as unknown as VoteProof['proof'],
      publicSignals: panelSignalsOf(jurorStatement(body), BigInt(body.nullifier)),
    };
  };
  return {
    type: 'dispute.vote',
    auth: 'proof',
    ...batchedProofChecks('dispute.vote', proofOf, verifier ?? (() => Verifier.loadPanel())),
    indexes(event) {
      const body = event.body as unknown as DisputeVoteBody;
      return [['dispute', body.dispute]];
    },
  };
}

/**
 * `dispute.revealed`: by the payout key sealed in a stored vote, during the round's reveal window (after voting
 * closed: no reveal counts before, so no juror sees a running tally), opening the vote's commitment.
 */
export const disputeRevealedType: EventTypeDefinition = {
  type: 'dispute.revealed',
  auth: 'signature',
  async verify(event, context) {
    const type = event.type;
    const body = event.body;
    if (
      !isJsonObject(body) ||
      !hasExactKeys(body, ['vote', 'choice', 'salt']) ||
      !JUROR_CHOICES.includes(body.choice as JurorChoice) ||
      !isLowerHex(body.salt, 32)
    )
      invalid(type, 'body is {vote, choice (upheld|rejected), salt (32 bytes of hex)}');
    const vote = await referenced(type, context, body.vote, 'dispute.vote');
    const sealed = vote.body as unknown as DisputeVoteBody;
    const opening = await openingOf(type, context, sealed.dispute);
    const times = roundTimes(opening.body.answerBy, sealed.round);
    if (event.created < times.votesClose || event.created >= times.revealsClose)
      invalid(type, `round ${sealed.round} takes reveals from ${times.votesClose} to ${times.revealsClose}`);
    const opened = sealBallot(
      sealed.dispute,
      sealed.round,
      body.choice as JurorChoice,
      body.salt as string,
      event.author as string,
    );
    if (opened !== sealed.commitment) invalid(type, 'the choice, salt and key do not open the sealed ballot');
  },
  indexes(event) {
    return [['dispute-vote', (event.body as unknown as DisputeRevealedBody).vote]];
  },
};

/**
 * Body of `dispute.attended`, signed by a juror in its own name: it says it voted in round `round`. Votes are
 * anonymous, so without this nobody could tell a juror that voted from one that did not; with it, the jurors that do
 * not attest are the absent ones (see `absentJurors`). It tells who voted, never how.
 */
export interface DisputeAttendedBody {
  readonly dispute: string;
  readonly round: number;
}

/**
 * `dispute.attended`: signed, for a stored dispute and a round it may have, created within the round's voting or
 * revealing window (so it is final when reveals close). Whether its author sits on the round's panel is read from
 * the ledger (`readDispute`): an attestation by anyone else is stored and never counted.
 */
export const disputeAttendedType: EventTypeDefinition = {
  type: 'dispute.attended',
  auth: 'signature',
  async verify(event, context) {
    const type = event.type;
    const body = event.body;
    if (
      !isJsonObject(body) ||
      !hasExactKeys(body, ['dispute', 'round']) ||
      !Number.isSafeInteger(body.round) ||
      (body.round as number) < 0 ||
      (body.round as number) >= DISPUTE_TERMS.maxRounds
    )
      invalid(type, `body is {dispute, round (0 to ${DISPUTE_TERMS.maxRounds - 1})}`);
    const opening = await openingOf(type, context, body.dispute);
    const times = roundTimes(opening.body.answerBy, body.round as number);
    if (event.created < times.votesOpen || event.created >= times.revealsClose)
      invalid(type, `round ${body.round} takes attendance from ${times.votesOpen} to ${times.revealsClose}`);
  },
  indexes(event) {
    return [['dispute', (event.body as unknown as DisputeAttendedBody).dispute]];
  },
};

/**
 * Every dispute event type, the draw checked with `blockRule` and juror proofs with `panelVerifier` (a panel circuit
 * verifier, `Verifier.loadPanel()`; default: the committed panel artifacts).
 */
export function disputeEventTypes(options: {
  blockRule: SeedBlockRule;
  panelVerifier?: VerifierSource;
}): EventTypeDefinition[] {
  return [
    disputeOpenedType,
    disputeAnsweredType,
    disputeAppealedType,
    disputeDrawnType(options.blockRule),
    disputeVoteType(options.panelVerifier),
    disputeRevealedType,
    disputeAttendedType,
  ];
}

/** Signs a `dispute.opened` as the claimant. */
export function createDisputeOpened(key: AgentKey, body: DisputeOpenedBody, options: { clock?: Clock } = {}) {
  return signEvent(key, 'dispute.opened', body as unknown as JsonObject, options);
}

/** Signs a `dispute.answered` as the respondent. */
export function createDisputeAnswered(
  key: AgentKey,
  body: DisputeAnsweredBody,
  options: { clock?: Clock } = {},
) {
  return signEvent(key, 'dispute.answered', body as unknown as JsonObject, options);
}

/** Signs a `dispute.appealed` as the losing party. */
export function createDisputeAppealed(
  key: AgentKey,
  body: DisputeAppealedBody,
  options: { clock?: Clock } = {},
) {
  return signEvent(key, 'dispute.appealed', body as unknown as JsonObject, options);
}

/** Signs a `dispute.drawn` (anyone may). */
export function createDisputeDrawn(key: AgentKey, body: DisputeDrawnBody, options: { clock?: Clock } = {}) {
  return signEvent(key, 'dispute.drawn', body as unknown as JsonObject, options);
}

/** Signs a `dispute.revealed` with the payout key sealed in the vote. */
export function createDisputeRevealed(
  key: AgentKey,
  body: DisputeRevealedBody,
  options: { clock?: Clock } = {},
) {
  return signEvent(key, 'dispute.revealed', body as unknown as JsonObject, options);
}

/** Signs a `dispute.attended` as a juror of the round, in its own name (after voting, at a time apart from the vote). */
export function createDisputeAttended(
  key: AgentKey,
  body: DisputeAttendedBody,
  options: { clock?: Clock } = {},
) {
  return signEvent(key, 'dispute.attended', body as unknown as JsonObject, options);
}
