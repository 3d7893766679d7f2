import { AgoraError, type Clock, ErrorCode, isJsonObject, isLowerHex } from '../core/index.js';
import type { AgentKey } from '../identity/index.js';
import { type EventReader, type EventTypeDefinition, type LedgerEvent, signEvent } from '../ledger/index.js';

/** One `delegation.set`: `from` gives its weight to `to`, or takes it back when `to` is null. */
export interface Delegation {
  /** The event id, used to order events with the same `created`. */
  readonly id: string;
  readonly from: string;
  readonly to: string | null;
  /** Unix seconds. */
  readonly created: number;
}

/** The delegations in force at a snapshot, and those that were set aside. */
export interface ResolvedDelegations {
  /** Delegator -> delegate, one edge per delegator, no cycles. */
  readonly edges: ReadonlyMap<string, string>;
  /** Delegations that would have closed a cycle (self-delegation included): kept as evidence, never applied. */
  readonly cycles: readonly Delegation[];
}

/** Earlier `created` first; the same second is broken by the lower id, as for every conflict in the ledger. */
const byTime = (a: Delegation, b: Delegation) =>
  a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The delegations in force at `asOf`, as a pure function of the events (whatever order they arrived in).
 * Each agent's latest delegation up to `asOf` counts (`to: null` revokes; in one second, the lowest id). The edges that remain are then added in
 * time order and one that would close a cycle is set aside, so two agents delegating to each other leave the
 * earlier delegation in force.
 */
export function resolveDelegations(delegations: readonly Delegation[], asOf: number): ResolvedDelegations {
  const latest = new Map<string, Delegation>();
  for (const delegation of [...delegations].sort(byTime)) {
    if (delegation.created > asOf) continue;
    // A later second replaces; within one second the lowest id (seen first) stands.
    const current = latest.get(delegation.from);
    if (current === undefined || current.created < delegation.created)
      latest.set(delegation.from, delegation);
  }
  const edges = new Map<string, string>();
  const cycles: Delegation[] = [];
  for (const delegation of [...latest.values()].sort(byTime)) {
    if (delegation.to === null) continue;
    let end: string = delegation.to;
    for (let next = edges.get(end); next !== undefined; next = edges.get(end)) end = next;
    if (end === delegation.from) cycles.push(delegation);
    else edges.set(delegation.from, delegation.to);
  }
  return { edges, cycles };
}

/**
 * Moves every delegator's weight to the end of its chain: the delegate's leaf carries the sum, delegators drop out.
 * The total weight is unchanged.
 */
export function delegateWeights(
  weights: ReadonlyMap<string, bigint>,
  edges: ReadonlyMap<string, string>,
): Map<string, bigint> {
  const ends = new Map<string, string>();
  // Iterative, with the chain's members remembered: chains may be as long as the agent list.
  const endOf = (agent: string): string => {
    const path: string[] = [];
    let end = agent;
    for (let known = ends.get(end); known === undefined; known = ends.get(end)) {
      const next = edges.get(end);
      if (next === undefined) break;
      path.push(end);
      end = next;
    }
    end = ends.get(end) ?? end;
    for (const member of path) ends.set(member, end);
    return end;
  };
  const totals = new Map<string, bigint>();
  for (const [agent, weight] of weights) {
    const end = endOf(agent);
    totals.set(end, (totals.get(end) ?? 0n) + weight);
  }
  return totals;
}

/** Signs a `delegation.set`: `key` gives its weight to `to` from now on, or takes it back with `null`. */
export function createDelegation(
  key: AgentKey,
  to: string | null,
  options: { clock?: Clock } = {},
): LedgerEvent {
  if (to !== null && !isLowerHex(to, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, 'a delegate is an agent id (32 bytes of hex) or null');
  return signEvent(key, 'delegation.set', { to }, options);
}

/**
 * `delegation.set`, signed by the delegator: body `{to: agent id | null}`. Cycles are not refused here (that would
 * depend on arrival order): {@link resolveDelegations} sets them aside when a snapshot is computed.
 */
export const delegationSetType: EventTypeDefinition = {
  type: 'delegation.set',
  auth: 'signature',
  verify(event) {
    const body = event.body;
    if (
      !isJsonObject(body) ||
      Object.keys(body).length !== 1 ||
      !(body.to === null || isLowerHex(body.to, 32))
    )
      throw new AgoraError(ErrorCode.InvalidEvent, 'delegation.set: body is {to: agent id or null}');
  },
};

/** The delegations stored in a ledger, as {@link resolveDelegations} takes them. */
export async function readDelegations(ledger: EventReader): Promise<Delegation[]> {
  const delegations: Delegation[] = [];
  for await (const { id, event } of ledger.events({ type: 'delegation.set' })) {
    delegations.push({
      id,
      from: event.author as string,
      to: (event.body as { to: string | null }).to,
      created: event.created,
    });
  }
  return delegations;
}
