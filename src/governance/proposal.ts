import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isDecimal,
  isJsonObject,
  isLowerHex,
  type JsonObject,
} from '../core/index.js';
import { type AgentKey, BN254_SCALAR_FIELD } from '../identity/index.js';
import { type EventTypeDefinition, type Ledger, type LedgerEvent, signEvent } from '../ledger/index.js';
import { type MembershipPath, TREE_ARITY, TREE_LEVELS } from '../zk/index.js';
import { CHECKPOINT_FIELDS, checkCheckpointParts, isCheckpointDeclaration } from './checkpoint.js';
import type { CountingMethod } from './counting/index.js';
import { isYesNo } from './counting/index.js';
import { isPieceRule, type PieceRule } from './pieces.js';
import { MAX_WEIGHT, type WeightMode } from './snapshot.js';
import {
  checkStandingRule,
  STANDING_RULE_KINDS,
  type StandingRule,
  type StandingRuleKind,
} from './standing-rules.js';

/** Something a proposal does when it passes (algorithmic governance). */
export type ProposalAction =
  | { readonly type: 'blacklist.add' | 'blacklist.remove'; readonly agent: string }
  | { readonly type: 'parameter.set'; readonly name: string; readonly value: string | number | boolean }
  /** Installs a standing rule (replacing one of the same kind), or removes the rule of a kind. */
  | { readonly type: 'rule.install'; readonly rule: StandingRule }
  | { readonly type: 'rule.remove'; readonly kind: StandingRuleKind };

/** A proposer's leaf in its proposal's snapshot: weight (decimal) and Merkle path (decimal field elements). */
export interface ProposerStanding {
  readonly weight: string;
  readonly pathIndices: readonly number[];
  readonly siblings: readonly (readonly string[])[];
}

/** What a network asks of proposers: the least snapshot weight to propose, per weight mode (default 1: a leaf). */
export interface ProposalRules {
  readonly minProposerWeight?: Partial<Record<WeightMode, bigint>>;
}

/** Body of `proposal.created`; the event id is the proposal id. */
export interface ProposalBody {
  readonly title: string;
  readonly description?: string;
  /** Option names; a `single` proposal with `for`/`against`/`abstain` is a yes/no proposal. */
  readonly options: readonly string[];
  readonly counting: CountingMethod;
  readonly weightMode: WeightMode;
  /** Basis points of the snapshot's total weight (see `decide`). */
  readonly quorum: number;
  /** Basis points of the decisive weight the winner must exceed. */
  readonly threshold: number;
  /** Voting window, unix seconds: votes count when `opens <= created < closes`. */
  readonly window: { readonly opens: number; readonly closes: number };
  /**
   * Optional late-quorum extension, seconds: when quorum is first reached less than this long before `closes`, voting
   * goes on until this long after the vote that reached it, so a last-minute majority can be answered.
   */
  readonly lateQuorumExtension?: number;
  /** Least own weight to take part, decimal. */
  readonly minWeight: string;
  /**
   * Least number of snapshot members that could have cast each counted vote, given its revealed weight and the
   * client rule (default 8, capped at the member count): a vote in a smaller anonymity set is not counted.
   */
  readonly minAnonymity?: number;
  /**
   * How weights split into pieces, one proof each (default: binary pieces, top 31, floor 0), and for reputation the
   * snapshot's weight scale. `draftProposal` sets it from the snapshot with `proposalWeightScale` and
   * `proposalPieceRule`; the snapshot check recomputes both.
   */
  readonly pieces?: PieceRule;
  readonly actions: readonly ProposalAction[];
  /**
   * The proposer's own leaf in the snapshot: its weight and path to the root, so any replica checks on ingest that the
   * proposer holds at least the proposer threshold in this very snapshot, whatever the weight mode.
   */
  readonly proposer: ProposerStanding;
  /**
   * The fixed weights: computed at `asOf` (no later than `opens`) from exactly the `events` events listed by the
   * `snapshot.sources` events `sources` names (the checkpoint), their tree root, total and member count.
   */
  readonly snapshot: {
    readonly asOf: number;
    readonly root: string;
    readonly total: string;
    readonly members: number;
    readonly events: number;
    readonly sources: readonly string[];
  };
}

