// Issue 17 review, transport: a piece linked to its voter by the connection it arrives on. `publishToRelay` sent,
// over one WebSocket connection, the held pieces now due and everything appended since its last run, the agent's own
// signed events included (under its key). An agent that syncs from time to time (`agora sync`, or a cron) and does
// anything else signed in between (a rating, a registration, a proposal) handed the relay, in one connection, an event
// signed by its key and its vote's pieces: the relay operator linked each piece to the agent, one-time keys or not,
// whatever network address it came from (Tor included). Fixed: a connection per piece.
//
// Second review: both connections are opened by one run, one right after the other. The relay sees a connection
// carrying a piece and, milliseconds later, one carrying an event signed by the agent's key: separate connections
// (and Tor circuits, which the docs advise) hide the address, not the moment, and the timing links them as the shared
// connection did.
//
// Fixed: a run that sends an event signed by the agent's key sends no held piece. With `redate` (what `agora sync`
// passes) the piece kept back is stored again under a fresh date and goes out alone at that time; the relay records
// wall-clock arrivals, so the runs (at the manual clock's times) are told apart by which run sent what.
import { MemoryLevel } from 'memory-level';
import type { Event as NostrEvent } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { Ledger, parseEnvelope, publishToRelay } from '../../src/ledger/index.js';
import { anonymous, reference, registration, testRegistry } from '../ledger/fixtures.js';
import { timingRelay } from './vote-relay-fixture.js';

const anonymousContent = (event: NostrEvent) =>
  (JSON.parse(event.content) as { author?: string }).author === undefined;

/**
 * An agent votes (a piece dated an hour ahead, held by its next publication), later signs something else, then syncs
 * after the piece's date, then at each time that sync names: what the relay received in each run, and when.
 */
async function laterSync() {
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
    // What `redatePiece` draws for a vote still open a day: uniform over what is left.
    const redate = async (_event: unknown, at: number) => at + 1 + ((at * 7_919) % 86_400);
    const runs: { at: number; arrivals: typeof relay.arrivals }[] = [];
    let at = now + 6_000;
    for (let run = 0; run < 5; run++) {
      const before = relay.arrivals.length;
      const result = await publishToRelay(ledger, relay.url, {
        keyFor,
        redate,
        clock: new ManualClock(at * 1000),
      });
      runs.push({ at, arrivals: relay.arrivals.slice(before) });
      if (result.nextAt === undefined) break;
      at = Math.max(result.nextAt, at + 1);
    }
    const all = runs.flatMap((run) => run.arrivals.map((arrival) => ({ ...arrival, run: run.at })));
    return {
      pieces: all.filter((arrival) => anonymousContent(arrival.event)),
      signed: all.filter((arrival) => arrival.event.pubkey === agent.id),
    };
  } finally {
    await ledger.close();
    await relay.close();
  }
}

describe('attack: a vote piece and its voter linked by one relay connection (vote-piece-connection-link)', () => {
  it("a piece due at a later sync goes out on the same connection as the agent's own signed event", async () => {
    const { pieces, signed } = await laterSync();
    const linked = pieces.filter((piece) => signed.some((own) => own.connection === piece.connection));
    expect(linked.length, 'connections carrying both a vote piece and an event signed by its voter').toBe(0);
  });

  it("no piece reaches the relay within a second of an event signed by its voter's key", async () => {
    const { pieces, signed } = await laterSync();
    expect(pieces.length).toBe(1);
    expect(signed.length).toBe(1);
    // Seconds of the runs' (manual) clock between the run sending the piece and the one sending the signed event.
    const gap = Math.min(...pieces.flatMap((piece) => signed.map((own) => Math.abs(own.run - piece.run))));
    expect(gap, `the piece and the agent's signed event went out ${gap} s apart`).toBeGreaterThanOrEqual(1);
    // Dated when it went out, like a piece sent on time.
    for (const piece of pieces) expect(piece.event.created_at).toBe(piece.run);
  });
});
