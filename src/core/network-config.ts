import type { BitcoinNetwork } from './bitcoin-network.js';
import { isJsonObject } from './canonical-json.js';
import { isLowerHex } from './encoding.js';
import { AgoraError, ErrorCode } from './errors.js';

/**
 * How far a decision's times may lie from the Bitcoin block that anchors it, in seconds. A decision takes effect only
 * once its result is anchored in a block whose header time is at most `anchorGrace` (plus
 * {@link HEADER_TIME_TOLERANCE}) after voting closed, on a proposal whose snapshot was taken at most `maxSnapshotAge`
 * before its window opened and whose window (late-quorum extension included) lasts at most `maxWindow`. So its
 * snapshot's moment is at most `maxSnapshotAge + maxWindow + anchorGrace + HEADER_TIME_TOLERANCE` before the block:
 * no proposal can choose an electorate of a moment older than that, whatever its author claims.
 */
export interface DecisionTimeBounds {
  readonly maxSnapshotAge: number;
  readonly maxWindow: number;
  readonly anchorGrace: number;
}

/** The default bounds: a snapshot at most a day before the opening, a window of 30 days at most, an anchor within 2. */
export const DEFAULT_DECISION_TIME: DecisionTimeBounds = {
  maxSnapshotAge: 86_400,
  maxWindow: 30 * 86_400,
  anchorGrace: 2 * 86_400,
};

/**
 * Bitcoin's tolerance on a header's time, seconds: a node accepts a header dated up to two hours ahead of its own
 * clock, so an honest anchor may carry a time that much later than the moment it was mined.
 */
export const HEADER_TIME_TOLERANCE = 7_200;

/**
 * What a network agrees on before anyone proposes, and every replica configures alike (the ledger's configuration,
 * never an event's claim): the chain decisions anchor to, the pre-trusted reputation seeds, the stake custodians
 * whose locks weigh, and the time bounds of decisions.
 *
 * `seeds` and `custodians` absent is the development default: reputation seeds are then the oldest registrations by
 * their claimed time (which a backdated registration can join) and every custodian's locks count. On `bitcoin`
 * there is no such default: a reputation-weighted snapshot needs `seeds`, a stake-weighted one `custodians`.
 */
export interface NetworkConfig {
  readonly chain: BitcoinNetwork;
  /** Agent ids (32-byte hex) pre-trusted by reputation: all trust enters from them. */
  readonly seeds?: readonly string[];
  /** Agent ids of the custodians whose `stake.locked` events give stake weight. */
  readonly custodians?: readonly string[];
  /** The decision time bounds; each one absent takes {@link DEFAULT_DECISION_TIME}'s. */
  readonly time?: Partial<DecisionTimeBounds>;
  /**
   * Blocks an anchor needs on the heaviest verified header chain (its own included) before it counts; absent, the
   * chain's {@link DEFAULT_CONFIRMATIONS}.
   */
  readonly confirmations?: number;
  /**
   * Agent ids of the publication witnesses: parties that list, in signed and anchored batches, the events they hold
   * (`witness.batch`), so that an event's publication time is a Bitcoin block's, not its author's claim. Absent, the
   * custodians and seeds witness ({@link networkWitnesses}). Trusted to publish what they list: a colluding witness can
   * vouch for an event it kept hidden; none can forge or alter one (events are signed).
   */
  readonly witnesses?: readonly string[];
  /** How many distinct witnesses must list an event before it counts as published (default 1). */
  readonly witnessQuorum?: number;
}

/**
 * Confirmations an anchor needs by default: 6 on the public chains (a reorg deeper than that is not expected of an
 * honest majority), 1 on regtest, where the only miner is the test or the simulator.
 */
export const DEFAULT_CONFIRMATIONS: Readonly<Record<BitcoinNetwork, number>> = {
  bitcoin: 6,
  testnet: 6,
  signet: 6,
  regtest: 1,
};
/** A reorg deeper than this many blocks has never happened on mainnet: more is no safer, only slower. */
const MAX_CONFIRMATIONS = 100;

const CHAINS: readonly BitcoinNetwork[] = ['bitcoin', 'testnet', 'signet', 'regtest'];
const CONFIG_FIELDS = ['chain', 'seeds', 'custodians', 'time', 'confirmations', 'witnesses', 'witnessQuorum'];
const MAX_IDS = 1_000;
/** Ten years: a bound no network needs, that keeps sums of bounds exact integers. */
const MAX_BOUND = 10 * 365 * 86_400;