/** Largest anonymity set a proposal may require: the most members a snapshot tree holds. */
const MAX_ANONYMITY = 4 ** 10;
/** Longest late-quorum extension: 30 days. */
const MAX_EXTENSION = 30 * 86_400;
const COUNTING: readonly CountingMethod[] = ['single', 'approval', 'ranked', 'weighted'];
const WEIGHT_MODES: readonly WeightMode[] = ['reputation', 'stake', 'equal', 'quadratic'];
const OPTION = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const PARAMETER = /^[a-z][a-z0-9_.]{0,63}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const FIELDS = new Set([
  'title',
  'description',
  'options',
  'counting',
  'weightMode',
  'quorum',
  'threshold',
  'window',
  'lateQuorumExtension',
  'minWeight',
  'minAnonymity',
  'pieces',
  'actions',
  'proposer',
  'snapshot',
]);

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `proposal.created: ${message}`);
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isBasisPoints = (value: unknown) =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 10_000;

function checkText(value: unknown, field: string, max: number, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || CONTROL.test(value))
    invalid(`${field} must be 1 to ${max} printable characters`);
}

function checkAction(action: unknown): void {
  if (!isJsonObject(action)) invalid('an action is an object');
  if (action.type === 'blacklist.add' || action.type === 'blacklist.remove') {
    if (!hasExactKeys(action, ['type', 'agent']) || !isLowerHex(action.agent, 32))
      invalid(`${action.type} names one agent id`);
    return;
  }
  if (action.type === 'parameter.set') {
    const { name, value } = action;
    const scalar =
      (typeof value === 'string' && value.length <= 256) ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (
      !hasExactKeys(action, ['type', 'name', 'value']) ||
      typeof name !== 'string' ||
      !PARAMETER.test(name) ||
      !scalar
    )
      invalid('parameter.set has a parameter name and a scalar value');
    return;
  }
  if (action.type === 'rule.install') {
    if (!hasExactKeys(action, ['type', 'rule'])) invalid('rule.install has a rule');
    checkStandingRule(action.rule, (message) => invalid(`rule.install: ${message}`));
    return;
  }
  if (action.type === 'rule.remove') {
    if (
      !hasExactKeys(action, ['type', 'kind']) ||
      !STANDING_RULE_KINDS.includes(action.kind as StandingRuleKind)
    )
      invalid(`rule.remove names a rule kind: ${STANDING_RULE_KINDS.join(', ')}`);
    return;
  }
  invalid(`unknown action ${JSON.stringify(action.type ?? null)}`);
}

