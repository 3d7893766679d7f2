import { AgoraError, ErrorCode, type NetworkConfig } from '../core/index.js';
import type { EventReader } from '../ledger/index.js';
import { Reputation, type ReputationOptions } from '../reputation/index.js';
import type { StakeRecord } from '../stake/index.js';

/**
 * The pre-trusted reputation seeds a network's snapshots use: its configured `seeds`, or undefined for the
 * development default (the oldest registrations by claimed time, which a backdated registration can join). On
 * `bitcoin` there is no default: `INVALID_STATE` naming `what` needs them.
 */
export function networkSeeds(
  network: NetworkConfig | undefined,
  what: string,
): readonly string[] | undefined {
  if (network?.seeds !== undefined) return network.seeds;
  if (network?.chain === 'bitcoin')
    throw new AgoraError(
      ErrorCode.InvalidState,
      `${what} needs the network's pre-trusted seeds: configure them (agora init --seed ID, or agoraRegistry({config: {seeds}}))`,
    );
  return undefined;
}

/**
 * The stakes whose custodian the network accepts: all of them under the development default (no `custodians`
 * configured); on `bitcoin` a stake weighs only under a configured custodian (`INVALID_STATE` naming `what` when none
 * is), since a custodian's signature alone makes a lock of any time.
 */
export function acceptedStakes(
  stakes: readonly StakeRecord[],
  network: NetworkConfig | undefined,
  what: string,
): StakeRecord[] {
  if (network?.custodians === undefined) {
    if (network?.chain === 'bitcoin')
      throw new AgoraError(
        ErrorCode.InvalidState,
        `${what} needs the network's accepted custodians: configure them (agora init --custodian ID, or agoraRegistry({config: {custodians}}))`,
      );
    return [...stakes];
  }
  return stakes.filter((stake) => acceptsCustodian(network, stake.custodian));
}

/**
 * Whether the network accepts `custodian`'s locks as holding sats: under the development default (no `custodians`
 * configured) any custodian but on `bitcoin` none, else the configured ones. A custodian's signature alone makes a
 * lock (no payment need stand behind it) of any time, and ends one at any time it claims: only a custodian the
 * network trusts to hold what it attests can give weight or back a dispute. One rule for stake weights
 * ({@link acceptedStakes}) and dispute bonds.
 */
export function acceptsCustodian(network: NetworkConfig | undefined, custodian: string): boolean {
  if (network?.custodians === undefined) return network?.chain !== 'bitcoin';
  return network.custodians.includes(custodian);
}

/**
 * The reputation score (ppb) at `asOf` of each agent registered then (`registered`), from the events of `reader`,
 * with the network's seeds ({@link networkSeeds}; else `options.seeds`, else the development default). Fixed seeds
 * none of which was registered at `asOf` give everyone 0: no trust existed yet (EigenTrust would otherwise spread it
 * evenly over whoever claims to have been there, a backdated registration included).
 */
export async function networkScores(
  reader: EventReader,
  registered: Iterable<string>,
  asOf: number,
  network: NetworkConfig | undefined,
  what: string,
  options: ReputationOptions = {},
): Promise<Map<string, number>> {
  const agents = [...registered];
  const seeds = networkSeeds(network, what) ?? options.seeds;
  const scores = new Map(agents.map((agent) => [agent, 0]));
  if (seeds !== undefined && !seeds.some((seed) => scores.has(seed))) return scores;
  const reputation = await Reputation.fromLedger(reader, {
    ...options,
    ...(seeds === undefined ? {} : { seeds }),
    asOf,
  });
  for (const agent of agents) scores.set(agent, reputation.score(agent));
  return scores;
}
