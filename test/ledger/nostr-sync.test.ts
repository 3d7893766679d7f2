import { MemoryLevel } from 'memory-level';
import { finalizeEvent, generateSecretKey } from 'nostr-tools';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { canonicalJson, ErrorCode, ManualClock } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import {
  AGORA_NOSTR_KIND,
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  followRelay,
  Ledger,
  publishToRelay,
  pullFromRelay,
  toNostrEvent,
} from '../../src/ledger/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { startRelay } from './nostr-relay.js';

useWebSocketImplementation(WebSocket);

const ledger = () =>
  Ledger.fromLevel(new MemoryLevel(), { registry: new EventRegistry([agentRegisteredType]) });
const lines = async (l: Ledger) => {
  const all: string[] = [];
  for await (const { event } of l.events()) all.push(canonicalJson(event));
  return all.sort();
};

describe('ledger sync through Nostr relays', () => {
  it('three ledgers converge through two relays; forged events are counted and never stored; pulls resume', async () => {
    const [r1, r2] = [await startRelay(), await startRelay()];
    const [a, b, c] = [await ledger(), await ledger(), await ledger()];
    const keys = new Map<string, AgentKey>();
    const register = async (target: Ledger, n: number) => {
      for (let i = 0; i < n; i++) {
        const key = generateAgentKey();
        keys.set(key.id, key);
        await target.append(
          await createAgentRegistration(key, { clock: new ManualClock((1_800_000_000 + keys.size) * 1000) }),
        );
      }
    };
    const keyFor = (author: string) => keys.get(author);
    try {
      await register(a, 3);
      await register(b, 2);
      expect(await publishToRelay(a, r1.url, { keyFor })).toEqual({ published: 3, skipped: 0, held: 0 });
      expect(await publishToRelay(b, r2.url, { keyFor })).toEqual({ published: 2, skipped: 0, held: 0 });
      // A relay serving a forged event (a registration whose signature is another key's) and garbage content.
      const forger = await Relay.connect(r1.url);
      const honest = toNostrEvent((await a.events().next()).value?.event, { author: [...keys.values()][0] });
      const forged = JSON.parse(honest.content);
      forged.body.nodeKeys = [`02${'11'.repeat(32)}`];
      const evil = generateSecretKey();
      await forger.publish(
        finalizeEvent(
          {
            kind: AGORA_NOSTR_KIND,
            created_at: 1_800_000_100,
            tags: [['x', '00'.repeat(32)]],
            content: JSON.stringify(forged),
          },
          evil,
        ),
      );
      await forger.publish(
        finalizeEvent(
          { kind: AGORA_NOSTR_KIND, created_at: 1_800_000_101, tags: [], content: 'not json' },
          evil,
        ),
      );
      forger.close();

      const fromFirst = await pullFromRelay(c, r1.url);
      expect(fromFirst).toMatchObject({ received: 5, imported: 3, invalid: 2 });
      const fromSecond = await pullFromRelay(c, r2.url);
      expect(fromSecond).toMatchObject({ received: 2, imported: 2, invalid: 0 });
      expect((await lines(c)).length).toBe(5);
      // c passes what it learned on (the originals, under their authors' signatures) to the other relay; a and b pull.
      await publishToRelay(c, r2.url, { keyFor: () => undefined });
      await publishToRelay(c, r1.url, { keyFor: () => undefined });
      await pullFromRelay(a, r2.url);
      await pullFromRelay(b, r1.url);
      expect(await lines(a)).toEqual(await lines(c));
      expect(await lines(b)).toEqual(await lines(c));
      // A second pull resumes from the newest event seen: nothing new to import.
      expect(await pullFromRelay(c, r1.url)).toMatchObject({ imported: 0 });
    } finally {
      for (const l of [a, b, c]) await l.close();
      await r1.close();
      await r2.close();
    }
  }, 60_000);

  it('reports a dead relay as BACKEND_UNREACHABLE', async () => {
    const relay = await startRelay();
    await relay.close();
    const l = await ledger();
    await rejectedAgoraError(pullFromRelay(l, relay.url, { timeoutMs: 1_000 }), ErrorCode.BackendUnreachable);
    await l.close();
  });

  it('follows two relays live, keeps going when one is killed, and stops on abort', async () => {
    const [r1, r2] = [await startRelay(), await startRelay()];
    const [source, follower] = [await ledger(), await ledger()];
    const keys = new Map<string, AgentKey>();
    const add = async () => {
      const key = generateAgentKey();
      keys.set(key.id, key);
      await source.append(
        await createAgentRegistration(key, { clock: new ManualClock((1_800_000_000 + keys.size) * 1000) }),
      );
    };
    const keyFor = (author: string) => keys.get(author);
    const stop = new AbortController();
    const count = async () => (await lines(follower)).length;
    const until = async (n: number) => {
      for (let i = 0; i < 200 && (await count()) < n; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      return count();
    };
    const errors: unknown[] = [];
    const following = Promise.all(
      [r1, r2].map((relay) =>
        followRelay(follower, relay.url, {
          signal: stop.signal,
          maxBackoffMs: 200,
          onError: (e) => errors.push(e),
        }),
      ),
    );
    try {
      await add();
      for (const relay of [r1, r2]) await publishToRelay(source, relay.url, { keyFor });
      expect(await until(1)).toBe(1);
      // Relay 1 dies; what goes to relay 2 still arrives.
      await r1.close();
      await add();
      await add();
      await publishToRelay(source, r2.url, { keyFor });
      expect(await until(3)).toBe(3);
      expect(await lines(follower)).toEqual(await lines(source));
      // The dead relay is retried with backoff (and fails) while the live one goes on.
      for (let i = 0; i < 200 && errors.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(errors.length).toBeGreaterThan(0);
      stop.abort();
      await following;
    } finally {
      stop.abort();
      await source.close();
      await follower.close();
      await r2.close();
    }
  }, 60_000);
});
