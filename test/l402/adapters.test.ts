import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  L402Provider,
  l402Express,
  l402Fetch,
  l402Hono,
  MemoryRootKeyStore,
  type PaidRequest,
} from '../../src/l402/index.js';
import type { LedgerEvent } from '../../src/ledger/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { verifyReceipt } from '../../src/receipts/index.js';

function setup(policy = {}) {
  const network = new SimNetwork();
  const payerNode = network.createNode('payer');
  const providerNode = network.createNode('provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 1_000_000 });
  const payer = generateAgentKey();
  const blacklist = new Set<string>();
  const provider = new L402Provider({
    lightning: providerNode,
    rootKeys: new MemoryRootKeyStore(),
    service: 'similarity',
    price: () => 3_000,
    identity: generateAgentKey(),
    policy,
    blacklist: { has: (id) => blacklist.has(id) },
  });
  return { payerNode, payer, provider, blacklist };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('framework adapters', () => {
  it('Express: 402, then paid with res.locals.l402 and a receipt; a blacklisted payer gets 403', async () => {
    const { payerNode, payer, provider, blacklist } = setup({ blacklist: true });
    const app = express();
    app.use('/api', l402Express(provider));
    app.get('/api/cosine', (_req, res) => {
      res.json({ similarity: 0.5, paid: (res.locals.l402 as PaidRequest).amountMsat });
    });
    const server = app.listen(0);
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/cosine`;
    expect((await fetch(url, { headers: { 'agora-payer': payer.id } })).status).toBe(402);
    const receipts: LedgerEvent[] = [];
    const response = await l402Fetch(
      url,
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 5_000,
        identity: payer,
        onReceipt: (_r, e) => void receipts.push(e),
      },
    );
    expect(await response.json()).toEqual({ similarity: 0.5, paid: 3_000 });
    expect(verifyReceipt(receipts[0]).body.service).toBe('similarity');
    blacklist.add(payer.id);
    expect((await fetch(url, { headers: { 'agora-payer': payer.id } })).status).toBe(403);
  });

  it('Hono: 402, then paid with c.get("l402") and a receipt', async () => {
    const { payerNode, payer, provider } = setup();
    const app = new Hono<{ Variables: { l402: PaidRequest } }>();
    app.use('/api/*', l402Hono(provider));
    app.post('/api/cosine', async (c) =>
      c.json({ body: await c.req.text(), paid: c.get('l402').amountMsat }),
    );
    const viaHono = (input: string | URL | Request, init?: RequestInit) =>
      Promise.resolve(app.fetch(new Request(input, init)));
    const url = 'http://provider.test/api/cosine';
    expect((await viaHono(url, { method: 'POST' })).status).toBe(402);
    const receipts: LedgerEvent[] = [];
    const response = await l402Fetch(
      url,
      { method: 'POST', body: '[1,0] [0.5,0.5]' },
      {
        lightning: payerNode,
        maxPriceMsat: 5_000,
        identity: payer,
        fetch: viaHono as typeof fetch,
        onReceipt: (_r, e) => void receipts.push(e),
      },
    );
    expect(await response.json()).toEqual({ body: '[1,0] [0.5,0.5]', paid: 3_000 });
    expect(receipts).toHaveLength(1);
  });
});
