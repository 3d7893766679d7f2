import { mkdtempSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/core/index.js';
import { computeSnapshot, credentialHolder } from '../src/governance/index.js';
import { fileAgentState, generateAgentKey, zkIdentity } from '../src/identity/index.js';
import {
  CredentialBatcher,
  CredentialHistory,
  credentialProof,
  credentialStatement,
  credentialWeight,
  decodeMacaroon,
  formatAuthorization,
  formatPayerHeader,
  L402Provider,
  l402Fetch,
  l402NodeHandler,
  levelAtLeast,
  MemoryRootKeyStore,
  parseCredentialCaveat,
  parseCredentialHeader,
  TokenCache,
} from '../src/l402/index.js';
import { SimNetwork } from '../src/lightning/index.js';
import { Prover, Verifier, type VoteProof } from '../src/zk/index.js';
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
  await credentials(clock, network);
}

/** Proofs per batch in the batched figures: what a provider under load verifies in one multi-pairing. */
const BATCH = 64;

/**
 * Anonymous reputation credentials: proofs checked per second alone and in batches, and the latency a credential
 * adds to a paid request (the first use of a token: its proof verified; later uses hit the verdict cache).
 */
async function credentials(clock: ManualClock, network: SimNetwork): Promise<void> {
  const [prover, verifier] = await Promise.all([Prover.load(), Verifier.load()]);
  const payerKey = generateAgentKey();
  const others = Array.from({ length: 7 }, () => generateAgentKey());
  const commitments = new Map<string, bigint>();
  const base = new Map<string, bigint>();
  for (const [i, key] of [payerKey, ...others].entries()) {
    commitments.set(key.id, (await zkIdentity(key)).commitment);
    base.set(key.id, credentialWeight(10_000_000 * (i + 1)));
  }
  const snapshot = {
    ...(await computeSnapshot({ mode: 'reputation', base, commitments, delegations: [], asOf: 0 })),
    asOf: 0,
  };
  // The payer's history on disk, as an agent home keeps it: every proof writes it before proving.
  const history = await CredentialHistory.open(
    fileAgentState(join(mkdtempSync(join(tmpdir(), 'agora-bench-')), 'credential-history.json')),
  );
  const holder = await credentialHolder(
    prover,
    payerKey.id,
    (await zkIdentity(payerKey)).secret,
    [snapshot],
    {
      history,
    },
  );
  const payerNode = network.createNode('credential-payer');
  const providerNode = network.createNode('credential-provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 10_000_000 });
  const rootKeys = new MemoryRootKeyStore();
  const batcher = new CredentialBatcher(verifier, BATCH);
  const gated = (cache: boolean) =>
    new L402Provider({
      lightning: providerNode,
      rootKeys,
      service: 'weather',
      price: () => 10_000,
      clock,
      cacheVerifiedTokens: cache,
      credential: { minScore: 5_000_000, roots: () => [snapshot.root], verifier: batcher },
    });
  const plain = () =>
    new L402Provider({ lightning: providerNode, rootKeys, service: 'weather', price: () => 10_000, clock });
  // Two paid tokens with their credentials, bought through l402Fetch (each proved once), and a plain token.
  const buy = async (provider: L402Provider, withCredential: boolean) => {
    const tokens = new TokenCache();
    const response = await l402Fetch(
      'http://bench.test/forecast',
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 20_000,
        tokens,
        ...(withCredential ? { credential: holder, clock } : {}),
        fetch: async (input, init) => provider.handle(new Request(input, init), () => new Response('ok')),
      },
    );
    if (response.status !== 200) throw new Error(`credential setup failed: ${response.status}`);
    return tokens.tokenFor('http://bench.test', 'weather') as NonNullable<ReturnType<TokenCache['tokenFor']>>;
  };
  const paid = [await buy(gated(true), true), await buy(gated(true), true)];
  const plainToken = await buy(plain(), false);
  const proofs: VoteProof[] = await Promise.all(
    paid.map((token) => {
      const credential = parseCredentialHeader(token.credential as string);
      const statement = credentialStatement(
        {
          provider: token.provider,
          service: 'weather',
          epoch: epochOf(token.macaroon),
        },
        decodeMacaroon(token.macaroon).identifier,
        levelAtLeast(5_000_000),
        credential.root,
      );
      return credentialProof(statement, credential);
    }),
  );
  for (const proof of proofs)
    if (!(await verifier.verify(proof))) throw new Error('bench credential refused');

  const single = await medianSeconds(3, async () => {
    for (let i = 0; i < 16; i++) await verifier.verify(proofs[i % proofs.length] as VoteProof);
  });
  report({ bench: BENCH, metric: 'credential_verify_single', value: 16 / single, unit: 'proofs/s' });
  const batch = Array.from({ length: BATCH }, (_, i) => proofs[i % proofs.length] as VoteProof);
  const batched = await medianSeconds(3, async () => {
    const results = await Promise.all(batch.map((proof) => batcher.verify(proof)));
    if (!results.every(Boolean)) throw new Error('a batched credential was refused');
  });
  report({
    bench: BENCH,
    metric: 'credential_verify_batched',
    value: BATCH / batched,
    unit: 'proofs/s',
    baseline: 16 / single,
    note: `${BATCH} concurrent checks through the provider's batcher (one multi-pairing), baseline: one at a time`,
  });

  // Added latency of a paid request whose token's credential is checked (a fresh provider: no cached verdict, no
  // cached token) against the same request with a plain token, alternated, medians.
  const timeOf = async (provider: L402Provider, headers: Record<string, string>) => {
    const request = {
      url: 'http://bench/forecast',
      method: 'GET',
      headers: { get: (n: string) => headers[n] ?? null },
    };
    const start = performance.now();
    const decision = await provider.authorize(request);
    if (decision.kind !== 'paid') throw new Error('bench request refused');
    return performance.now() - start;
  };
  const gatedTimes: number[] = [];
  const plainTimes: number[] = [];
  for (let i = 0; i < 21; i++) {
    const token = paid[i % paid.length] as (typeof paid)[number];
    gatedTimes.push(
      await timeOf(gated(false), {
        authorization: formatAuthorization([token.macaroon], token.preimage),
        'agora-credential': token.credential as string,
      }),
    );
    plainTimes.push(
      await timeOf(plain(), {
        authorization: formatAuthorization([plainToken.macaroon], plainToken.preimage),
      }),
    );
  }
  report({
    bench: BENCH,
    metric: 'credential_added_latency',
    value: median(gatedTimes) - median(plainTimes),
    unit: 'ms',
    note: `median of 21 first uses of a gated token (${median(gatedTimes).toFixed(2)} ms) less that of a plain token (${median(plainTimes).toFixed(2)} ms); later uses hit the verdict cache`,
  });
  await prover.close();
}

/** The epoch a token's credential caveat names. */
function epochOf(macaroon: string): number {
  const caveat = decodeMacaroon(macaroon).caveats.find((c) =>
    c.startsWith('agora_anon_reputation='),
  ) as string;
  return parseCredentialCaveat(caveat.slice(caveat.indexOf('=') + 1)).epoch;
}
