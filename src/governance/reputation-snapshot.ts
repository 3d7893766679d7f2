import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isJsonObject,
  type JsonObject,
  type NetworkConfig,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import { type AgentKey, objectId } from '../identity/index.js';
import { type CredentialHolder, credentialWeight } from '../l402/index.js';
import {
  type EventReader,
  EventSet,
  type EventTypeDefinition,
  type Ledger,
  type LedgerEvent,
  signEvent,
} from '../ledger/index.js';
import { MembershipTree, type Prover } from '../zk/index.js';
import {
  checkCheckpointParts,
  createSnapshotSources,
  hasCheckpointFields,
  listedEvents,
  snapshotEventTypes,
  VerdictCache,
} from './checkpoint.js';
import { networkScores } from './network-trust.js';
import { computeSnapshot, type Snapshot } from './snapshot.js';
import { commitmentsAt, eventsUpTo } from './snapshot-ledger.js';

/** The event type of a published reputation snapshot: the tree anonymous credentials are proved in. */
export const REPUTATION_SNAPSHOT = 'reputation.snapshot';

/**
 * The events a reputation snapshot reads: registrations (commitments), receipts and their ratings (scores). No
 * delegations: reputation is a claim about the agent itself, and a delegated one would let an agent lend its
 * standing to another.
 */
export const REPUTATION_SNAPSHOT_TYPES: readonly string[] = snapshotEventTypes('reputation').filter(
  (type) => type !== 'delegation.set',
);

/** Body of `reputation.snapshot`: its time, its tree's root and size, and its checkpoint (the events it used). */
export interface ReputationSnapshotBody {
  /** Unix seconds: only events created at or before count. */
  readonly asOf: number;
  /** The credential tree's root, decimal field element. */
  readonly root: string;
  /** Leaves of the tree: registered agents with a ZK commitment whose score reaches the first level. */
  readonly members: number;
  /** Events the checkpoint lists. */
  readonly events: number;
  /** Ids of the `snapshot.sources` events that list them, in order. */
  readonly sources: readonly string[];
}

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `${REPUTATION_SNAPSHOT}: ${message}`);
}

function checkBody(body: unknown, created: number): asserts body is JsonObject & ReputationSnapshotBody {
  if (
    !isJsonObject(body) ||
    !hasExactKeys(body, ['asOf', 'root', 'members', 'events', 'sources']) ||
    !hasCheckpointFields(body)
  )
    invalid('body is {asOf, root (field element), members (count), events (count), sources (event ids)}');
  // A checkpoint lists what its author holds: events of a future moment cannot be listed yet.
  if ((body.asOf as number) > created) invalid('the snapshot cannot be taken after it is published');
}

/**
 * `reputation.snapshot`: signed by a registered agent; a well-formed body whose checkpoint parts are stored and list
 * `events` ids. Until its author's registration and every part are stored it waits (`MISSING_REFERENCE`). Whether
 * the root is the one the listed events give is decided by {@link checkReputationSnapshot}, as for a proposal.
 */
export const reputationSnapshotType: EventTypeDefinition = {
  type: REPUTATION_SNAPSHOT,
  auth: 'signature',
  async verify(event, context) {
    checkBody(event.body, event.created);
    if (!(await context.byIndex('agent', event.author as string)).some((e) => e.type === 'agent.registered'))
      throw new AgoraError(
        ErrorCode.MissingReference,
        `${REPUTATION_SNAPSHOT}: its author ${event.author} has no registration here yet`,
      );
    await checkCheckpointParts(REPUTATION_SNAPSHOT, event.body, context);
  },
  *indexes() {
    yield ['reputation-snapshot', 'all'];
  },
};

/**
 * The credential tree of exactly `events` at `asOf`, with the governance snapshot's leaf shape and tree builder:
 * one leaf `(commitment, credentialWeight(score))` per registered agent with a commitment and a score reaching the
 * first level, in agent id order, scores computed with the default reputation options (what every replica uses)
 * from the `network`'s pre-trusted seeds (`networkScores`; the development default without a configuration).
 */
export async function credentialSnapshot(
  reader: EventReader,
  asOf: number,
  network?: NetworkConfig,
): Promise<Snapshot> {
  const commitments = await commitmentsAt(reader, asOf);
  const scores = await networkScores(reader, commitments.keys(), asOf, network, 'a reputation snapshot');
  const base = new Map([...scores].map(([agent, score]) => [agent, credentialWeight(score)]));
  return computeSnapshot({ mode: 'reputation', base, commitments, delegations: [], asOf });
}

/** The events of the snapshot's kinds created at or before `asOf`, in id order: what its checkpoint lists. */
const sourcesAt = (ledger: EventReader, asOf: number) => eventsUpTo(ledger, REPUTATION_SNAPSHOT_TYPES, asOf);

/**
 * Computes the reputation snapshot of `ledger` at `asOf` (default now) and signs it: append `sources` (the
 * checkpoint parts) first, then `event`. `INVALID_STATE` when no agent would hold a leaf.
 */
