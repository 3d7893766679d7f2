import { MemoryLevel } from 'memory-level';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { canonicalJson, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  AGORA_NOSTR_KIND,
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  fromNostrEvent,
  Ledger,
  toNostrEvent,
} from '../../src/ledger/index.js';
import { startRelay } from './nostr-relay.js';

useWebSocketImplementation(WebSocket);

describe('ledger events through a real Nostr relay', () => {
  it('published from one ledger, fetched and verified into another, identical', async () => {
    const relay = await startRelay();
    const registry = () => new EventRegistry([agentRegisteredType]);
    const source = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    const replica = await Ledger.fromLevel(new MemoryLevel(), { registry: registry() });
    const keys = [generateAgentKey(), generateAgentKey(), generateAgentKey()];
    try {
      for (const [i, key] of keys.entries())
        await source.append(
          await createAgentRegistration(key, { clock: new ManualClock((1_800_000_000 + i) * 1000) }),
        );
      const publisher = await Relay.connect(relay.url);
      for await (const { event } of source.events())
        await publisher.publish(toNostrEvent(event, { author: keys.find((k) => k.id === event.author) }));
      publisher.close();

      const reader = await Relay.connect(relay.url);
      const received = await new Promise<unknown[]>((resolve) => {
        const events: unknown[] = [];
        const subscription = reader.subscribe([{ kinds: [AGORA_NOSTR_KIND] }], {
          onevent: (event) => events.push(event),
          oneose: () => {
            subscription.close();
            resolve(events);
          },
        });
      });
      reader.close();
      expect(received).toHaveLength(3);
      for (const nostr of received) await replica.append(fromNostrEvent(nostr).event);
      const lines = async (ledger: Ledger) => {
        const all: string[] = [];
        for await (const { event } of ledger.events()) all.push(canonicalJson(event));
        return all.sort();
      };
      expect(await lines(replica)).toEqual(await lines(source));
    } finally {
      await source.close();
      await replica.close();
      await relay.close();
    }
  }, 30_000);
});
