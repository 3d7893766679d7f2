// Issue 17 review, transport: a piece linked to its voter by the connection it arrives on. `publishToRelay` sends,
// over one WebSocket connection, the held pieces now due and everything appended since its last run, the agent's own
// signed events included (under its key). An agent that syncs from time to time (`agora sync`, or a cron) and does
// anything else signed in between (a rating, a registration, a proposal) hands the relay, in one connection, an event
// signed by its key and its vote's pieces: the relay operator links each piece to the agent, one-time keys or not,
// whatever network address it came from (Tor included).
import { MemoryLevel } from 'memory-level';
import type { Event as NostrEvent } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { Ledger, parseEnvelope, publishToRelay } from '../../src/ledger/index.js';
import { anonymous, reference, registration, testRegistry } from '../ledger/fixtures.js';

/** A relay that accepts every event and records, per connection, the events published over it: its operator's view. */
async function recordingRelay() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const connections: NostrEvent[][] = [];
  server.on('connection', (socket) => {
    const events: NostrEvent[] = [];
    connections.push(events);
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[0] !== 'EVENT') return;
      const event = message[1] as NostrEvent;
      events.push(event);
      socket.send(JSON.stringify(['OK', event.id, true, '']));
    });
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('attack: a vote piece and its voter linked by one relay connection (vote-piece-connection-link)', () => {
  it("a piece due at a later sync goes out on the same connection as the agent's own signed event", async () => {
    const relay = await recordingRelay();
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const agent = generateAgentKey();
    const keyFor = (author: string) => (author === agent.id ? agent : undefined);
    const now = 1_900_000_000;
    try {
      const registered = registration(agent, now - 1_000);
      // The agent votes: a piece dated an hour ahead, held by the next publication.
      await ledger.appendBatch([registered, { ...anonymous(17, 0), created: now + 3_600 }]);
      const first = await publishToRelay(ledger, relay.url, { keyFor, clock: new ManualClock(now * 1000) });
      expect(first.held).toBe(1);
      // Later, something else it signs; then its next sync, after the piece's date.
      await ledger.append(reference(agent, parseEnvelope(registered).id, now + 5_000));
      await publishToRelay(ledger, relay.url, { keyFor, clock: new ManualClock((now + 6_000) * 1000) });

      const anonymousContent = (event: NostrEvent) =>
        (JSON.parse(event.content) as { author?: string }).author === undefined;
      const linked = relay.connections.filter(
        (events) => events.some(anonymousContent) && events.some((event) => event.pubkey === agent.id),
      );
      expect(linked.length, 'connections carrying both a vote piece and an event signed by its voter').toBe(
        0,
      );
    } finally {
      await ledger.close();
      await relay.close();
    }
  });
});
