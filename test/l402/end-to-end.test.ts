import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryLevel } from 'memory-level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, ErrorCode, ManualClock, toHex } from '../../src/core/index.js';
import { type AgentKey, generateAgentKey, signObject } from '../../src/identity/index.js';
import {
  addCaveat,
  Budget,
  decodeMacaroon,
  encodeMacaroonBase64,
  formatAuthorization,
  formatPayerHeader,
  L402Provider,
  type L402ProviderOptions,
  LedgerRootKeyStore,
  l402Fetch,
  l402NodeHandler,
  MemoryBlacklist,
  MemoryReputation,
  MemoryRootKeyStore,
  parseChallenge,
  type RootKeyStore,
  TokenCache,
} from '../../src/l402/index.js';
import {
  agentRegisteredType,
  createAgentRegistration,
  EventRegistry,
  Ledger,
  type LedgerEvent,
  parseEnvelope,
} from '../../src/ledger/index.js';
import { SimNetwork, type SimNode } from '../../src/lightning/index.js';
import { rateReceipt, receiptRatingType, receiptType, verifyReceipt } from '../../src/receipts/index.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';

interface World {
  clock: ManualClock;
  payerNode: SimNode;
  providerNode: SimNode;
  provider: AgentKey;
  payer: AgentKey;
  ledger: Ledger;
  rootKeys: RootKeyStore;
  reputation: MemoryReputation;
  blacklist: MemoryBlacklist;
  url: string;
  servers: Server[];
  serve(options?: Partial<L402ProviderOptions>): Promise<string>;
  /** The provider behind the last `serve`. */
  lastProvider?: L402Provider;
}

let world: World;

