// The stake tests' shared setup: a staker's and a custodian's homes, the custodian serving over HTTP with the given
// Lightning options until `stop` aborts, and a client once it answers. The Lightning backend behind each (LND REST,
// NWC) is the test's own.
import { join } from 'node:path';
import { expect } from 'vitest';
import { isAgoraError } from '../../src/core/index.js';
import { StakeCustodianClient } from '../../src/stake/index.js';
import { freePort } from '../helpers.js';
import { agora, type Outcome } from './harness.js';

/** A custodian serving, and the staker's home beside it. */
export interface StakeFlow {
  readonly staker: string;
  readonly custodian: string;
  readonly url: string;
  readonly client: StakeCustodianClient;
  /** Ends when the custodian's `stake serve` exits (after `stop` aborts). */
  readonly serving: Promise<Outcome>;
  readonly stop: AbortController;
}

/** A client of the custodian at `url` once it answers (a busy machine may take seconds to start it). */
async function reachable(url: string): Promise<StakeCustodianClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await StakeCustodianClient.connect(url, { timeoutMs: 1_000 });
    } catch (error) {
      if (!isAgoraError(error) || attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Inits `staker` and `custodian` homes in `dir` and starts `agora stake serve` with `serveArgs` (its Lightning). */
export async function startStakeFlow(dir: string, serveArgs: readonly string[]): Promise<StakeFlow> {
  const staker = join(dir, 'staker');
  const custodian = join(dir, 'custodian');
  expect((await agora(['init', '--home', staker])).code).toBe(0);
  expect((await agora(['init', '--home', custodian])).code).toBe(0);
  const stop = new AbortController();
  const port = await freePort();
  const serving = agora(['stake', 'serve', '--home', custodian, '--port', String(port), ...serveArgs], {
    signal: stop.signal,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    return { staker, custodian, url, client: await reachable(url), serving, stop };
  } catch (error) {
    stop.abort();
    throw error;
  }
}

/** `agora stake lock` arguments for `amount` sat until `until` from `staker` at the custodian `url`, in JSON. */
export const lockArgs = (staker: string, url: string, amount: number, until: number): string[] => [
  'stake',
  'lock',
  '--home',
  staker,
  '--custodian',
  url,
  '--amount',
  String(amount),
  '--until',
  String(until),
  '--json',
];
