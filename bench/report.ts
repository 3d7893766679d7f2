/** One benchmark result, printed as a JSON line. */
export interface Measurement {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** The same quantity measured for the baseline in the same process. */
  baseline?: number;
  /** value / baseline. */
  ratio?: number;
  [extra: string]: string | number | undefined;
}

/** Prints a measurement as one JSON line on stdout, rounded for people. */
export function report(measurement: Measurement): void {
  const round = (x: number) => (Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(4)));
  const out: Measurement = { ...measurement, value: round(measurement.value) };
  if (measurement.baseline !== undefined) {
    out.baseline = round(measurement.baseline);
    out.ratio = Number((measurement.value / measurement.baseline).toFixed(3));
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs `task` `runs` times and returns the median wall time in seconds. */
export async function medianSeconds(runs: number, task: () => Promise<void> | void): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** A counter on stderr when it is a terminal. */
export function progress(label: string): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => {};
  return (done, total) => {
    process.stderr.write(`\r${label} ${done}/${total}${done === total ? '\n' : ''}`);
  };
}
