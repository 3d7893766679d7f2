import type { Event as NostrEvent } from 'nostr-tools';
import { finalizeEvent } from 'nostr-tools/pure';
import { AbstractRelay } from 'nostr-tools/relay';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock } from '../../src/core/index.js';
import { NWC_KIND, NwcBackend, NwcWalletService, parseNwcUri } from '../../src/lightning/index.js';
import { NwcCipher } from '../../src/lightning/nwc/nwc-crypto.js';
import { type LocalRelay, startRelay } from '../ledger/nostr-relay.js';
import { simLine } from '../lightning/nwc-world.js';

// Whoever sees a request event on a relay (the relay itself, anyone subscribed to the wallet's requests) can publish
// it again, on another relay the wallet listens on, now or much later; an honest client publishing to two relays
// delivers it twice too. A wallet service that acts on each copy pays again, creates again, settles or cancels again
// what the client meant once; one that acts on it late acts after the client gave up. (Requests past their
// `expiration` tag are dropped too; the test relay already refuses to forward those, as NIP-40 asks.)
let relays: LocalRelay[];
let spies: AbstractRelay[];
let closers: (() => Promise<void> | void)[];
beforeEach(async () => {
  relays = [await startRelay(), await startRelay()];
  spies = await Promise.all(
    relays.map((r) =>
      AbstractRelay.connect(r.url, { verifyEvent: () => true, websocketImplementation: WebSocket as never }),
    ),
  );
  closers = [];
});
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  for (const spy of spies) spy.close();
  for (const relay of relays) await relay.close();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

describe('attack: NWC request events replayed', () => {
  it('answers a request once, whatever relay brings a copy, and not at all an hour later', async () => {
    const clock = new ManualClock(Date.now());
    const { payee } = simLine(clock);
    const service = await NwcWalletService.start({ relays: relays.map((r) => r.url), backend: payee, clock });
    const uri = service.connect();
    const client = new NwcBackend(uri, { clock });
    closers.push(
      () => service.close(),
      () => client.close(),
    );
    const { walletPubkey, secret } = parseNwcUri(uri);
    const requests: NostrEvent[] = [];
    const responses = new Map<string, NostrEvent>();
    for (const spy of spies) {
      spy.subscribe([{ kinds: [NWC_KIND.request], '#p': [walletPubkey] }], {
        onevent: (e) => requests.push(e),
      });
      spy.subscribe([{ kinds: [NWC_KIND.response], authors: [walletPubkey] }], {
        onevent: (e) => responses.set(e.id, e),
      });
    }
    await settle();
    const answersTo = (id: string) =>
      [...responses.values()].filter((r) => r.tags.some((t) => t[0] === 'e' && t[1] === id));

    await client.createInvoice({ amountMsat: 7_000 });
    await settle();
    const captured = requests[0] as NostrEvent;
    expect(captured).toBeDefined();
    expect(answersTo(captured.id)).toHaveLength(1);

    for (const spy of spies) await spy.publish(captured).catch(() => {});
    await settle();
    expect(answersTo(captured.id)).toHaveLength(1);

    const cipher = new NwcCipher(secret, walletPubkey);
    const stale = finalizeEvent(
      {
        kind: NWC_KIND.request,
        created_at: Math.floor(Date.now() / 1000) - 3_600,
        tags: [
          ['p', walletPubkey],
          ['encryption', 'nip44_v2'],
        ],
        content: cipher.encrypt('nip44_v2', JSON.stringify({ method: 'get_balance', params: {} })),
      },
      secret,
    );
    await (spies[1] as AbstractRelay).publish(stale);
    await settle();
    expect(answersTo(stale.id)).toHaveLength(0);
  });
});
