import {
  AgoraError,
  type Clock,
  ErrorCode,
  isAgoraError,
  type NetworkConfig,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import { type AgentKey, getPoseidon, objectId } from '../identity/index.js';
import {
  type AgentRegistration,
  type EventReader,
  EventSet,
  type Ledger,
  type LedgerEvent,
  type RegistrationRecord,
  registrationInForce,
  type StoredEvent,
} from '../ledger/index.js';
import type { ReputationOptions } from '../reputation/index.js';
import { readStakes, stakeWeights } from '../stake/index.js';
import { MembershipTree, rootOfPath } from '../zk/index.js';
import { DEFAULT_MIN_ANONYMITY, proposalPieceRule, proposalWeightScale } from './anonymity.js';
import {
  createSnapshotSources,
  listedEvents,
  listedIds,
  snapshotEventTypes,
  VerdictCache,
} from './checkpoint.js';
import { readDelegations } from './delegation.js';
import { acceptedStakes, networkScores } from './network-trust.js';
import { DEFAULT_PIECE_RULE, UNIT_SCALE } from './pieces.js';
import { type ProposalBody, proposerStanding, readProposal } from './proposal.js';
import { computeSnapshot, type Snapshot, scaleSnapshot, type WeightMode } from './snapshot.js';

/** Each agent's ZK commitment from its registration in force at `asOf`. */
export async function commitmentsAt(reader: EventReader, asOf: number): Promise<Map<string, bigint>> {
  const byAgent = new Map<string, RegistrationRecord[]>();
  for await (const { id, event } of reader.events({ type: 'agent.registered' })) {
    const author = event.author as string;
    const list = byAgent.get(author) ?? [];
    list.push({ id, created: event.created, body: event.body as unknown as AgentRegistration });
    byAgent.set(author, list);
  }
  const commitments = new Map<string, bigint>();
  for (const [agent, registrations] of byAgent) {
    const inForce = registrationInForce(registrations, asOf);
    if (inForce !== undefined) commitments.set(agent, BigInt(inForce.body.zkCommitment));
  }
  return commitments;
}

/**
 * A proposal's weight snapshot computed from the events of `ledger` created at or before `asOf`: registrations
 * (commitments, and the member list for `equal`), reputation scores (`reputation`), locked stakes (`stake`,
 * `quadratic`), delegations. Any replica holding
 * those events computes the same root.
 */
export async function snapshotFromLedger(
  ledger: EventReader,
  options: {
    mode: WeightMode;
    asOf: number;
    minWeight?: bigint;
    /** Stake modes: count only stakes promised locked until then (the proposal's close). */
    lockedThrough?: number;
    reputation?: ReputationOptions;
    /**
     * The network's configuration: its seeds make reputation (over `reputation.seeds`), its custodians the stakes
     * that weigh. Default none: the development defaults (see {@link NetworkConfig}).
     */
    network?: NetworkConfig;
  },
): Promise<Snapshot> {
  const commitments = await commitmentsAt(ledger, options.asOf);
  let base: Map<string, bigint>;
  if (options.mode === 'equal') {
    base = new Map([...commitments.keys()].map((agent) => [agent, 1n]));
  } else if (options.mode === 'reputation') {
    const scores = await networkScores(
      ledger,
      commitments.keys(),
      options.asOf,
      options.network,
      'a reputation-weighted snapshot',
      options.reputation,
    );
    base = new Map([...scores].map(([agent, score]) => [agent, BigInt(score)]));
  } else if (options.mode === 'stake' || options.mode === 'quadratic') {
    // Sats locked at `asOf` under a custodian the network accepts, promised to stay locked through `lockedThrough`.
    const held = acceptedStakes(
      await readStakes(ledger),
      options.network,
      `a ${options.mode}-weighted snapshot`,
    );
    const stakes = stakeWeights(held, {
      asOf: options.asOf,
      ...(options.lockedThrough === undefined ? {} : { lockedThrough: options.lockedThrough }),
    });
    base = new Map([...commitments.keys()].map((agent) => [agent, stakes.get(agent) ?? 0n]));
  } else {
    // A mode from an untyped caller (JSON, a CLI flag): never weighed as some other mode.
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `unknown weight mode ${JSON.stringify(options.mode)}: one of reputation, stake, equal, quadratic`,
    );
  }
  const delegations = await readDelegations(ledger);
  return computeSnapshot({
    mode: options.mode,
    base,
    commitments,
    delegations,
    asOf: options.asOf,
    ...(options.minWeight === undefined ? {} : { minWeight: options.minWeight }),
  });
}

