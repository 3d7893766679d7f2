import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/index.js';
import { Reputation, SCORE_SCALE } from '../../src/reputation/index.js';
import { selfDealingWorld } from '../fixtures/self-dealing.js';
import { registry } from '../reputation/economy.js';

// The 100,000-receipt case is `npm run bench -- reputation` (metric self_dealing_1000_keys_100k); this is the same
// attack with 1,000 fresh keys and 3,000 receipts, every event verified by the ledger on the way in.
describe('attack: a provider paying itself through 1,000 fresh keys', () => {
  it('gets, with all its keys, under 1% of all trust, however many receipts it signs', {
    timeout: 300_000,
  }, async () => {
    const world = selfDealingWorld(1_000, 3_000);
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: registry(), sync: false });
    try {
      for (const batch of world.batches) await ledger.appendBatch(batch);
      expect(ledger.stats().types.receipt).toBe(600 + 1 + 3_000);
      const reputation = await Reputation.fromLedger(ledger);
      const ring = [world.attacker, ...world.freshKeys].reduce((sum, id) => sum + reputation.score(id), 0);
      const honest = world.honest.reduce((sum, id) => sum + reputation.score(id), 0);
      expect(ring / SCORE_SCALE).toBeLessThan(0.01);
      // Trust did reach the attacker (one honest sale): it is bounded, not merely absent.
      expect(reputation.score(world.attacker)).toBeGreaterThan(0);
      expect(honest / SCORE_SCALE).toBeGreaterThan(0.98);
    } finally {
      await ledger.close();
    }
  });
});