export async function createReputationSnapshot(
  ledger: Ledger,
  key: AgentKey,
  options: { asOf?: number; clock?: Clock } = {},
): Promise<{ sources: LedgerEvent[]; event: LedgerEvent; snapshot: Snapshot }> {
  const clock = options.clock ?? systemClock;
  const asOf = options.asOf ?? unixSeconds(clock);
  const events = await sourcesAt(ledger, asOf);
  if (events.length === 0)
    throw new AgoraError(ErrorCode.InvalidState, `the ledger holds no event by ${asOf}`);
  const snapshot = await credentialSnapshot(
    new EventSet(events, ledger.registry),
    asOf,
    ledger.registry.network,
  );
  if (snapshot.members.length === 0)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `no registered agent has a reputation of ${1000} ppb at ${asOf}`,
    );
  const sources = createSnapshotSources(
    key,
    events.map((stored) => stored.id),
    { clock },
  );
  const body: ReputationSnapshotBody = {
    asOf,
    root: snapshot.root.toString(),
    members: snapshot.members.length,
    events: events.length,
    sources: sources.map((part) => toHex(objectId(part as never))),
  };
  const event = signEvent(key, REPUTATION_SNAPSHOT, body as unknown as JsonObject, { clock });
  return { sources, event, snapshot };
}

/**
 * Whether a reputation snapshot's root is the one its listed events give: `valid` with the rebuilt snapshot,
 * `pending` while listed events are missing, `invalid` with the reason.
 */
export type ReputationSnapshotVerdict =
  | { readonly status: 'valid'; readonly snapshot: Snapshot; readonly body: ReputationSnapshotBody }
  | { readonly status: 'pending'; readonly missing: number; readonly reason: string }
  | { readonly status: 'invalid'; readonly reason: string };

const verdicts = new VerdictCache<ReputationSnapshotVerdict>();

/**
 * Rebuilds snapshot `id` from exactly the events its checkpoint lists (of the snapshot's kinds, created by `asOf`)
 * and compares root and member count with what it declares. Cached per ledger like a proposal's verdict.
 */
export async function checkReputationSnapshot(
  ledger: Ledger,
  id: string,
): Promise<ReputationSnapshotVerdict> {
  return verdicts.get(ledger, id, () => rebuild(ledger, id));
}

async function rebuild(ledger: Ledger, id: string): Promise<ReputationSnapshotVerdict> {
  const stored = await ledger.get(id);
  if (stored === undefined || stored.event.type !== REPUTATION_SNAPSHOT)
    throw new AgoraError(ErrorCode.NotFound, `no ${REPUTATION_SNAPSHOT} ${id} in this ledger`);
  const body = stored.event.body as unknown as ReputationSnapshotBody;
  const listed = await listedEvents(
    ledger,
    body.sources,
    REPUTATION_SNAPSHOT_TYPES,
    body.asOf,
    'a reputation snapshot',
  );
  if (listed.status !== 'listed') return listed;
  const snapshot = await credentialSnapshot(
    new EventSet(listed.events, ledger.registry),
    body.asOf,
    ledger.registry.network,
  );
  if (snapshot.root.toString() !== body.root || snapshot.members.length !== body.members)
    return {
      status: 'invalid',
      reason: `its events give root ${snapshot.root} with ${snapshot.members.length} members, it declares ${body.root} with ${body.members}`,
    };
  return { status: 'valid', snapshot, body };
}

/**
 * The newest `count` (default 3) reputation snapshots of `ledger` whose verdict is valid and that leave out no
 * event of their kinds this ledger holds by their time (a publisher cannot drop an agent's receipts to shut it
 * out), newest `asOf` first: the roots a provider accepts credentials against.
 */
export async function acceptedSnapshots(
  ledger: Ledger,
  options: { count?: number } = {},
): Promise<{ id: string; asOf: number; snapshot: Snapshot }[]> {
  const candidates: { id: string; asOf: number }[] = [];
  for await (const { id, event } of ledger.events({ type: REPUTATION_SNAPSHOT }))
    candidates.push({ id, asOf: (event.body as unknown as ReputationSnapshotBody).asOf });
  candidates.sort((a, b) => b.asOf - a.asOf || (a.id < b.id ? -1 : 1));
  const accepted: { id: string; asOf: number; snapshot: Snapshot }[] = [];
  const seen = new Set<string>();
  for (const { id, asOf } of candidates) {
    if (accepted.length >= (options.count ?? 3)) break;
    const verdict = await checkReputationSnapshot(ledger, id);
    if (verdict.status !== 'valid' || seen.has(verdict.body.root)) continue;
    const held = await sourcesAt(ledger, asOf);
    if (held.length !== verdict.body.events) {
      const full = await credentialSnapshot(
        new EventSet(held, ledger.registry),
        asOf,
        ledger.registry.network,
      );
      if (full.root !== verdict.snapshot.root) continue;
    }
    seen.add(verdict.body.root);
    accepted.push({ id, asOf, snapshot: verdict.snapshot });
  }
  return accepted;
}

/**
 * A {@link CredentialHolder} for agent `agent` with ZK secret `secret`, over the given snapshots (its leaf and path
 * in each; none where it holds no leaf).
 */
export async function credentialHolder(
  prover: Prover,
  agent: string,
  secret: bigint,
  snapshots: readonly Snapshot[],
): Promise<CredentialHolder> {
  const witnesses = new Map<bigint, { weight: bigint; path: ReturnType<MembershipTree['path']> }>();
  for (const snapshot of snapshots) {
    const index = snapshot.members.findIndex((member) => member.agent === agent);
    if (index < 0) continue;
    const tree = await MembershipTree.build(snapshot.members);
    witnesses.set(snapshot.root, {
      weight: (snapshot.members[index] as Snapshot['members'][number]).weight,
      path: tree.path(index),
    });
  }
  return { prover, secret, witness: (root) => witnesses.get(root) };
}
