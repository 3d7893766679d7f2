import { MemoryLevel } from 'memory-level';
import { ManualClock, type NetworkConfig } from '../../src/core/index.js';
import { reputationSnapshotType, snapshotSourcesType } from '../../src/governance/index.js';
import { agentRegisteredType, EventRegistry, Ledger } from '../../src/ledger/index.js';
import { receiptRatingType, receiptType } from '../../src/receipts/index.js';

/** A clock at `seconds`. */
export const at = (seconds: number) => new ManualClock(seconds * 1000);

/**
 * An in-memory ledger that stores what reputation snapshots are built from, and the snapshots themselves, under
 * `network`'s configuration (default none: the development defaults).
 */
export function snapshotLedger(network?: NetworkConfig): Promise<Ledger> {
  return Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry(
      [agentRegisteredType, receiptType, receiptRatingType, snapshotSourcesType, reputationSnapshotType],
      network,
    ),
  });
}
