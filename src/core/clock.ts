/** A source of time, injected wherever time matters so tests and simulations control it. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests and deterministic simulations. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(startMs = 0) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('a clock only moves forward');
    this.ms += ms;
  }

  /** Sets the clock to `ms` (never backwards). */
  set(ms: number): void {
    if (ms < this.ms) throw new RangeError('a clock only moves forward');
    this.ms = ms;
  }
}

/** Whole seconds since the Unix epoch according to `clock`. */
export function unixSeconds(clock: Clock = systemClock): number {
  return Math.floor(clock.now() / 1000);
}
