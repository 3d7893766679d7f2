import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import { checkCaveats } from '../../src/l402/index.js';
import { Ledger, type LedgerEvent } from '../../src/ledger/index.js';
import { Reputation } from '../../src/reputation/index.js';
import { economy, registry } from './economy.js';

describe('reputation from a ledger', () => {
  it('is identical on two ledgers that received the same receipts in different orders', async () => {
    const { agents, registrations, receipts, ratings } = await economy();
    const a = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    const b = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    try {
      await a.appendBatch([...registrations, ...receipts, ...ratings]);
      await b.appendBatch([...registrations].reverse());
      for (let i = receipts.length - 1; i >= 0; i--)
        await b.appendBatch([receipts[i] as LedgerEvent, ratings[i] as LedgerEvent]);
      const one = await Reputation.fromLedger(a, { seedCount: 3 });
      const two = await Reputation.fromLedger(b, { seedCount: 3 });
      expect(one.seeds).toEqual(agents.slice(0, 3).map((x) => x.key.id));
      for (const { key } of agents) expect(two.score(key.id)).toBe(one.score(key.id));
      const [, , , low, mid, high] = agents.map(({ key }) => one.score(key.id));
      expect(mid as number).toBeGreaterThan(low as number);
      expect(high as number).toBeGreaterThan(0);
      // The engine is the L402 reputation lookup: a provider asking for reputation 1 turns the unknown away.
      const stranger = generateAgentKey().id;
      expect(
        await checkCaveats(['agora_min_reputation=1'], {
          service: 'api',
          now: 0,
          payer: agents[4]?.key.id as string,
          reputation: one,
        }),
      ).toBeUndefined();
      expect(
        (
          await checkCaveats(['agora_min_reputation=1'], {
            service: 'api',
            now: 0,
            payer: stranger,
            reputation: one,
          })
        )?.status,
      ).toBe(403);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
