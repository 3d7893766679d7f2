import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/core/index.js';
import { generateAgentKey } from '../src/identity/index.js';
import {
  formatAuthorization,
  formatPayerHeader,
  L402Provider,
  l402Fetch,
  l402NodeHandler,
  MemoryRootKeyStore,
  TokenCache,
} from '../src/l402/index.js';
import { SimNetwork } from '../src/lightning/index.js';
import { median, medianSeconds, report } from './report.js';

const BENCH = 'l402';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Requests per second against a loopback server: `concurrency` keep-alive connections for `seconds`. */
async function load(
  port: number,
  headers: Record<string, string>,
  seconds: number,
  concurrency = 32,
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let done = 0;
  let failed = 0;
  const deadline = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/forecast', agent, headers }, (res) => {
        if (res.statusCode !== 200) failed++;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await one();
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} requests failed`);
  return done / elapsed;
}

export default async function run(): Promise<void> {
  const clock = new ManualClock(Date.now());
  const network = new SimNetwork({ clock });
  const payerNode = network.createNode('payer');
  const providerNode = network.createNode('provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 10_000_000 });
  const payer = generateAgentKey();
  const body = JSON.stringify({ temperature: 21 });
  const rootKeys = new MemoryRootKeyStore();
  const provider = new L402Provider({
    lightning: providerNode,
    rootKeys,
    service: 'weather',
    price: () => 10_000,
    identity: generateAgentKey(),
    clock,
  });
  const paidServer = createServer(
    l402NodeHandler(provider, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    }),
  );
  const plainServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  const paidPort = await listen(paidServer);
  const plainPort = await listen(plainServer);
  const tokens = new TokenCache();
  const first = await l402Fetch(
    `http://127.0.0.1:${paidPort}/forecast`,
    {},
    { lightning: payerNode, maxPriceMsat: 20_000, tokens },
  );
  if (first.status !== 200) throw new Error(`setup payment failed: ${first.status}`);
  const token = tokens.tokenFor(`http://127.0.0.1:${paidPort}`, 'weather');
  if (token === undefined) throw new Error('no token');
  const authorization = formatAuthorization([token.macaroon], token.preimage);

  // Token verification alone, no network.
  const full = new L402Provider({
    lightning: providerNode,
    rootKeys,
    service: 'weather',
    price: () => 10_000,
    clock,
    cacheVerifiedTokens: false,
  });
  const payerHeader = formatPayerHeader(payer, token);
  // authorize() is the verification itself, on the light request shape the node:http adapter passes.
  const rate = async (subject: L402Provider, count: number, headers: Record<string, string>) => {
    const request = {
      url: 'http://bench/forecast',
      method: 'GET',
      headers: { get: (name: string) => headers[name] ?? null },
    };
    const once = () => subject.authorize(request);
    for (let i = 0; i < 1000; i++) await once();
    const seconds = await medianSeconds(5, async () => {
      for (let i = 0; i < count; i++) {
        const decision = await once();
        if (decision.kind !== 'paid') throw new Error('verification failed');
      }
    });
    return count / seconds;
  };
  report({
    bench: BENCH,
    metric: 'token_verify',
    value: await rate(full, 20_000, { authorization }),
    unit: 'tokens/s',
    note: 'full check each time: header, macaroon, HMAC chain, preimage, invoice state, caveats',
  });
  report({
    bench: BENCH,
    metric: 'token_verify_with_payer_proof',
    value: await rate(full, 5_000, { authorization, 'agora-payer': payerHeader }),
    unit: 'tokens/s',
  });
  report({
    bench: BENCH,
    metric: 'token_verify_cached',
    value: await rate(provider, 20_000, { authorization }),
    unit: 'tokens/s',
  });

  // HTTP throughput on one loopback server: trivial handler with and without the middleware, same run, alternated.
  const withMiddleware: number[] = [];
  const without: number[] = [];
  for (let round = 0; round < 5; round++) {
    without.push(await load(plainPort, {}, 2));
    withMiddleware.push(await load(paidPort, { authorization }, 2));
  }
  const paidRate = median(withMiddleware);
  const plainRate = median(without);
  report({
    bench: BENCH,
    metric: 'http_with_middleware',
    value: paidRate,
    unit: 'requests/s',
    baseline: plainRate,
  });
  report({
    bench: BENCH,
    metric: 'http_overhead',
    value: 1 - paidRate / plainRate,
    unit: 'fraction of throughput lost',
  });
  paidServer.close();
  plainServer.close();
  paidServer.closeAllConnections();
  plainServer.closeAllConnections();
}
