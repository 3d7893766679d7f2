import { describe, expect, it } from 'vitest';
import { nwcRelayWallet, runAgent } from '../examples/agent.js';
import { startRelay } from './ledger/nostr-relay.js';

describe('examples', () => {
  it('the agent pays both APIs once each, reuses its weather token, and keeps verified, rated receipts', async () => {
    const lines: string[] = [];
    const run = await runAgent((line) => lines.push(line));
    expect(run.weather).toMatchObject({ city: 'Lisbon' });
    expect((run.similarity as { cosine: number }).cosine).toBeCloseTo(
      29.5 / (Math.sqrt(14) * Math.sqrt(62.25)),
      12,
    );
    expect(run.receipts).toBe(2);
    expect(run.ratings).toBe(2);
    // 2 sat for the weather (paid once for two requests) + 1 sat and 10 msat per byte of the similarity request, + fees.
    expect(run.spentMsat).toBeGreaterThan(2_000 + 1_000);
    expect(run.spentMsat).toBeLessThan(2_000 + 1_000 + 10 * 100 + 5_000);
    expect(lines.some((line) => line.startsWith('weather again'))).toBe(true);
  });

  it('the same agent pays through Nostr Wallet Connect (its node behind a NIP-47 wallet service on a relay)', async () => {
    const relay = await startRelay();
    try {
      const run = await runAgent(() => {}, nwcRelayWallet(relay.url));
      expect(run.weather).toMatchObject({ city: 'Lisbon' });
      expect(run.receipts).toBe(2);
      expect(run.ratings).toBe(2);
    } finally {
      await relay.close();
    }
  });
});
