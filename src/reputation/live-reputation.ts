import { type Clock, systemClock } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import { Reputation, type ReputationOptions } from './reputation.js';
import type { TrustUpdateOptions } from './trust-engine.js';

/** Options of {@link LiveReputation.follow}. */
export interface LiveReputationOptions extends ReputationOptions {
  /** A lookup refreshes first when its view of the ledger is older than this (milliseconds; default 10,000). */
  maxAgeMs?: number;
  clock?: Clock;
  /** How refreshes update the scores (default: exactly, to the scores a fresh read gives). */
  update?: TrustUpdateOptions;
}

/**
 * Reputation that keeps up with a ledger, for a provider's `agora_min_reputation` checks: a lookup on a view older
 * than `maxAgeMs` refreshes it first, reading only the events appended since (`Reputation.refresh`). Lookups that
 * arrive during a refresh wait for that one instead of starting their own.
 */
export class LiveReputation {
  private pending: Promise<Reputation> | undefined;

  private constructor(
    private current: Reputation,
    private refreshedAt: number,
    private readonly ledger: Ledger,
    private readonly options: LiveReputationOptions,
  ) {}

  /** Reads `ledger` once and follows it from then on. */
  static async follow(ledger: Ledger, options: LiveReputationOptions = {}): Promise<LiveReputation> {
    const clock = options.clock ?? systemClock;
    const at = clock.now();
    return new LiveReputation(await Reputation.fromLedger(ledger, options), at, ledger, options);
  }

  /** The reputation as of the last refresh. */
  get reputation(): Reputation {
    return this.current;
  }

  /** `id`'s integer score, after a refresh if the view is older than `maxAgeMs`. */
  async score(id: string): Promise<number> {
    const clock = this.options.clock ?? systemClock;
    if (clock.now() - this.refreshedAt > (this.options.maxAgeMs ?? 10_000)) await this.refresh();
    return this.current.score(id);
  }

  /** Reads what the ledger gained since the last refresh. */
  refresh(): Promise<Reputation> {
    this.pending ??= (async () => {
      try {
        const at = (this.options.clock ?? systemClock).now();
        this.current = await this.current.refresh(this.ledger, this.options.update);
        this.refreshedAt = at;
        return this.current;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}
