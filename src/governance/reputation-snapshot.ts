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
import {
  type CredentialHistory,
  type CredentialHolder,
  credentialWeight,
  REPUTATION_LEVELS,
} from '../l402/index.js';
import {
  type EventReader,
  EventSet,
  type EventTypeDefinition,
  type Ledger,
  type LedgerEvent,
  type StoredEvent,
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
 * Agents whose registrations created by `asOf` name more than one ZK commitment. They hold no credential leaf: a
 * pseudonym is `Poseidon(scope + level, secret)`, so a new commitment would be a new pseudonym at every provider
 * while the reputation stays the agent's, and a banned payer would shed its ban by registering again. Taken over
 * every registration by `asOf`, not the one in force, so no order of arrival and no claimed time (a rotation dated
 * before the first registration) brings the leaf back. The cost: an agent that must replace a leaked ZK secret
 * loses anonymous gating under that id (docs/anonymous-credentials.md).
 */
async function rotatedAgents(reader: EventReader, asOf: number): Promise<Set<string>> {
  const named = new Map<string, bigint>();
  const rotated = new Set<string>();
  for await (const { event } of reader.events({ type: 'agent.registered' })) {
    if (event.created > asOf) continue;
    const author = event.author as string;
    // Compared as numbers: two spellings of one commitment are one secret, hence one pseudonym.
    const commitment = BigInt((event.body as { zkCommitment: string }).zkCommitment);
    const known = named.get(author);
    if (known === undefined) named.set(author, commitment);
    else if (known !== commitment) rotated.add(author);
  }
  return rotated;
}

/**
 * The credential tree of exactly `events` at `asOf`, with the governance snapshot's leaf shape and tree builder:
 * one leaf `(commitment, credentialWeight(score))` per registered agent with a commitment and a score reaching the
 * first level, in agent id order, scores computed with the default reputation options (what every replica uses)
 * from the `network`'s pre-trusted seeds (`networkScores`; the development default without a configuration).
 * An agent that registered more than one commitment by `asOf` holds no leaf (see {@link rotatedAgents}).
 */
export async function credentialSnapshot(
  reader: EventReader,
  asOf: number,
  network?: NetworkConfig,
): Promise<Snapshot> {
  const commitments = await commitmentsAt(reader, asOf);
  for (const agent of await rotatedAgents(reader, asOf)) commitments.delete(agent);
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

/** The ids a valid snapshot lists, and of those its registrations, by the rebuilt snapshot (for the dispute check). */
const listings = new WeakMap<Snapshot, { ids: ReadonlySet<string>; registrations: readonly string[] }>();

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
  listings.set(snapshot, {
    ids: new Set(listed.events.map((event) => event.id)),
    registrations: listed.events.filter((e) => e.event.type === 'agent.registered').map((e) => e.id),
  });
  return { status: 'valid', snapshot, body };
}

/** The kinds a snapshot reads that carry trust: receipts and ratings (registrations carry none by themselves). */
const TRUST_TYPES = REPUTATION_SNAPSHOT_TYPES.filter((type) => type !== 'agent.registered');

/**
 * The events of the snapshot's kinds held here, created by `asOf`, that a snapshot at `asOf` must agree with: every
 * receipt and rating (what moves trust), every registration of an agent such an event names (its author, a
 * receipt's payer: registrations attribute receipts and give leaves), and the registrations `earlier` (listed by a
 * valid snapshot taken before). A registration of an agent nothing names, absent from every earlier snapshot, is
 * left out: it holds no trust, so no leaf, and one dated in the past must not dispute every snapshot after it.
 */
async function mustAgreeWith(
  ledger: Ledger,
  asOf: number,
  earlier: ReadonlySet<string>,
): Promise<StoredEvent[]> {
  const trust = await eventsUpTo(ledger, TRUST_TYPES, asOf);
  const named = new Set<string>();
  for (const { event } of trust) {
    named.add(event.author as string);
    const payer = (event.body as { payer?: unknown }).payer;
    if (event.type === 'receipt' && typeof payer === 'string') named.add(payer);
  }
  const registrations = (await eventsUpTo(ledger, ['agent.registered'], asOf)).filter(
    (stored) => named.has(stored.event.author as string) || earlier.has(stored.id),
  );
  return [...trust, ...registrations];
}

/**
 * The newest `count` (default 3) reputation snapshots of `ledger` whose verdict is valid and that agree with what
 * this ledger holds, newest `asOf` first: the roots a provider accepts credentials against. A snapshot is refused
 * when the events it must agree with (every receipt and rating by its `asOf`, the registrations of the agents they
 * name and those earlier valid snapshots list: {@link mustAgreeWith}), added to its own, give another root: a
 * publisher cannot drop a rating that lowers it, nor a member an earlier snapshot held. A registration nothing names
 * (a fresh key, zero trust) does not dispute it, whatever time it claims. A function of the ledger's events, not
 * of their order.
 */
export async function acceptedSnapshots(
  ledger: Ledger,
  options: { count?: number } = {},
): Promise<{ id: string; asOf: number; snapshot: Snapshot & { readonly asOf: number } }[]> {
  const valid: { id: string; asOf: number; snapshot: Snapshot; root: string }[] = [];
  for await (const { id } of ledger.events({ type: REPUTATION_SNAPSHOT })) {
    const verdict = await checkReputationSnapshot(ledger, id);
    if (verdict.status === 'valid')
      valid.push({ id, asOf: verdict.body.asOf, snapshot: verdict.snapshot, root: verdict.body.root });
  }
  valid.sort((a, b) => b.asOf - a.asOf || (a.id < b.id ? -1 : 1));
  const accepted: { id: string; asOf: number; snapshot: Snapshot & { readonly asOf: number } }[] = [];
  const seen = new Set<string>();
  for (const [index, { id, asOf, snapshot, root }] of valid.entries()) {
    if (accepted.length >= (options.count ?? 3)) break;
    if (seen.has(root)) continue;
    const listing = listings.get(snapshot) as NonNullable<ReturnType<typeof listings.get>>;
    const earlier = new Set(
      valid
        .slice(index + 1)
        .filter((other) => other.asOf < asOf)
        .flatMap((other) => listings.get(other.snapshot)?.registrations ?? []),
    );
    const extra = (await mustAgreeWith(ledger, asOf, earlier)).filter((e) => !listing.ids.has(e.id));
    if (extra.length > 0) {
      const listed = await Promise.all([...listing.ids].map((listedId) => ledger.get(listedId)));
      const all = [...(listed as StoredEvent[]), ...extra];
      const full = await credentialSnapshot(
        new EventSet(all, ledger.registry),
        asOf,
        ledger.registry.network,
      );
      if (full.root !== snapshot.root) continue;
    }
    seen.add(root);
    // The snapshot carries its `asOf`: a credential holder proves only against one old enough to have propagated.
    accepted.push({ id, asOf, snapshot: { ...snapshot, asOf } });
  }
  return accepted;
}

/**
 * A {@link CredentialHolder} for agent `agent` with ZK secret `secret`, over the given snapshots, each with its
 * `asOf` (as {@link acceptedSnapshots} gives them: its leaf and path in each; none where it holds no leaf; the count
 * of leaves at each level; a snapshot younger than `CREDENTIAL_ROOT_SETTLE_SECONDS` is not proved against), refusing thresholds fewer than
 * `options.minAnonymity` leaves reach (default 8). `options.history` is the agent's one {@link CredentialHistory}
 * (opened once from its home, or in memory for an agent of this process only), shared by every holder built for it:
 * a holder rebuilt for a new snapshot must not forget what its pseudonyms were shown against.
 */
export async function credentialHolder(
  prover: Prover,
  agent: string,
  secret: bigint,
  snapshots: readonly (Snapshot & { readonly asOf: number })[],
  options: { history: CredentialHistory; minAnonymity?: number; rootSettleSeconds?: number },
): Promise<CredentialHolder> {
  // NaN (or a fraction) would compare false with every count: the anonymity check would pass every threshold.
  if (
    options.minAnonymity !== undefined &&
    !(Number.isSafeInteger(options.minAnonymity) && options.minAnonymity >= 1)
  )
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      `minAnonymity must be an integer of at least 1, not ${String(options.minAnonymity)}`,
    );
  const witnesses = new Map<bigint, { weight: bigint; path: ReturnType<MembershipTree['path']> }>();
  const levels = new Map<bigint, ReadonlySet<string>[]>();
  for (const snapshot of snapshots) {
    levels.set(
      snapshot.root,
      REPUTATION_LEVELS.map(
        (_, level) =>
          new Set(
            snapshot.members
              .filter((member) => ((member.weight >> BigInt(level)) & 1n) === 1n)
              .map((member) => member.agent),
          ),
      ),
    );
    const index = snapshot.members.findIndex((member) => member.agent === agent);
    if (index < 0) continue;
    const tree = await MembershipTree.build(snapshot.members);
    witnesses.set(snapshot.root, {
      weight: (snapshot.members[index] as Snapshot['members'][number]).weight,
      path: tree.path(index),
    });
  }
  return {
    prover,
    secret,
    ...(options.minAnonymity === undefined ? {} : { minAnonymity: options.minAnonymity }),
    ...(options.rootSettleSeconds === undefined ? {} : { rootSettleSeconds: options.rootSettleSeconds }),
    witness: (root) => witnesses.get(root),
    asOf: (root) => snapshots.find((snapshot) => snapshot.root === root)?.asOf,
    reaching: (root, level) => levels.get(root)?.[level],
    history: options.history,
  };
}
