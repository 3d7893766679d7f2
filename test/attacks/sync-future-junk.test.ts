// Attack 4 of issue 16: one junk Nostr event blinded a follower. `pullFromRelay` moved its position to the newest
// `created_at` among all events received, valid or not: a kind-4402 event with content `junk` dated a day ahead
// made every later honest event invisible to that follower, and honest events published late were missed the same
// way. The Nostr `created_at` was not bound to the event's `created` either.
import { MemoryLevel } from 'memory-level';
import { finalizeEvent, generateSecretKey } from 'nostr-tools';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode, ManualClock, unixSeconds } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  AGORA_NOSTR_KIND,
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  fromNostrEvent,
  Ledger,
  pullFromRelay,
  toNostrEvent,
} from '../../src/ledger/index.js';
import { thrownAgoraError } from '../helpers.js';
import { startRelay } from '../ledger/nostr-relay.js';

useWebSocketImplementation(WebSocket);

const ledger = () =>
  Ledger.fromLevel(new MemoryLevel(), { registry: new EventRegistry([agentRegisteredType]) });

/** An honest registration created at `created` (unix seconds), as its author publishes it. */
async function honest(created: number) {
  const key = generateAgentKey();
  const event = await createAgentRegistration(key, { clock: new ManualClock(created * 1000) });
  return { event, nostr: toNostrEvent(event, { author: key }) };
}

describe('attack: junk events with future timestamps blind a follower (sync-future-junk)', () => {
  it('a follower fed junk dated ahead still receives every later honest event, and late ones on the next pull', async () => {
    const relay = await startRelay();
    const follower = await ledger();
    const publisher = await Relay.connect(relay.url);
    try {
      const now = unixSeconds();
      await publisher.publish((await honest(now - 100)).nostr);
      const junk = generateSecretKey();
      for (const ahead of [86_400, 3_600, 60])
        await publisher.publish(
          finalizeEvent({ kind: AGORA_NOSTR_KIND, created_at: now + ahead, tags: [], content: 'junk' }, junk),
        );
      const first = await pullFromRelay(follower, relay.url);
      expect(first).toMatchObject({ imported: 1, invalid: 3 });
      // Honest events after the junk: one created now, one published late (created two minutes before the pull).
      await publisher.publish((await honest(now + 1)).nostr);
      await publisher.publish((await honest(now - 120)).nostr);
      const second = await pullFromRelay(follower, relay.url);
      expect(second.imported).toBe(2);
      let count = 0;
      for await (const _ of follower.events()) count++;
      expect(count).toBe(3);
      expect(second.position).toBeLessThanOrEqual(unixSeconds());
    } finally {
      publisher.close();
      await follower.close();
      await relay.close();
    }
  }, 30_000);

  it('refuses a Nostr created_at other than the event created', async () => {
    const author = generateAgentKey();
    const own = await createAgentRegistration(author, { clock: new ManualClock(1_800_000_000_000) });
    const nostr = toNostrEvent(own, { author });
    expect(fromNostrEvent(nostr).id).toMatch(/^[0-9a-f]{64}$/);
    const moved = finalizeEvent(
      { kind: nostr.kind, created_at: nostr.created_at + 86_400, tags: nostr.tags, content: nostr.content },
      author.secretKey,
    );
    thrownAgoraError(() => fromNostrEvent(moved), ErrorCode.InvalidEvent);
  });
});
