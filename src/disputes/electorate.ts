import { listedIds } from '../governance/checkpoint.js';
import {
  readDelegations,
  resolveDelegations,
  snapshotEventTypes,
  snapshotFromLedger,
  snapshotSources,
} from '../governance/index.js';
import { EventSet, type Ledger, type LedgerEvent, type StoredEvent } from '../ledger/index.js';
import type { JurorElectorate } from './dispute-events.js';
import { DISPUTE_TERMS } from './terms.js';

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
 * An electorate whose least weight is not the network's (`DISPUTE_TERMS.minJurorWeight`) is invalid; once its
 * deadline passed (`ElectorateOptions.whole`), one whose parts or listed events are not all held is `incomplete`.
 */
export type ElectorateVerdict =
  | { readonly status: 'valid'; readonly jurors: readonly EligibleJuror[] }
  | { readonly status: 'pending' | 'incomplete' | 'invalid' | 'contested'; readonly reason: string };

/** What {@link checkElectorate} takes besides the ledger and the declaration. */
export interface ElectorateOptions {
  /**
   * Which events may contest the electorate (those published in time, by the network's witnesses): an event the
   * checkpoint leaves out, dated before `asOf` but shown after the deadline (withheld, or backdated and published
   * late), contests nothing. Every stored event when undefined (no witnesses).
   */
  readonly published?: (id: string) => boolean;
  /**
   * The dispute's parties: never eligible, nor any key their delegations (in force at `asOf`) carry their weight to,
   * so a party's own weight never sits on its panel under another name.
   */
  readonly parties?: readonly string[];
  /**
   * Given once the electorate's deadline passed: whether a stored checkpoint part or listed event was shown in time
   * (published by the deadline, or any stored event without witnesses). Then a missing or late one makes the
   * electorate `incomplete` for good, not `pending`: its holder could otherwise wait for the seed block and choose.
   */
  readonly whole?: (id: string) => boolean;
}

/** Rebuilds the electorate `declared` from the ledger, as every replica does. */
export async function checkElectorate(
  ledger: Ledger,
  declared: JurorElectorate,
  options: ElectorateOptions = {},
): Promise<ElectorateVerdict> {
  if (declared.minWeight !== String(DISPUTE_TERMS.minJurorWeight))
    return {
      status: 'invalid',
      reason: `the least juror weight is the network's, ${DISPUTE_TERMS.minJurorWeight}: it declares ${declared.minWeight}`,
    };
  const { whole } = options;
  const held = (id: string, stored: StoredEvent | undefined): stored is StoredEvent =>
    stored !== undefined && (whole === undefined || whole(id));
  const missing = whole === undefined ? 'pending' : 'incomplete';
  const parts: LedgerEvent[] = [];
  for (const id of declared.sources) {
    const part = await ledger.get(id);
    if (!held(id, part)) return { status: missing, reason: `checkpoint part ${id} is missing` };
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
    if (!held(id, stored)) {
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
    return {
      status: missing,
      reason: `${absent} of the electorate's ${ids.length} events are missing${whole === undefined ? '' : ' at its deadline'}`,
    };
  const terms = { mode: declared.mode, asOf: declared.asOf, minWeight: BigInt(declared.minWeight) };
  const listed = new EventSet(events, ledger.registry);
  const snapshot = await snapshotFromLedger(listed, terms);
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
  const { published } = options;
  const inCheckpoint = new Set(ids);
  const known = (await snapshotSources(ledger, declared.mode, declared.asOf)).filter(
    ({ id }) => published === undefined || inCheckpoint.has(id) || published(id),
  );
  if (known.length !== ids.length) {
    const full = await snapshotFromLedger(new EventSet(known, ledger.registry), terms);
    if (full.root !== snapshot.root)
      return {
        status: 'contested',
        reason: `this ledger holds ${known.length - ids.length} more events of the electorate's kinds by ${declared.asOf}${published === undefined ? '' : ', published in time,'} which change it`,
      };
  }
  const barred = await partyKeys(listed, declared.asOf, options.parties ?? []);
  return {
    status: 'valid',
    jurors: snapshot.members
      .filter(({ agent }) => !barred.has(agent))
      .map(({ agent, weight, commitment }) => ({ agent, weight, commitment })),
  };
}

/** The parties and every key on their delegation chains at `asOf`: where the parties' weight goes. */
async function partyKeys(events: EventSet, asOf: number, parties: readonly string[]): Promise<Set<string>> {
  const barred = new Set(parties);
  if (parties.length === 0) return barred;
  const { edges } = resolveDelegations(await readDelegations(events), asOf);
  for (const party of parties)
    for (let next = edges.get(party); next !== undefined && !barred.has(next); next = edges.get(next))
      barred.add(next);
  return barred;
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