/** The latest moment voting can close (with a late-quorum extension): stakes must stay locked until then. */
const latestClose = (terms: Pick<ProposalBody, 'window' | 'lateQuorumExtension'>) =>
  terms.window.closes + (terms.lateQuorumExtension ?? 0);

/** The events a snapshot of `mode` at `asOf` reads from `ledger`, in id order: what its checkpoint lists. */
export async function snapshotSources(
  ledger: EventReader,
  mode: WeightMode,
  asOf: number,
): Promise<StoredEvent[]> {
  return eventsUpTo(ledger, snapshotEventTypes(mode), asOf);
}

/** The events of `types` in `ledger` created at or before `asOf`, in id order. */
export async function eventsUpTo(
  ledger: EventReader,
  types: readonly string[],
  asOf: number,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (const type of types)
    for await (const stored of ledger.events({ type })) if (stored.event.created <= asOf) events.push(stored);
  return events.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** A proposal's terms: everything but the snapshot, which {@link draftProposal} computes. */
export type ProposalTerms = Omit<ProposalBody, 'snapshot' | 'proposer'>;

/**
 * The weights of a snapshot taken from exactly `events`, with the proposal's mode, time and minimum weight, in the
 * weight unit the proposal's rule gives them ({@link proposalWeightScale}: reputation may be scaled), and that scale.
 */
async function snapshotOf(
  events: Iterable<StoredEvent>,
  ledger: Ledger,
  terms: Pick<ProposalBody, 'weightMode' | 'minWeight' | 'window' | 'lateQuorumExtension' | 'minAnonymity'>,
  asOf: number,
): Promise<Snapshot & { readonly scale: number }> {
  const snapshot = await snapshotFromLedger(new EventSet(events, ledger.registry), {
    mode: terms.weightMode,
    asOf,
    minWeight: BigInt(terms.minWeight),
    lockedThrough: latestClose(terms),
    ...(ledger.registry.network === undefined ? {} : { network: ledger.registry.network }),
  });
  const scale = proposalWeightScale(terms.weightMode, snapshot.members, terms.minAnonymity);
  return { ...(await scaleSnapshot(snapshot, scale)), scale };
}

/**
 * Computes a proposal's snapshot from the events of `ledger` created at or before `asOf` (default: now, or the
 * window's opening if earlier; never later than the proposal is made), exactly as every replica will rebuild it from the checkpoint, and returns the `snapshot.sources` events
 * that list those events (append them first), the body to sign with `createProposal` (with the proposer's standing),
 * the snapshot and its tree (voters' paths). `INVALID_STATE` when nobody would have a vote or the proposer holds no
 * leaf.
 */
export async function draftProposal(
  ledger: Ledger,
  terms: ProposalTerms,
  options: { proposer: AgentKey; asOf?: number; clock?: Clock },
): Promise<{ body: ProposalBody; sources: LedgerEvent[]; snapshot: Snapshot; tree: MembershipTree }> {
  const asOf = options.asOf ?? Math.min(unixSeconds(options.clock ?? systemClock), terms.window.opens);
  const events = await snapshotSources(ledger, terms.weightMode, asOf);
  const ids = events.map((stored) => stored.id);
  const minAnonymity = terms.minAnonymity ?? DEFAULT_MIN_ANONYMITY;
  const { scale, ...snapshot } = await snapshotOf(events, ledger, { ...terms, minAnonymity }, asOf);
  if (snapshot.members.length === 0)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `no registered agent has ${terms.weightMode} weight at ${asOf}: nobody could vote on this proposal`,
    );
  const proposer = options.proposer.id;
  const index = snapshot.members.findIndex((member) => member.agent === proposer);
  const own = snapshot.members[index];
  if (own === undefined)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `the proposer ${proposer} has no ${terms.weightMode} weight in the snapshot: it cannot propose`,
    );
  const sources = createSnapshotSources(
    options.proposer,
    ids,
    options.clock === undefined ? {} : { clock: options.clock },
  );
  const tree = await MembershipTree.build(snapshot.members);
  // The anonymity rule and piece rule are written out, so every client splits its weight the same way; the weight
  // scale only when it is not 1, so a proposal without one reads as before.
  const body: ProposalBody = {
    ...terms,
    minAnonymity,
    pieces: terms.pieces ?? {
      ...proposalPieceRule(snapshot.members, minAnonymity),
      ...(scale === UNIT_SCALE ? {} : { scale }),
    },
    proposer: proposerStanding(tree.path(index), own.weight),
    snapshot: {
      asOf,
      root: snapshot.root.toString(),
      total: snapshot.total.toString(),
      members: snapshot.members.length,
      events: ids.length,
      sources: sources.map((part) => toHex(objectId(part as never))),
    },
  };
  return { body, sources, snapshot, tree };
}

