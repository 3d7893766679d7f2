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

/** Name of the reference a measurement without its own baseline is compared with (see bench/reference.ts). */
export const REFERENCE_NAME = 'noble_schnorr_verify';

let schnorrPerSecond: number | undefined;

/**
 * Sets the reference speed measured in this process: from then on a time or a rate reported without a same-run
 * baseline gets the reference as its baseline (seconds per, or verifications per second) and their ratio, a figure
 * that means the same on a faster or busier machine.
 */
export function setReference(verificationsPerSecond: number): void {
  schnorrPerSecond = verificationsPerSecond;
}

/** The reference in the unit of a measurement: seconds per verification for times, the rate for rates. */
function referenceIn(unit: string): number | undefined {
  if (schnorrPerSecond === undefined) return undefined;
  if (/^s(\b|$)/.test(unit)) return 1 / schnorrPerSecond;
  if (/^ms(\b|$)/.test(unit)) return 1000 / schnorrPerSecond;
  if (/\/s(\b|$)/.test(unit)) return schnorrPerSecond;
  return undefined;
}

/**
 * Prints a measurement as one JSON line on stdout, rounded for people. Without a baseline, a time or a rate is
 * given the process's reference as baseline (`reference` names it), once {@link setReference} has run.
 */
export function report(measurement: Measurement): void {
  const round = (x: number) => (Math.abs(x) >= 100 ? Math.round(x) : Number(x.toPrecision(4)));
  if (measurement.baseline === undefined) {
    const reference = referenceIn(measurement.unit);
    if (reference !== undefined)
      measurement = { ...measurement, baseline: reference, reference: REFERENCE_NAME };
  }
  const out: Measurement = { ...measurement, value: round(measurement.value) };
  if (measurement.baseline !== undefined) {
    out.baseline = round(measurement.baseline);
    out.ratio = Number((measurement.value / measurement.baseline).toPrecision(4));
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
