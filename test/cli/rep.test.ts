import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Event as NostrEvent, verifyEvent } from 'nostr-tools';
import { AbstractRelay } from 'nostr-tools/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openHomeLedger } from '../../src/cli/home.js';
import { startRelay } from '../ledger/nostr-relay.js';
import { economy } from '../reputation/economy.js';
import { agora } from './harness.js';

let dir: string;
let home: string;
let agents: Awaited<ReturnType<typeof economy>>['agents'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agora-rep-'));
  home = join(dir, 'home');
  expect((await agora(['init', '--home', home])).code).toBe(0);
  const world = await economy();
  agents = world.agents;
  const ledger = await openHomeLedger(home);
  try {
    await ledger.appendBatch([...world.registrations, ...world.receipts, ...world.ratings]);
  } finally {
    await ledger.close();
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every stored event of `kind` by `author` on the relay at `url`, read with nostr-tools. */
async function readBack(url: string, kind: number, author: string): Promise<NostrEvent[]> {
  const relay = await AbstractRelay.connect(url, {
    websocketImplementation: WebSocket as never,
    verifyEvent,
  });
  try {
    return await new Promise<NostrEvent[]>((resolve) => {
      const events: NostrEvent[] = [];
      const subscription = relay.subscribe([{ kinds: [kind], authors: [author] }], {
        onevent: (event) => events.push(event),
        oneose: () => {
          subscription.close();
          resolve(events);
        },
      });
    });
  } finally {
    relay.close();
  }
}

describe('agora rep: certified scores', () => {
  it('show and top carry the certified error bound and the ledger position; human output names the unit', async () => {
    const provider = agents[4]?.key.id as string;
    const stats = JSON.parse((await agora(['ledger', 'stats', '--home', home, '--json'])).stdout);
    const shown = JSON.parse((await agora(['rep', 'show', provider, '--home', home, '--json'])).stdout);
    expect(shown.certificate).toMatchObject({ ledgerSeq: stats.lastSeq, unit: 'ppb of all trust' });
    expect(shown.certificate.errorBoundPpb).toBeGreaterThanOrEqual(1);
    expect(shown.certificate.errorBound).toBeLessThan(1e-9);
    const top = JSON.parse((await agora(['rep', 'top', '--n', '3', '--home', home, '--json'])).stdout);
    expect(top.certificate).toEqual(shown.certificate);
    expect(top.top[0]).toMatchObject({ errorBoundPpb: shown.certificate.errorBoundPpb });
    expect(top.top[0].receipts).toBeGreaterThan(0);
    const text = (await agora(['rep', 'show', provider, '--home', home])).stdout;
    expect(text).toMatch(/score {7}\d+ ppb of all trust ±\d+ ppb certified/);
    expect(text).toContain(`ledger      up to seq ${stats.lastSeq}`);
    const topText = (await agora(['rep', 'top', '--home', home])).stdout;
    expect(topText.split('\n')[0]).toMatch(/ppb of all trust, each within ±\d+ ppb .* seq \d+/);
    expect(topText).toMatch(/\d+ ppb {2}\d+ receipts/);
  });

  it('publish sends NIP-85 assertions (kind 30382) that nostr-tools reads back from a relay, signed per algorithm', async () => {
    const relay = await startRelay();
    try {
      const outcome = await agora([
        'rep',
        'publish',
        '--relay',
        relay.url,
        '--top',
        '4',
        '--home',
        home,
        '--json',
      ]);
      expect(outcome.code).toBe(0);
      const summary = JSON.parse(outcome.stdout);
      expect(summary).toMatchObject({ relay: relay.url, kind: 30382, published: 4 });
      // The service key is not the agent's own key: a key per algorithm.
      const own = JSON.parse((await agora(['id', 'show', '--home', home, '--json'])).stdout);
      expect(summary.serviceKey).not.toBe(own.id);
      const events = await readBack(relay.url, 30382, summary.serviceKey);
      expect(events).toHaveLength(4);
      const top = JSON.parse((await agora(['rep', 'top', '--n', '4', '--home', home, '--json'])).stdout);
      for (const event of events) {
        expect(verifyEvent(event)).toBe(true);
        const tag = (name: string) => event.tags.find((t) => t[0] === name)?.[1];
        const subject = tag('d') as string;
        const expected = top.top.find((t: { id: string }) => t.id === subject);
        expect(expected).toBeDefined();
        expect(Number(tag('score'))).toBe(expected.score);
        expect(Number(tag('receipt_cnt'))).toBe(expected.receipts);
        expect(Number(tag('ledger_seq'))).toBe(top.certificate.ledgerSeq);
        expect(Number(tag('error_bound'))).toBe(top.certificate.errorBoundPpb);
        const rank = Number(tag('rank'));
        expect(rank >= 0 && rank <= 100 && Number.isInteger(rank)).toBe(true);
      }
      // Publishing again replaces rather than adds (addressable events: one per subject and key).
      await agora(['rep', 'publish', '--relay', relay.url, '--top', '4', '--home', home]);
      expect(await readBack(relay.url, 30382, summary.serviceKey)).toHaveLength(4);
      expect((await agora(['rep', 'publish', '--home', home])).code).toBe(2);
      expect((await agora(['rep', 'publish', '--relay', 'http://x', '--home', home])).code).toBe(2);
    } finally {
      await relay.close();
    }
  });
});