function bad(message: string): never {
  throw new AgoraError(ErrorCode.InvalidArgument, `network configuration: ${message}`);
}

function idList(value: unknown, field: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IDS)
    bad(`${field} lists 1 to ${MAX_IDS} agent ids`);
  for (const id of value) if (!isLowerHex(id, 32)) bad(`${field}: ${JSON.stringify(id)} is not an agent id`);
  return [...new Set(value as string[])].sort();
}

/** A whole number from 1 to `max`, or undefined when absent; `INVALID_ARGUMENT` with `message` otherwise. */
function countOf(value: unknown, max: number, message: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > max) bad(message);
  return value as number;
}

/**
 * Checks a network configuration (from JSON, a file, command-line flags) and returns it in canonical form (ids sorted
 * and unique). `INVALID_ARGUMENT` naming the first problem.
 */
export function checkNetworkConfig(value: unknown): NetworkConfig {
  if (!isJsonObject(value))
    bad('an object {chain, seeds?, custodians?, time?, confirmations?, witnesses?, witnessQuorum?}');
  for (const key of Object.keys(value)) if (!CONFIG_FIELDS.includes(key)) bad(`unknown field ${key}`);
  if (!CHAINS.includes(value.chain as BitcoinNetwork)) bad(`chain is one of ${CHAINS.join(', ')}`);
  const seeds = idList(value.seeds, 'seeds');
  const custodians = idList(value.custodians, 'custodians');
  const witnesses = idList(value.witnesses, 'witnesses');
  const witnessQuorum = countOf(value.witnessQuorum, MAX_IDS, `witnessQuorum is 1 to ${MAX_IDS} witnesses`);
  let time: Partial<DecisionTimeBounds> | undefined;
  if (value.time !== undefined) {
    const given = value.time;
    if (!isJsonObject(given) || !Object.keys(given).every((k) => Object.hasOwn(DEFAULT_DECISION_TIME, k)))
      bad('time is {maxSnapshotAge?, maxWindow?, anchorGrace?}');
    for (const [key, bound] of Object.entries(given))
      if (!Number.isSafeInteger(bound) || (bound as number) < 1 || (bound as number) > MAX_BOUND)
        bad(`time.${key} is 1 to ${MAX_BOUND} seconds`);
    time = given as Partial<DecisionTimeBounds>;
  }
  const confirmations = countOf(
    value.confirmations,
    MAX_CONFIRMATIONS,
    `confirmations is 1 to ${MAX_CONFIRMATIONS} blocks`,
  );
  return {
    chain: value.chain as BitcoinNetwork,
    ...(seeds === undefined ? {} : { seeds }),
    ...(custodians === undefined ? {} : { custodians }),
    ...(time === undefined || Object.keys(time).length === 0 ? {} : { time: { ...time } }),
    ...(confirmations === undefined ? {} : { confirmations }),
    ...(witnesses === undefined ? {} : { witnesses }),
    ...(witnessQuorum === undefined ? {} : { witnessQuorum }),
  };
}

/** The confirmations a configuration asks of an anchor: its own, else its chain's default. */
export function anchorConfirmations(config: NetworkConfig): number {
  return config.confirmations ?? DEFAULT_CONFIRMATIONS[config.chain];
}

/** The time bounds a configuration sets, each missing one at its default. */
export function decisionTimeBounds(config: NetworkConfig | undefined): DecisionTimeBounds {
  return { ...DEFAULT_DECISION_TIME, ...(config?.time ?? {}) };
}

/**
 * The publication witnesses of a configuration: its `witnesses`, else its custodians and seeds (sorted, each once);
 * empty without any (a development network: nothing is witnessed, see the anchoring layer's `publicationTimes`).
 */
export function networkWitnesses(config: NetworkConfig | undefined): readonly string[] {
  if (config?.witnesses !== undefined) return config.witnesses;
  return [...new Set([...(config?.custodians ?? []), ...(config?.seeds ?? [])])].sort();
}

/** How many distinct witnesses must list an event before it counts as published: the configuration's, else 1. */
export function witnessQuorum(config: NetworkConfig | undefined): number {
  return config?.witnessQuorum ?? 1;
}