/** Checks a proposal body; throws `INVALID_EVENT` naming the first problem. */
export function checkProposal(body: unknown, created: number): asserts body is ProposalBody {
  if (!isJsonObject(body)) invalid('body must be an object');
  for (const field of Object.keys(body)) if (!FIELDS.has(field)) invalid(`unknown field ${field}`);
  checkText(body.title, 'title', 200);
  checkText(body.description, 'description', 8_000, true);
  const { options, counting, weightMode, quorum, threshold, window, minWeight, actions, snapshot } = body;
  if (!Array.isArray(options) || options.length < 2 || options.length > 16)
    invalid('options must list 2 to 16 names');
  if (
    !options.every((o) => typeof o === 'string' && OPTION.test(o)) ||
    new Set(options).size !== options.length
  )
    invalid('options are distinct lower-case names of up to 32 characters');
  if (!COUNTING.includes(counting as CountingMethod))
    invalid(`counting must be one of ${COUNTING.join(', ')}`);
  if (!WEIGHT_MODES.includes(weightMode as WeightMode))
    invalid(`weightMode must be one of ${WEIGHT_MODES.join(', ')}`);
  if (counting === 'single' && options.includes('for') && !isYesNo(options as string[]))
    invalid('a yes/no proposal has exactly the options for, against, abstain');
  if (!isBasisPoints(quorum) || !isBasisPoints(threshold))
    invalid('quorum and threshold are 0 to 10000 basis points');
  if (
    !isJsonObject(window) ||
    !hasExactKeys(window, ['opens', 'closes']) ||
    !isTime(window.opens) ||
    !isTime(window.closes)
  )
    invalid('window is {opens, closes} in unix seconds');
  if (window.closes <= window.opens) invalid('the window closes after it opens');
  if (window.opens < created) invalid('the window cannot open before the proposal is made');
  const extension = body.lateQuorumExtension;
  if (extension !== undefined && !(isTime(extension) && extension > 0 && extension <= MAX_EXTENSION))
    invalid(`lateQuorumExtension is 1 to ${MAX_EXTENSION} seconds`);
  if (!isDecimal(minWeight) || BigInt(minWeight) > MAX_WEIGHT)
    invalid('minWeight is a decimal weight below 2^64');
  const { minAnonymity, pieces } = body;
  if (minAnonymity !== undefined && !(Number.isInteger(minAnonymity) && (minAnonymity as number) >= 1))
    invalid('minAnonymity is a whole number of members, at least 1');
  if (minAnonymity !== undefined && (minAnonymity as number) > MAX_ANONYMITY)
    invalid(`minAnonymity is at most ${MAX_ANONYMITY}`);
  if (
    pieces !== undefined &&
    !(
      isJsonObject(pieces) &&
      hasExactKeys(pieces, pieces.scale === undefined ? ['top', 'floor'] : ['top', 'floor', 'scale']) &&
      isPieceRule(pieces) &&
      (pieces.scale === undefined || weightMode === 'reputation')
    )
  )
    invalid(
      'pieces is {top, floor} or, for reputation weights, {top, floor, scale}: whole exponents with 0 <= floor <= top <= 31, 2^16 <= scale < 2^17',
    );
  if (!Array.isArray(actions) || actions.length > 16) invalid('actions must be a list of at most 16');
  for (const action of actions) checkAction(action);
  if (
    !isJsonObject(snapshot) ||
    !hasExactKeys(snapshot, CHECKPOINT_FIELDS) ||
    !isTime(snapshot.asOf) ||
    !isCheckpointDeclaration(snapshot)
  )
    invalid(
      'snapshot is {asOf, root (field element), total (decimal), members (count), events (count), sources (event ids)}',
    );
  if (snapshot.asOf > window.opens) invalid('the snapshot cannot be taken after the window opens');
  // A checkpoint lists what its proposer holds: events of a future moment cannot be listed yet.
  if (snapshot.asOf > created) invalid('the snapshot cannot be taken after the proposal is made');
  checkStanding(body.proposer);
}

