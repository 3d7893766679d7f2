import { AsyncLocalStorage } from 'node:async_hooks';
// Type only: this module is loaded by `agora --help`, which must not load the ledger.
import type { Ledger } from '../ledger/index.js';

/**
 * The ledgers each running command has open, closed at once when it is interrupted. Kept per `run` (commands may run
 * side by side in one process, as in tests): interrupting one never closes another's ledger.
 */
export const openLedgers = new AsyncLocalStorage<Set<Ledger>>();

/** Runs `task` as one command; `close` closes the ledgers it has open (a write in progress completes first). */
export function trackingLedgers<T>(task: () => Promise<T>): {
  result: Promise<T>;
  close: () => Promise<void>;
} {
  const open = new Set<Ledger>();
  return {
    result: openLedgers.run(open, task),
    close: async () => {
      await Promise.all([...open].map((ledger) => ledger.close().catch(() => {})));
      open.clear();
    },
  };
}
