import { unixSeconds } from '../core/index.js';
import { lockStake, StakeCustodian } from '../stake/index.js';
import type { SimulationState, StakeState } from './state.js';

/** Voting opens this long after the stakes are asked for, in seconds (time for every lock to be attested). */
const VOTE_DELAY_SECONDS = 600;
/** How long voting stays open, in seconds. */
const VOTE_SECONDS = 3_600;
/** Stakes stay locked this long after voting closes, in seconds (a late vote or dispute still finds them). */
const LOCKED_AFTER_CLOSE_SECONDS = 3_600;
/** The time between the locks and the proposals, in ms. */
const AFTER_LOCKS_MS = 60_000;

/**
 * The stake phase: a custodian opens on the run's ledger and every agent, honest ones and sybils, locks a stake in a
 * hold invoice promised until after the vote (`honestStakeSat`, `sybilStakeSat`). Fixes the vote's timetable: voting
 * opens `voteDelaySeconds` later (default ten minutes; longer when disputes are settled in between).
 */
export async function lockStakes(
  state: SimulationState,
  onProgress: (phase: string, done: number, total: number) => void,
  options: { voteDelaySeconds?: number } = {},
): Promise<StakeState> {
  const { scenario, cast, clock, ledger, randomBytes } = state;
  const custodian = await StakeCustodian.open({
    key: cast.custodian.key,
    backend: cast.custodian.node,
    ledger,
    clock,
    randomBytes,
  });
  const opens = unixSeconds(clock) + (options.voteDelaySeconds ?? VOTE_DELAY_SECONDS);
  const closes = opens + VOTE_SECONDS;
  const until = closes + LOCKED_AFTER_CLOSE_SECONDS;
  const stakers = [...cast.honest, ...cast.sybils];
  let locked = 0;
  for (const agent of stakers) {
    await lockStake({
      key: agent.key,
      backend: agent.node,
      custodian,
      amountSat: cast.isSybil.has(agent) ? scenario.sybilStakeSat : scenario.honestStakeSat,
      until,
      sequence: 0,
      clock,
      randomBytes,
    });
    locked++;
    onProgress('stakes', locked, stakers.length);
  }
  clock.advance(AFTER_LOCKS_MS);
  return { custodian, locked, opens, closes, until };
}

/** Stakes come back after their promised time: returns how many the custodian released. */
export async function releaseStakes(state: SimulationState, stakes: StakeState): Promise<number> {
  state.clock.set(stakes.until * 1000);
  return (await stakes.custodian.releaseDue()).length;
}
