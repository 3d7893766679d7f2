import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex, ManualClock, toHex } from '../../src/core/index.js';
import {
  formatAuthorization,
  L402Provider,
  l402Fetch,
  l402NodeHandler,
  MemoryRootKeyStore,
  parseChallenge,
} from '../../src/l402/index.js';
import type { LightningBackend } from '../../src/lightning/index.js';
import { type LocalRelay, startRelay } from '../ledger/nostr-relay.js';
import { loadAlby, ownWallet, simLine } from '../lightning/nwc-world.js';

// Agents whose sats sit behind Nostr Wallet Connect buy from an agora402 L402 provider: one built on Alby's
// NWCClient (no agora402 code on its side), one on agora402's l402Fetch with an NwcBackend.
let relay: LocalRelay;
let closers: (() => Promise<void> | void)[];

beforeEach(async () => {
  relay = await startRelay();
  closers = [];
});

afterEach(async () => {
  for (const close of closers.reverse()) await close();
  await relay.close();
});

async function serve(lightning: LightningBackend, clock: ManualClock): Promise<string> {
  const provider = new L402Provider({
    lightning,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 21_000,
    clock,
  });
  const server: Server = createServer(
    l402NodeHandler(provider, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ forecast: 'sunny' }));
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/forecast`;
}

describe('NWC agents and an L402 provider', () => {
  it("an agent on Alby's NWCClient pays the provider's invoice through agora402's wallet service and gets in", async () => {
    const clock = new ManualClock(Date.now());
    const { payer, payee } = simLine(clock, ['agent', 'provider']);
    const wallet = await ownWallet(relay, payer, clock);
    closers.push(wallet.close);
    const url = await serve(payee, clock);
    const { NWCClient } = await loadAlby();
    const agent = new NWCClient({ nostrWalletConnectUrl: wallet.uri });
    closers.push(() => agent.close());

    const refused = await fetch(url);
    expect(refused.status).toBe(402);
    const challenge = parseChallenge(refused.headers.get('www-authenticate') as string);
    const { preimage, fees_paid } = await agent.payInvoice({ invoice: challenge.invoice });
    expect(fees_paid).toBeGreaterThanOrEqual(0);
    const served = await fetch(url, {
      headers: { authorization: formatAuthorization(challenge.tokens, preimage) },
    });
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ forecast: 'sunny' });
    const balance = await agent.getBalance();
    expect(balance.balance).toBe(payer.spendableMsat);
    // The agent's NWC wallet reports the payment, as NWC clients expect.
    const sent = await agent.lookupInvoice({
      payment_hash: toHex(sha256(fromHex(preimage))),
    });
    expect(sent).toMatchObject({ type: 'outgoing', state: 'settled', amount: 21_000 });
  });

  it('an agent on l402Fetch pays through its NWC wallet a provider whose own node is behind NWC', async () => {
    const clock = new ManualClock(Date.now());
    const { payer, payee } = simLine(clock, ['agent', 'provider']);
    const agentWallet = await ownWallet(relay, payer, clock);
    const providerWallet = await ownWallet(relay, payee, clock);
    closers.push(agentWallet.close, providerWallet.close);
    const url = await serve(providerWallet.client, clock);
    const before = { agent: payer.spendableMsat, provider: payee.spendableMsat };
    const response = await l402Fetch(url, {}, { lightning: agentWallet.client, maxPriceMsat: 50_000 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ forecast: 'sunny' });
    expect(payee.spendableMsat - before.provider).toBe(21_000);
    expect(before.agent - payer.spendableMsat).toBeGreaterThanOrEqual(21_000);
  });
});
