// Events synchronised from a loopback Nostr relay into a LevelDB ledger, every one verified (Nostr signature and
// author binding, then the ledger's own signature and body checks), fsync on.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Relay, useWebSocketImplementation } from 'nostr-tools/relay';
import WebSocket from 'ws';
import { ManualClock } from '../src/core/index.js';
import { generateAgentKey } from '../src/identity/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
  pullFromRelay,
  toNostrEvent,
} from '../src/ledger/index.js';
import { startRelay } from '../test/ledger/nostr-relay.js';
import { median, progress, report } from './report.js';

const BENCH = 'sync';
const EVENTS = 5_000;

export default async function run(): Promise<void> {
  useWebSocketImplementation(WebSocket);
  const relay = await startRelay();
  try {
    const publisher = await Relay.connect(relay.url);
    const tick = progress('publishing');
    for (let i = 0; i < EVENTS; i++) {
      const key = generateAgentKey();
      const event = await createAgentRegistration(key, {
        clock: new ManualClock((1_800_000_000 + i) * 1000),
      });
      await publisher.publish(toNostrEvent(event, { author: key }));
      tick(i + 1, EVENTS);
    }
    publisher.close();
    const times: number[] = [];
    for (let r = 0; r < 3; r++) {
      const dir = await mkdtemp(join(tmpdir(), 'agora-bench-sync-'));
      const ledger = await Ledger.open(dir, { registry: new EventRegistry([agentRegisteredType]) });
      try {
        const start = performance.now();
        const pulled = await pullFromRelay(ledger, relay.url, { timeoutMs: 120_000 });
        times.push((performance.now() - start) / 1000);
        if (pulled.imported !== EVENTS) throw new Error(`imported ${pulled.imported} of ${EVENTS}`);
      } finally {
        await ledger.close();
        await rm(dir, { recursive: true, force: true });
      }
    }
    report({
      bench: BENCH,
      metric: 'sync_events',
      value: EVENTS / median(times),
      unit: 'events/s',
      note: `${EVENTS} signed events from a loopback relay (@nostr-relay/core, SQLite) into LevelDB with fsync, each verified twice (Nostr, then the ledger)`,
    });
  } finally {
    await relay.close();
  }
}