/**
 * Whether a proposal's snapshot is the one its checkpoint's events give: `valid` (with the rebuilt snapshot),
 * `pending` while some listed events are not stored yet (never decided on partial data), or `invalid` with the
 * reason. The verdict depends on the listed events alone, whatever else the ledger holds or the order it came in.
 */
export type SnapshotVerdict =
  | { readonly status: 'valid'; readonly snapshot: Snapshot }
  | { readonly status: 'pending'; readonly missing: number; readonly reason: string }
  | { readonly status: 'invalid'; readonly reason: string };

const verdicts = new VerdictCache<SnapshotVerdict>();

/**
 * Rebuilds proposal `proposalId`'s snapshot from exactly the events its checkpoint lists and compares it with what the
 * proposal declares: root, total, member count, the proposer's leaf (weight and path), the piece rule
 * ({@link proposalPieceRule} on the rebuilt members and the proposal's `minAnonymity`, top and floor). Listed events must be of the
 * types the weight mode reads and created at or before `asOf`. Verdicts are cached per ledger: a valid or invalid one
 * for good, a pending one while the ledger holds the same events (it only grows, so its last sequence number says).
 */
export async function checkSnapshot(ledger: Ledger, proposalId: string): Promise<SnapshotVerdict> {
  return verdicts.get(ledger, proposalId, () => rebuildVerdict(ledger, proposalId));
}

async function rebuildVerdict(ledger: Ledger, proposalId: string): Promise<SnapshotVerdict> {
  const { event, body } = await readProposal(ledger, proposalId);
  const declared = body.snapshot;
  const listed = await listedEvents(
    ledger,
    declared.sources,
    snapshotEventTypes(body.weightMode),
    declared.asOf,
    `a ${body.weightMode} snapshot`,
  );
  if (listed.status !== 'listed') return listed;
  let snapshot: Snapshot;
  let scale: number;
  try {
    ({ scale, ...snapshot } = await snapshotOf(listed.events, ledger, body, declared.asOf));
  } catch (error) {
    // A weight this network's configuration cannot give (no seeds or custodians named on `bitcoin`): never decided.
    if (isAgoraError(error) && error.code === ErrorCode.InvalidState) return invalidVerdict(error.message);
    throw error;
  }
  const rebuilt = {
    root: snapshot.root.toString(),
    total: snapshot.total.toString(),
    members: snapshot.members.length,
  };
  for (const field of ['root', 'total', 'members'] as const)
    if (String(rebuilt[field]) !== String(declared[field]))
      return invalidVerdict(
        `its events give snapshot ${field} ${rebuilt[field]}, the proposal declares ${declared[field]}`,
      );
  const own = snapshot.members.find((member) => member.agent === event.author);
  if (own === undefined) return invalidVerdict('the proposer holds no leaf in the snapshot');
  if (own.weight.toString() !== body.proposer.weight)
    return invalidVerdict(`the proposer's weight is ${own.weight}, it declares ${body.proposer.weight}`);
  const poseidon = await getPoseidon();
  const root = rootOfPath(poseidon, MembershipTree.leafOf(poseidon, own), {
    pathIndices: [...body.proposer.pathIndices],
    siblings: body.proposer.siblings.map((level) => level.map(BigInt)),
  });
  if (root !== snapshot.root) return invalidVerdict("the proposer's path does not lead to the snapshot root");
  // The piece rule is recomputed too, exactly: a proposer writing its own top (0: every weight in pieces of 1, at most
  // 4,096 counted per voter) would flatten the electorate it is judged by; a lower floor, though each piece still
  // hides among k, makes every voter cast more of its low bits, and a voter's whole group of pieces (linked by a lone
  // choice, a burst, a late cluster) a fingerprint: on 1,000 Pareto members at k = 8, all 1,000 named under floor 0
  // once linked, against 414 under the computed floor.
  // The weight scale likewise: a proposer choosing its own would choose which bits the members share.
  const expected = proposalPieceRule(snapshot.members, body.minAnonymity);
  const rule = body.pieces ?? DEFAULT_PIECE_RULE;
  if ((rule.scale ?? UNIT_SCALE) !== scale)
    return invalidVerdict(
      `its weight scale is ${rule.scale ?? UNIT_SCALE}/${UNIT_SCALE}; the snapshot gives ${scale}/${UNIT_SCALE}`,
    );
  if (rule.top !== expected.top || rule.floor !== expected.floor)
    return invalidVerdict(
      `its piece rule is top ${rule.top}, floor ${rule.floor}; the snapshot gives top ${expected.top}, floor ${expected.floor}`,
    );
  return { status: 'valid', snapshot };
}

