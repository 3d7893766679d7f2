import { listedIds } from '../governance/checkpoint.js';
import { snapshotEventTypes, snapshotFromLedger, snapshotSources } from '../governance/index.js';
import { EventSet, type Ledger, type LedgerEvent, type StoredEvent } from '../ledger/index.js';
import type { JurorElectorate } from './dispute-events.js';

/** An eligible juror: its weight and ZK commitment in the dispute's electorate. */
export interface EligibleJuror {
  readonly agent: string;
  readonly weight: bigint;
  readonly commitment: bigint;
}

/**
 * Whether a dispute's juror electorate is the one its checkpoint's events give: `valid` with the eligible jurors,
 * `pending` while listed events are missing, `invalid` when the declared root, total or count differ (or the listing
 * is malformed), `contested` when this ledger holds events of the electorate's kinds by `asOf` that the checkpoint
 * leaves out and that change it (a claimant leaving out jurors it does not like). Only a valid electorate draws.
 */
export type ElectorateVerdict =
  | { readonly status: 'valid'; readonly jurors: readonly EligibleJuror[] }
  | { readonly status: 'pending' | 'invalid' | 'contested'; readonly reason: string };

/** Rebuilds the electorate `declared` from the ledger, as every replica does. */
export async function checkElectorate(ledger: Ledger, declared: JurorElectorate): Promise<ElectorateVerdict> {
  const parts: LedgerEvent[] = [];
  for (const id of declared.sources) {
    const part = await ledger.get(id);
    if (part === undefined) return { status: 'pending', reason: `checkpoint part ${id} is missing` };
    parts.push(part.event);
  }
  let ids: string[];
  try {
    ids = listedIds(parts);
  } catch (error) {
    return { status: 'invalid', reason: (error as Error).message };
  }
  if (ids.length !== declared.events)
    return {
      status: 'invalid',
      reason: `the checkpoint lists ${ids.length} events, it declares ${declared.events}`,
    };
  const types = new Set(snapshotEventTypes(declared.mode));
  const events: StoredEvent[] = [];
  let absent = 0;
  for (const id of ids) {
    const stored = await ledger.get(id);
    if (stored === undefined) {
      absent++;
      continue;
    }
    if (!types.has(stored.event.type))
      return {
        status: 'invalid',
        reason: `lists a ${stored.event.type}, which a ${declared.mode} electorate does not read`,
      };
    if (stored.event.created > declared.asOf)
      return { status: 'invalid', reason: `lists event ${id}, created after ${declared.asOf}` };
    events.push(stored);
  }
  if (absent > 0)
    return { status: 'pending', reason: `${absent} of the electorate's ${ids.length} events are missing` };
  const options = { mode: declared.mode, asOf: declared.asOf, minWeight: BigInt(declared.minWeight) };
  const snapshot = await snapshotFromLedger(new EventSet(events, ledger.registry), options);
  const rebuilt = {
    root: snapshot.root.toString(),
    total: snapshot.total.toString(),
    members: snapshot.members.length,
  };
  for (const field of ['root', 'total', 'members'] as const)
    if (String(rebuilt[field]) !== String(declared[field]))
      return {
        status: 'invalid',
        reason: `its events give electorate ${field} ${rebuilt[field]}, the dispute declares ${declared[field]}`,
      };
  const held = await snapshotSources(ledger, declared.mode, declared.asOf);
  if (held.length !== ids.length) {
    const full = await snapshotFromLedger(new EventSet(held, ledger.registry), options);
    if (full.root !== snapshot.root)
      return {
        status: 'contested',
        reason: `this ledger holds ${held.length - ids.length} more events of the electorate's kinds by ${declared.asOf}, which change it`,
      };
  }
  return {
    status: 'valid',
    jurors: snapshot.members.map(({ agent, weight, commitment }) => ({ agent, weight, commitment })),
  };
}

/** The electorate to declare when opening a dispute now: its sources to sign and append first, and the declaration. */
export async function draftElectorate(
  ledger: Ledger,
  options: { mode: JurorElectorate['mode']; asOf: number; minWeight?: bigint },
): Promise<{ ids: string[]; declared: Omit<JurorElectorate, 'sources'> }> {
  const events = await snapshotSources(ledger, options.mode, options.asOf);
  const minWeight = options.minWeight ?? 1n;
  const snapshot = await snapshotFromLedger(new EventSet(events, ledger.registry), {
    mode: options.mode,
    asOf: options.asOf,
    minWeight,
  });
  return {
    ids: events.map((stored) => stored.id),
    declared: {
      mode: options.mode,
      asOf: options.asOf,
      minWeight: minWeight.toString(),
      root: snapshot.root.toString(),
      total: snapshot.total.toString(),
      members: snapshot.members.length,
      events: events.length,
    },
  };
}