function checkStanding(standing: unknown): asserts standing is ProposerStanding {
  const isElement = (value: unknown) => isDecimal(value) && BigInt(value) < BN254_SCALAR_FIELD;
  if (
    !isJsonObject(standing) ||
    !hasExactKeys(standing, ['weight', 'pathIndices', 'siblings']) ||
    !isDecimal(standing.weight) ||
    BigInt(standing.weight) > MAX_WEIGHT ||
    !Array.isArray(standing.pathIndices) ||
    standing.pathIndices.length !== TREE_LEVELS ||
    !standing.pathIndices.every(
      (i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < TREE_ARITY,
    ) ||
    !Array.isArray(standing.siblings) ||
    standing.siblings.length !== TREE_LEVELS ||
    !standing.siblings.every(
      (level) => Array.isArray(level) && level.length === TREE_ARITY - 1 && level.every(isElement),
    )
  )
    invalid(
      `proposer is {weight, pathIndices, siblings}: the proposer's leaf and its ${TREE_LEVELS}-level path`,
    );
}

/** The proposer's standing in a snapshot: its leaf's weight and path, as a proposal records it. */
export function proposerStanding(path: MembershipPath, weight: bigint): ProposerStanding {
  return {
    weight: weight.toString(),
    pathIndices: [...path.pathIndices],
    siblings: path.siblings.map((level) => level.map(String)),
  };
}

/** Builds and signs a `proposal.created` event; its id is the proposal id. */
export function createProposal(
  key: AgentKey,
  body: ProposalBody,
  options: { clock?: Clock } = {},
): LedgerEvent {
  const event = signEvent(key, 'proposal.created', JSON.parse(JSON.stringify(body)) as JsonObject, options);
  checkProposal(event.body, event.created);
  return event;
}

/**
 * `proposal.created` under `rules`: a well-formed body whose declared proposer weight reaches the proposer threshold,
 * and whose checkpoint parts (`snapshot.sources` events) are stored and list `snapshot.events` ids in strictly
 * ascending order. Until every part is stored the proposal waits (`MISSING_REFERENCE`). Whether the snapshot itself
 * is the one its listed events give, proposer's leaf included, is decided by {@link checkSnapshot}: its verdict depends
 * on the listed events alone, and those may arrive after the proposal.
 */
export function proposalCreatedTypeFor(rules: ProposalRules = {}): EventTypeDefinition {
  return {
    type: 'proposal.created',
    auth: 'signature',
    async verify(event, context) {
      checkProposal(event.body, event.created);
      const { proposer, snapshot, weightMode } = event.body;
      const weight = BigInt(proposer.weight);
      const least = rules.minProposerWeight?.[weightMode] ?? 1n;
      if (weight < least) invalid(`the proposer's weight ${weight} is below the proposer threshold ${least}`);
      // Only a registered agent proposes: an unknown key cannot make replicas chase a checkpoint (it waits until a
      // registration of its author is stored; whether the author holds a leaf is the snapshot's verdict).
      if (
        !(await context.byIndex('agent', event.author as string)).some((e) => e.type === 'agent.registered')
      )
        throw new AgoraError(
          ErrorCode.MissingReference,
          `proposal.created: its author ${event.author} has no registration here yet`,
        );
      // Anyone may have signed the parts: their ids commit to the lists, and one checkpoint may serve several.
      await checkCheckpointParts('proposal.created', snapshot, context);
    },
  };
}

/** `proposal.created` with the default rules: the proposer holds a leaf of weight 1 or more in the snapshot. */
export const proposalCreatedType: EventTypeDefinition = proposalCreatedTypeFor();

/** The stored proposal `id` of `ledger`: its event and body; `NOT_FOUND` when the ledger holds no such proposal. */
export async function readProposal(
  ledger: Ledger,
  id: string,
): Promise<{ event: LedgerEvent; body: ProposalBody }> {
  const stored = await ledger.get(id);
  if (stored?.event.type !== 'proposal.created')
    throw new AgoraError(ErrorCode.NotFound, `no proposal ${id} in this ledger`);
  return { event: stored.event, body: stored.event.body as unknown as ProposalBody };
}

/**
 * Signs a `proposal.canceled`: the proposer withdraws its proposal, which it can do only before the window opens.
 */
export function cancelProposal(
  key: AgentKey,
  proposalId: string,
  options: { clock?: Clock } = {},
): LedgerEvent {
  if (!isLowerHex(proposalId, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a proposal id is 32 bytes of lower-case hex');
  return signEvent(key, 'proposal.canceled', { proposal: proposalId }, options);
}

/** `proposal.canceled`: by the proposal's author, before its window opens. Indexed under the proposal. */
export const proposalCanceledType: EventTypeDefinition = {
  type: 'proposal.canceled',
  auth: 'signature',
  async verify(event, context) {
    const body = event.body;
    if (!isJsonObject(body) || !hasExactKeys(body, ['proposal']) || !isLowerHex(body.proposal, 32))
      throw new AgoraError(ErrorCode.InvalidEvent, 'proposal.canceled: body is {proposal}');
    const proposal = await context.get(body.proposal);
    if (proposal === undefined)
      throw new AgoraError(ErrorCode.MissingReference, `proposal.canceled: no proposal ${body.proposal} yet`);
    if (proposal.type !== 'proposal.created')
      throw new AgoraError(ErrorCode.InvalidEvent, `proposal.canceled: ${body.proposal} is not a proposal`);
    if (proposal.author !== event.author)
      throw new AgoraError(ErrorCode.InvalidEvent, 'proposal.canceled: only the proposer can cancel');
    if (event.created >= (proposal.body as unknown as ProposalBody).window.opens)
      throw new AgoraError(ErrorCode.InvalidEvent, 'proposal.canceled: voting has opened already');
  },
  indexes: (event) => [['proposal', (event.body as { proposal: string }).proposal]],
};