const invalidVerdict = (reason: string): SnapshotVerdict => ({ status: 'invalid', reason });

/**
 * Whether this replica knows events the checkpoint of a valid proposal leaves out and that change its weights: the
 * snapshot computed from every event of the mode's types the ledger holds, created at or before `asOf`, has another
 * root than the checkpoint's. Returns the reason, or undefined when the checkpoint is complete as far as this ledger
 * knows (or the proposal is not valid). A function of the ledger's events, not of their order.
 *
 * Why it exists: a proposer chooses the events its checkpoint lists, and could leave out every member but itself.
 * Timestamps are claims, so no replica can tell an omitted event from one backdated and published later; a disputed
 * proposal is therefore not carried out by default ({@link GovernedState}), and honest voters do not vote on it.
 */
export async function snapshotDispute(
  ledger: Ledger,
  proposalId: string,
  options: { published?: (id: string) => boolean } = {},
): Promise<string | undefined> {
  const verdict = await checkSnapshot(ledger, proposalId);
  if (verdict.status !== 'valid') return undefined;
  if (options.published !== undefined)
    return publishedDispute(ledger, proposalId, verdict, options.published);
  const lastSeq = ledger.stats().lastSeq;
  const cache = disputes.get(ledger) ?? new Map<string, { lastSeq: number; reason: string | undefined }>();
  disputes.set(ledger, cache);
  const known = cache.get(proposalId);
  if (known?.lastSeq === lastSeq) return known.reason;
  const { body } = await readProposal(ledger, proposalId);
  // A valid checkpoint's events are all here; when the ledger holds no more of its kinds by `asOf`, the two sets are
  // one and there is nothing to recompute.
  const held = await snapshotSources(ledger, body.weightMode, body.snapshot.asOf);
  let reason: string | undefined;
  if (held.length !== body.snapshot.events) {
    // From the events of its kinds up to `asOf` only, as a checkpoint would list them: a lock signed later (a
    // custodian's rival with a lower id) never changes who held what then.
    const full = await snapshotOf(held, ledger, body, body.snapshot.asOf);
    if (full.root !== verdict.snapshot.root)
      reason = `this ledger holds ${held.length - body.snapshot.events} more events of the snapshot's kinds created by ${body.snapshot.asOf} than its checkpoint lists, and they give ${full.members.length} members and total ${full.total} instead of ${verdict.snapshot.members.length} and ${verdict.snapshot.total}`;
  }
  cache.set(proposalId, { lastSeq, reason });
  return reason;
}

const disputes = new WeakMap<Ledger, Map<string, { lastSeq: number; reason: string | undefined }>>();

/**
 * {@link snapshotDispute} counting, besides the checkpoint's own events, only those `published` in time: an event
 * dated before `asOf` but shown after the grace (withheld, or backdated and published late) disputes nothing.
 */
async function publishedDispute(
  ledger: Ledger,
  proposalId: string,
  verdict: Extract<SnapshotVerdict, { status: 'valid' }>,
  published: (id: string) => boolean,
): Promise<string | undefined> {
  const { body } = await readProposal(ledger, proposalId);
  const parts: LedgerEvent[] = [];
  for (const id of body.snapshot.sources) {
    const part = await ledger.get(id);
    if (part !== undefined) parts.push(part.event);
  }
  const listed = new Set(listedIds(parts));
  const held = (await snapshotSources(ledger, body.weightMode, body.snapshot.asOf)).filter(
    ({ id }) => listed.has(id) || published(id),
  );
  if (held.length === body.snapshot.events) return undefined;
  const full = await snapshotOf(held, ledger, body, body.snapshot.asOf);
  if (full.root === verdict.snapshot.root) return undefined;
  return `this ledger holds ${held.length - body.snapshot.events} more events of the snapshot's kinds created by ${body.snapshot.asOf}, published in time, than its checkpoint lists, and they give ${full.members.length} members and total ${full.total} instead of ${verdict.snapshot.members.length} and ${verdict.snapshot.total}`;
}

/**
 * The proposal's rebuilt snapshot when its verdict is valid; `INVALID_STATE` with the reason otherwise (an invalid
 * snapshot, or events still missing).
 */
export async function verifiedSnapshot(ledger: Ledger, proposalId: string): Promise<Snapshot> {
  const verdict = await checkSnapshot(ledger, proposalId);
  if (verdict.status === 'valid') return verdict.snapshot;
  throw new AgoraError(
    ErrorCode.InvalidState,
    verdict.status === 'pending'
      ? `proposal ${proposalId} waits: ${verdict.reason}; import them first`
      : `proposal ${proposalId} is invalid: ${verdict.reason}`,
  );
}
