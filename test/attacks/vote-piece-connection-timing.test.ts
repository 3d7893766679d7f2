// Issue 17, second review, the connection-per-piece fix: a due piece now goes out over a connection of its own, and the
// agent's signed events over another. Both are opened by one `publishToRelay` run, one right after the other: the
// relay sees a connection carrying a piece close and, milliseconds later, one carrying an event signed by the agent's
// key open. Separate connections (and Tor circuits, which the docs advise) hide the address, not the moment: the
// timing links the piece to its voter as the shared connection did. An agent that syncs now and then and signs
// anything in between (a rating, a registration) hands its pieces over this way.
import { MemoryLevel } from 'memory-level';
import type { Event as NostrEvent } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { Ledger, parseEnvelope, publishToRelay } from '../../src/ledger/index.js';
import { anonymous, reference, registration, testRegistry } from '../ledger/fixtures.js';
import { timingRelay } from './vote-relay-fixture.js';

describe('attack: a due piece and its voter linked by the moment their connections open (vote-piece-connection-timing)', () => {
  it("no piece reaches the relay within a second of an event signed by its voter's key", async () => {
    const relay = await timingRelay();
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const agent = generateAgentKey();
    const keyFor = (author: string) => (author === agent.id ? agent : undefined);
    const now = 1_900_000_000;
    try {
      const registered = registration(agent, now - 1_000);
      await ledger.appendBatch([registered, { ...anonymous(17, 0), created: now + 3_600 }]);
      const first = await publishToRelay(ledger, relay.url, { keyFor, clock: new ManualClock(now * 1000) });
      expect(first.held).toBe(1);
      await ledger.append(reference(agent, parseEnvelope(registered).id, now + 5_000));
      const before = relay.arrivals.length;
      await publishToRelay(ledger, relay.url, { keyFor, clock: new ManualClock((now + 6_000) * 1000) });

      const run = relay.arrivals.slice(before);
      const anonymousContent = (event: NostrEvent) =>
        (JSON.parse(event.content) as { author?: string }).author === undefined;
      const pieces = run.filter((arrival) => anonymousContent(arrival.event));
      const signed = run.filter((arrival) => arrival.event.pubkey === agent.id);
      expect(pieces.length).toBe(1);
      const gap = Math.min(
        ...pieces.flatMap((piece) => signed.map((own) => Math.abs(own.at - piece.at))),
        Number.POSITIVE_INFINITY,
      );
      expect(gap, `the piece and the agent's signed event arrived ${gap} ms apart`).toBeGreaterThanOrEqual(
        1_000,
      );
    } finally {
      await ledger.close();
      await relay.close();
    }
  });
});