beforeEach(async () => {
  const clock = new ManualClock(Date.now());
  const network = new SimNetwork({ clock });
  const payerNode = network.createNode('payer');
  const providerNode = network.createNode('provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 1_000_000 });
  const provider = generateAgentKey();
  const payer = generateAgentKey();
  const ledger = await Ledger.fromLevel(new MemoryLevel(), {
    registry: new EventRegistry([agentRegisteredType, receiptType, receiptRatingType]),
  });
  await ledger.append(
    signObject(provider, {
      v: 1,
      type: 'agent.registered',
      created: 1,
      body: { zkCommitment: '1', nodeKeys: [providerNode.nodeKey] },
    }),
  );
  const rootKeys = new MemoryRootKeyStore();
  const reputation = new MemoryReputation();
  const blacklist = new MemoryBlacklist();
  const servers: Server[] = [];
  const serve = async (options: Partial<L402ProviderOptions> = {}) => {
    const l402 = new L402Provider({
      lightning: providerNode,
      rootKeys,
      service: 'weather',
      price: (request) => (new URL(request.url).pathname.startsWith('/premium') ? 50_000 : 10_000),
      identity: provider,
      reputation,
      blacklist,
      clock,
      ...options,
    });
    world.lastProvider = l402;
    const server = createServer(
      l402NodeHandler(l402, (req, res, paid) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ path: new URL(req.url ?? '/', 'http://x').pathname, payer: paid.payer ?? null }),
        );
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  world = {
    clock,
    payerNode,
    providerNode,
    provider,
    payer,
    ledger,
    rootKeys,
    reputation,
    blacklist,
    url: '',
    servers,
    serve,
  };
  world.url = await serve();
});

afterEach(async () => {
  for (const server of world.servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await world.ledger.close();
});

const paying = (extra: Partial<Parameters<typeof l402Fetch>[2]> = {}) => ({
  lightning: world.payerNode,
  maxPriceMsat: 100_000,
  identity: world.payer,
  ...extra,
});

async function reasonOf(response: Response): Promise<string> {
  return ((await response.json()) as { reason: string }).reason;
}

/** Pays once through l402Fetch and returns the token it used. */
async function paidToken(path = '/forecast') {
  const tokens = new TokenCache();
  const response = await l402Fetch(`${world.url}${path}`, {}, paying({ tokens }));
  expect(response.status).toBe(200);
  const token = tokens.tokenFor(new URL(world.url).origin, 'weather');
  if (token === undefined) throw new Error('no token cached');
  return token;
}

describe('L402 end to end on the sim network', () => {
  it('402 -> pay -> 200 with a receipt the client verifies, appends and rates', async () => {
    const unpaid = await fetch(`${world.url}/forecast`);
    expect(unpaid.status).toBe(402);
    const challenge = parseChallenge(unpaid.headers.get('www-authenticate') as string);
    expect(challenge.scheme).toBe('L402');
    const receipts: LedgerEvent[] = [];
    const before = (await world.payerNode.balance()).spendableMsat;
    const response = await l402Fetch(
      `${world.url}/forecast`,
      {},
      paying({ onReceipt: async (_receipt, event) => void receipts.push(event) }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ path: '/forecast', payer: world.payer.id });
    expect(before - (await world.payerNode.balance()).spendableMsat).toBe(10_000);
    expect(receipts).toHaveLength(1);
    const verified = verifyReceipt(receipts[0]);
    expect(verified.body).toMatchObject({
      service: 'weather',
      amountMsat: 10_000,
      payer: world.payer.id,
      status: 200,
    });
    expect(verified.payee).toBe(world.providerNode.nodeKey);
    const { id } = await world.ledger.append(receipts[0]);
    expect((await world.ledger.append(rateReceipt(world.payer, id, 2))).added).toBe(true);
    const stranger = generateAgentKey();
    await rejectedAgoraError(world.ledger.append(rateReceipt(stranger, id, -2)), ErrorCode.InvalidEvent);
  });

  it('sends the receipt with the first served response of a payment, and again only when asked', async () => {
    const token = await paidToken();
    const headers = { authorization: formatAuthorization([token.macaroon], token.preimage) };
    expect((await fetch(`${world.url}/forecast`, { headers })).headers.get('agora-receipt')).toBeNull();
    const asked = await fetch(`${world.url}/forecast`, {
      headers: { ...headers, 'agora-want-receipt': '1' },
    });
    expect(
      verifyReceipt(
        JSON.parse(Buffer.from(asked.headers.get('agora-receipt') as string, 'base64url').toString()),
      ).body.paymentHash,
    ).toBe(token.paymentHash);
  });

  it('never pays twice for a valid token, across paths of the same service', async () => {
    const tokens = new TokenCache();
    const budget = new Budget(1_000_000);
    for (const path of ['/forecast', '/forecast', '/history']) {
      const response = await l402Fetch(`${world.url}${path}`, {}, paying({ tokens, budget }));
      expect(response.status).toBe(200);
    }
    expect(budget.spentMsat).toBe(10_000);
  });

  it('recovers after a timeout without paying again: the retry reuses the paid token', async () => {
    let calls = 0;
    const l402 = new L402Provider({
      lightning: world.providerNode,
      rootKeys: world.rootKeys,
      service: 'slow',
      price: () => 7_000,
      clock: world.clock,
    });
    const server = createServer(
      l402NodeHandler(l402, (_req, res) => {
        calls++;
        // The first paid request hangs past the client's timeout; later ones answer at once.
        setTimeout(() => res.end('ok'), calls === 1 ? 400 : 0);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    world.servers.push(server);
    const budget = new Budget(100_000);
    const response = await l402Fetch(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`,
      {},
      paying({ budget, timeoutMs: 150, retries: 2 }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(calls).toBe(2);
    expect(budget.spentMsat).toBe(7_000);
  });

  it('refuses a price above the limit and a payment beyond the budget, before paying', async () => {
    const before = (await world.payerNode.balance()).spendableMsat;
    await rejectedAgoraError(
      l402Fetch(`${world.url}/premium`, {}, paying({ maxPriceMsat: 20_000 })),
      ErrorCode.BudgetExceeded,
    );
    await rejectedAgoraError(
      l402Fetch(`${world.url}/forecast`, {}, paying({ budget: new Budget(5_000) })),
      ErrorCode.BudgetExceeded,
    );
    expect((await world.payerNode.balance()).spendableMsat).toBe(before);
  });

  it('refuses a wrong preimage, a tampered caveat and a widened service (401)', async () => {
    const token = await paidToken();
    const authorize = (macaroon: string, preimage: string) =>
      fetch(`${world.url}/forecast`, {
        headers: {
          authorization: formatAuthorization([macaroon], preimage),
          'agora-payer': formatPayerHeader(world.payer, token),
        },
      });
    const wrong = await authorize(token.macaroon, '11'.repeat(32));
    expect(wrong.status).toBe(401);
    expect(await reasonOf(wrong)).toMatch(/preimage/);
    const macaroon = decodeMacaroon(token.macaroon);
    const tampered = {
      ...macaroon,
      caveats: macaroon.caveats.map((c) => c.replace(/valid_until=\d+/, 'valid_until=9999999999')),
    };
    const forged = await authorize(encodeMacaroonBase64(tampered), token.preimage);
    expect(forged.status).toBe(401);
    expect(await reasonOf(forged)).toMatch(/signature/);
    const narrowed = addCaveat(macaroon, 'weather_valid_until=1');
    expect((await authorize(encodeMacaroonBase64(narrowed), token.preimage)).status).toBe(401);
    const otherService = addCaveat(macaroon, 'services=similarity:0');
    const widened = await authorize(encodeMacaroonBase64(otherService), token.preimage);
    expect(widened.status).toBe(401);
    expect(await reasonOf(widened)).toMatch(/widens/);
    expect((await authorize(token.macaroon, token.preimage)).status).toBe(200);
  });

  it('refuses an expired token (valid_until passed) with 401', async () => {
    const token = await paidToken();
    world.clock.advance(3601_000);
    const response = await fetch(`${world.url}/forecast`, {
      headers: {
        authorization: formatAuthorization([token.macaroon], token.preimage),
        'agora-payer': formatPayerHeader(world.payer, token),
      },
    });
    expect(response.status).toBe(401);
    expect(await reasonOf(response)).toMatch(/expired/);
  });

  it('refuses a token of another service (401), even when both share a root key store', async () => {
    const token = await paidToken();
    const similarity = await world.serve({ service: 'similarity' });
    const response = await fetch(`${similarity}/cosine`, {
      headers: {
        authorization: formatAuthorization([token.macaroon], token.preimage),
        'agora-payer': formatPayerHeader(world.payer, token),
      },
    });
    expect(response.status).toBe(401);
    // The payer proof names the service it was signed for, so it fails first; without it, the caveat does.
    expect(await reasonOf(response)).toMatch(/this provider and service/);
    const anonymous = await fetch(`${similarity}/cosine`, {
      headers: { authorization: formatAuthorization([token.macaroon], token.preimage) },
    });
    expect(anonymous.status).toBe(401);
    expect(await reasonOf(anonymous)).toMatch(/does not grant service similarity/);
  });

  it('refuses a payer below the reputation threshold (403) before it pays, and a bound token used by another payer (401)', async () => {
    const guarded = await world.serve({ policy: { bindPayer: true, minReputation: 10 } });
    world.reputation.set(world.payer.id, 5);
    const before = (await world.payerNode.balance()).spendableMsat;
    const low = await l402Fetch(`${guarded}/forecast`, {}, paying());
    expect(low.status).toBe(403);
    expect(await reasonOf(low)).toMatch(/below the required 10/);
    expect((await world.payerNode.balance()).spendableMsat).toBe(before);
    world.reputation.set(world.payer.id, 20);
    const tokens = new TokenCache();
    expect((await l402Fetch(`${guarded}/forecast`, {}, paying({ tokens }))).status).toBe(200);
    const token = tokens.tokenFor(new URL(guarded).origin, 'weather');
    const thief = generateAgentKey();
    world.reputation.set(thief.id, 50);
    const stolen = await fetch(`${guarded}/forecast`, {
      headers: {
        authorization: formatAuthorization([token?.macaroon as string], token?.preimage as string),
        'agora-payer': formatPayerHeader(thief, token),
      },
    });
    expect(stolen.status).toBe(401);
    expect(await reasonOf(stolen)).toMatch(/another payer/);
    world.reputation.set(world.payer.id, 1);
    const fallen = await l402Fetch(`${guarded}/forecast`, {}, paying({ tokens }));
    expect(fallen.status).toBe(403);
  });

  it('refuses a blacklisted payer (403)', async () => {
    const guarded = await world.serve({ policy: { blacklist: true } });
    const tokens = new TokenCache();
    expect((await l402Fetch(`${guarded}/forecast`, {}, paying({ tokens }))).status).toBe(200);
    world.blacklist.add(world.payer.id);
    const refused = await l402Fetch(`${guarded}/forecast`, {}, paying({ tokens }));
    expect(refused.status).toBe(403);
    expect(await reasonOf(refused)).toMatch(/blacklist/);
    const anonymous = await fetch(`${guarded}/forecast`);
    expect(anonymous.status).toBe(401);
  });

  it('answers the legacy challenge forms when asked, and the client pays them', async () => {
    const legacy = await world.serve({ legacyChallenge: true });
    const unpaid = await fetch(`${legacy}/forecast`);
    expect(unpaid.headers.get('www-authenticate')).toMatch(/macaroon="/);
    expect((await l402Fetch(`${legacy}/forecast`, {}, paying())).status).toBe(200);
  });

  it('keeps root keys in the ledger store; a revoked key refuses its token', async () => {
    const rootKeys = new LedgerRootKeyStore(world.ledger);
    const stored = await world.serve({ rootKeys });
    const tokens = new TokenCache();
    expect((await l402Fetch(`${stored}/forecast`, {}, paying({ tokens }))).status).toBe(200);
    const token = tokens.tokenFor(new URL(stored).origin, 'weather');
    expect(await rootKeys.get(toHex(token?.tokenId as Uint8Array))).toBeDefined();
    await world.lastProvider?.revoke(toHex(token?.tokenId as Uint8Array));
    expect(await rootKeys.get(toHex(token?.tokenId as Uint8Array))).toBeUndefined();
    const revoked = await fetch(`${stored}/forecast`, {
      headers: {
        authorization: formatAuthorization([token?.macaroon as string], token?.preimage as string),
        'agora-payer': formatPayerHeader(world.payer, token),
      },
    });
    expect(revoked.status).toBe(401);
  });
});

describe('receipts for third parties', () => {
  it('verify offline, and fail when any field is changed', async () => {
    const events: LedgerEvent[] = [];
    await l402Fetch(
      `${world.url}/forecast`,
      {},
      paying({ onReceipt: (_r, event) => void events.push(event) }),
    );
    const receipt = events[0] as LedgerEvent;
    expect(verifyReceipt(JSON.parse(canonicalJson(receipt))).id).toMatch(/^[0-9a-f]{64}$/);
    const body = receipt.body as Record<string, unknown>;
    const changes: Record<string, unknown>[] = [
      { ...receipt, created: (receipt.created as number) + 1 },
      { ...receipt, author: generateAgentKey().id },
      ...Object.keys(body).map((field) => ({
        ...receipt,
        body: {
          ...body,
          [field]:
            typeof body[field] === 'number'
              ? (body[field] as number) + 1
              : field === 'payer'
                ? generateAgentKey().id
                : `${String(body[field]).slice(0, -1)}${String(body[field]).endsWith('0') ? '1' : '0'}`,
        },
      })),
    ];
    for (const changed of changes) thrownAgoraError(() => verifyReceipt(changed));
    // Re-signed by the provider with a false preimage or amount, it still fails: the invoice binds them.
    for (const field of ['preimage', 'amountMsat', 'paymentHash'] as const) {
      const lie = signObject(world.provider, {
        v: 1,
        type: 'receipt',
        created: receipt.created,
        body: { ...body, [field]: field === 'amountMsat' ? 20_000 : '22'.repeat(32) } as never,
      });
      thrownAgoraError(() => verifyReceipt(lie), ErrorCode.InvalidEvent);
    }
  });

  it("are not stored by the ledger (they wait for a registration) when the invoice node key is not the provider's", async () => {
    const events: LedgerEvent[] = [];
    await l402Fetch(
      `${world.url}/forecast`,
      {},
      paying({ onReceipt: (_r, event) => void events.push(event) }),
    );
    const impostor = generateAgentKey();
    const stolen = signObject(impostor, {
      v: 1,
      type: 'receipt',
      created: 5,
      body: (events[0] as LedgerEvent).body,
    });
    await rejectedAgoraError(world.ledger.append(stolen), ErrorCode.MissingReference);
    // Registered, but without that node key: it still waits, and is never stored.
    await world.ledger.append(await createAgentRegistration(impostor, { clock: new ManualClock(0) }));
    await rejectedAgoraError(world.ledger.append(stolen), ErrorCode.MissingReference);
    expect(await world.ledger.has(parseEnvelope(stolen).id)).toBe(false);
  });
});
