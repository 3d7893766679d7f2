import {
  type BallotOf,
  type Counted,
  type CountingMethod,
  count,
  YES_NO_OPTIONS,
} from '../src/governance/index.js';
import { random } from './random.js';
import { medianSeconds, report } from './report.js';

const BENCH = 'governance';
const OPTIONS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** Ballots of each method with weights like a reputation snapshot (a few heavy voters, a long tail). */
function ballots<M extends CountingMethod>(method: M, n: number, seed: number): Counted<BallotOf[M]>[] {
  const next = random(seed);
  const pick = () => OPTIONS[Math.floor(next() ** 2 * OPTIONS.length)] as string;
  const ranking = () => {
    const order = [...OPTIONS].sort(() => next() - 0.5);
    return order.slice(0, 1 + Math.floor(next() * OPTIONS.length));
  };
  const make: { [K in CountingMethod]: () => BallotOf[K] } = {
    single: () => ({ choice: YES_NO_OPTIONS[Math.floor(next() * 3)] as string }),
    approval: () => ({ approve: OPTIONS.filter(() => next() < 0.3) }),
    ranked: () => ({ ranking: ranking() }),
    weighted: () => {
      const first = pick();
      const second = OPTIONS.find((o) => o !== first) as string;
      const share = 1 + Math.floor(next() * 9_998);
      return { split: { [first]: share, [second]: 10_000 - share } };
    },
  };
  return Array.from({ length: n }, () => ({
    weight: BigInt(1 + Math.floor(next() ** 4 * 1_000_000)),
    ballot: (make[method] as () => BallotOf[M])(),
  }));
}

export default async function run(): Promise<void> {
  for (const method of ['single', 'approval', 'ranked', 'weighted'] as const) {
    const options = method === 'single' ? [...YES_NO_OPTIONS] : OPTIONS;
    const set = ballots(method, 100_000, 42);
    const seconds = await medianSeconds(5, () => {
      count(method, options, set);
    });
    report({
      bench: BENCH,
      metric: `count_100k_${method}`,
      value: seconds,
      unit: 's',
      note: 'counting parsed ballots in memory; reading and verifying votes from the ledger is not included',
    });
  }
}
