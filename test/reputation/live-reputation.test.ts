import { MemoryLevel } from 'memory-level';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import type { AgentKey } from '../../src/identity/index.js';
import { checkCaveats } from '../../src/l402/index.js';
import { Ledger, parseEnvelope } from '../../src/ledger/index.js';
import { rateReceipt } from '../../src/receipts/index.js';
import { LiveReputation, Reputation } from '../../src/reputation/index.js';
import { economy, registry } from './economy.js';

describe('LiveReputation', () => {
  it("keeps a provider's agora_min_reputation check up with the ledger, refreshing once its view is stale", async () => {
    const { agents, registrations, receipts, ratings, payers } = await economy();
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    try {
      await ledger.appendBatch([...registrations, ...receipts, ...ratings]);
      const clock = new ManualClock(1_000_000);
      const live = await LiveReputation.follow(ledger, { seedCount: 3, maxAgeMs: 5_000, clock });
      const provider = agents[4]?.key.id as string;
      const minimum = Math.floor((await live.score(provider)) / 2);
      const check = async () =>
        (
          await checkCaveats([`agora_min_reputation=${minimum}`], {
            service: 'api',
            now: 0,
            payer: provider,
            reputation: live,
          })
        )?.status;
      expect(await check()).toBeUndefined();

      // Every payer changes its mind about this provider: it served garbage after all.
      const later = new ManualClock(Date.now() + 60_000);
      const rerated = receipts.flatMap((receipt, i) =>
        receipt.author === provider
          ? [rateReceipt(payers[i] as AgentKey, parseEnvelope(receipt).id, -2, { clock: later })]
          : [],
      );
      expect(rerated).toHaveLength(3 * 3);
      await ledger.appendBatch(rerated);
      // Within maxAgeMs the view is not refreshed yet.
      clock.advance(4_000);
      expect(await check()).toBeUndefined();
      clock.advance(2_000);
      const refresh = vi.spyOn(Reputation.prototype, 'refresh');
      const [one, two] = await Promise.all([live.score(provider), live.score(provider)]);
      expect(refresh).toHaveBeenCalledTimes(1);
      refresh.mockRestore();
      expect(one).toBe(two);
      expect(await check()).toBe(403);
      const fresh = await Reputation.fromLedger(ledger, { seedCount: 3 });
      for (const { key } of agents) expect(await live.score(key.id)).toBe(fresh.score(key.id));
      expect(live.reputation.score(provider)).toBe(fresh.score(provider));
    } finally {
      await ledger.close();
    }
  });
});
