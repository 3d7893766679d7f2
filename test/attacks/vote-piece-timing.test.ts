// Issue 17, transport: a voter's pieces linked by when they reach a relay. The client dates each piece at its own
// random time in the voting window, but `publishToRelay` sent every event appended since its last run, at once: the
// pieces of one vote arrived at relays together, seconds after they were cast and long before their dates, so an
// observer watching a relay grouped them by arrival (and saw events dated in the future). Now this ledger's own
// anonymous events dated ahead are held and sent at their times.
import { MemoryLevel } from 'memory-level';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock, unixSeconds } from '../../src/core/index.js';
import { AGORA_NOSTR_KIND, Ledger, publishToRelay, publishWhenDue } from '../../src/ledger/index.js';
import { anonymous, testRegistry } from '../ledger/fixtures.js';
import { startRelay } from '../ledger/nostr-relay.js';

useWebSocketImplementation(WebSocket);

/** Anonymous test events (no author, like vote pieces) dated at `created`. */
const piece = (index: number, created: number) => ({ ...anonymous(17, index), created });

describe('attack: the pieces of one vote linked by their arrival at relays (vote-piece-timing)', () => {
  it('a piece dated ahead is held by a publication and sent by the first one at or after its date', async () => {
    const relay = await startRelay();
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const now = 1_900_000_000;
    try {
      await ledger.appendBatch([piece(0, now - 10), piece(1, now + 3_600), piece(2, now + 60)]);
      const first = await publishToRelay(ledger, relay.url, { clock: new ManualClock(now * 1000) });
      expect(first).toEqual({ published: 1, skipped: 0, held: 2, nextAt: now + 60 });
      // Held across runs: a publication before the next date sends nothing.
      const early = await publishToRelay(ledger, relay.url, { clock: new ManualClock((now + 59) * 1000) });
      expect(early).toEqual({ published: 0, skipped: 0, held: 2, nextAt: now + 60 });
      const second = await publishToRelay(ledger, relay.url, { clock: new ManualClock((now + 60) * 1000) });
      expect(second).toEqual({ published: 1, skipped: 0, held: 1, nextAt: now + 3_600 });
      const last = await publishToRelay(ledger, relay.url, { clock: new ManualClock((now + 4_000) * 1000) });
      expect(last).toEqual({ published: 1, skipped: 0, held: 0 });
      const reader = await Relay.connect(relay.url);
      const stored = await new Promise<number[]>((resolve) => {
        const times: number[] = [];
        const sub = reader.subscribe([{ kinds: [AGORA_NOSTR_KIND] }], {
          onevent: (event) => times.push(event.created_at),
          oneose: () => {
            sub.close();
            resolve(times);
          },
        });
      });
      reader.close();
      // Each once, under its own date; none sent twice.
      expect(stored.sort()).toEqual([now - 10, now + 60, now + 3_600]);
    } finally {
      await ledger.close();
      await relay.close();
    }
  });

  it('an observer sees each piece arrive at its own date, not together when the vote was cast', async () => {
    const relay = await startRelay();
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const observer = await Relay.connect(relay.url);
    const arrivals: { created: number; at: number }[] = [];
    const watching = observer.subscribe([{ kinds: [AGORA_NOSTR_KIND] }], {
      onevent: (event) => arrivals.push({ created: event.created_at, at: Date.now() }),
    });
    const stop = new AbortController();
    try {
      const now = unixSeconds();
      await ledger.appendBatch([piece(0, now + 1), piece(1, now + 2), piece(2, now + 3)]);
      const results: number[] = [];
      await publishWhenDue(ledger, relay.url, {
        signal: stop.signal,
        onPublish: (result) => results.push(result.published),
      });
      for (let i = 0; i < 100 && arrivals.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      // Three publications, one piece each; none reached the relay before its date.
      expect(results.filter((n) => n > 0)).toEqual([1, 1, 1]);
      expect(arrivals).toHaveLength(3);
      for (const { created, at } of arrivals) expect(at).toBeGreaterThanOrEqual(created * 1000);
      const spread = Math.max(...arrivals.map((a) => a.at)) - Math.min(...arrivals.map((a) => a.at));
      expect(spread).toBeGreaterThan(1_000);
    } finally {
      stop.abort();
      watching.close();
      observer.close();
      await ledger.close();
      await relay.close();
    }
  }, 20_000);
});
