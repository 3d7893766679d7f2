// Issue 17, third review, transport: a voter's pieces linked by how many Nostr wrappers each carries. An anonymous
// piece goes out under a one-time Nostr key, but `publishToRelay` wrapped it afresh for every relay it publishes to
// (`toNostrEvent(event)` draws a new key per call; only events pulled from a relay kept their `original:` wrapper).
// A voter syncing with two relays (`agora sync --relay A --relay B`) therefore put each of its pieces on the network
// as two distinct Nostr events (two one-time keys, same ledger event id in the `x` tag), one first seen at A and one
// first seen at B, while a piece relayed by others travels under the wrapper it was first received in. An observer
// crawling the relays groups ledger events by the set of relays holding a wrapper of their own: every piece of this
// voter has {A, B}, every piece of a voter using only A has {A}. Relay lists differ between agents (personal relays,
// regional ones), so the set is a per-voter fingerprint that links its pieces, which then hide their voter only among
// the members whose whole cast they are (the lone-choice arithmetic: on 1,000 Pareto members, 389 below k).
//
// Impact: pieces of one voter linked by transport, against issue 17.5 (not linkable by key, by batch or by time),
// whatever Tor or connection separation hides.
//
// Fixed: an own anonymous event is wrapped once, the first time it is sent anywhere; that wrapper is stored
// (`wrapped:`, as `original:` is for events pulled from a relay) and every relay receives that same Nostr event, so a
// piece shows one wrapper however many relays carry it.
import { MemoryLevel } from 'memory-level';
import type { Event as NostrEvent } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { Ledger, publishToRelay } from '../../src/ledger/index.js';
import { anonymous, registration, testRegistry } from '../ledger/fixtures.js';
import { timingRelay } from './vote-relay-fixture.js';

const ledgerId = (event: NostrEvent) => event.tags.find((tag) => tag[0] === 'x')?.[1] as string;
const anonymousContent = (event: NostrEvent) =>
  (JSON.parse(event.content) as { author?: string }).author === undefined;

describe('attack: a voter linked by the Nostr wrappers of its pieces (vote-piece-wrapper-link)', () => {
  it('a piece published to two relays reaches both as one Nostr event', async () => {
    const relays = [await timingRelay(), await timingRelay()];
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry: testRegistry() });
    const voter = generateAgentKey();
    const keyFor = (author: string) => (author === voter.id ? voter : undefined);
    const now = 1_900_000_000;
    try {
      // Two pieces of one vote, dated ahead by the client: held by the first sync, sent when due.
      await ledger.appendBatch([
        registration(voter, now - 1_000),
        { ...anonymous(17, 0), created: now + 600 },
        { ...anonymous(17, 1), created: now + 1_200 },
      ]);
      // `agora sync --relay A --relay B`, then `sync --follow` publishing each piece at its time.
      for (const at of [now, now + 600, now + 1_200])
        for (const relay of relays)
          await publishToRelay(ledger, relay.url, { keyFor, clock: new ManualClock(at * 1000) });
      // The observer: for each ledger event, the distinct Nostr events carrying it over every relay.
      const wrappers = new Map<string, Set<string>>();
      for (const relay of relays)
        for (const { event } of relay.arrivals.filter((arrival) => anonymousContent(arrival.event))) {
          const set = wrappers.get(ledgerId(event)) ?? new Set<string>();
          set.add(event.id);
          wrappers.set(ledgerId(event), set);
        }
      expect(wrappers.size).toBe(2);
      for (const [id, set] of wrappers)
        expect(set.size, `piece ${id} travels under ${set.size} one-time keys, one per relay`).toBe(1);
    } finally {
      await ledger.close();
      for (const relay of relays) await relay.close();
    }
  });
});
