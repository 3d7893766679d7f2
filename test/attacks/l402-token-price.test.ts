// Attack 1 of issue 16: a token was not bound to the price it paid. With the similarity example (1 sat plus 10 msat
// per request byte), one 1,000 msat token bought with an empty body served requests of any size; a 10,000 msat
// token served the 50,000 msat `/premium` route. Each request is now priced and checked against what its token
// paid (`agora_paid_msat`, written at mint time): dearer requests get a 402 challenge for a new token.
import { describe, expect, it } from 'vitest';
import { startSimilarityApi } from '../../examples/paid-apis.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  decodeMacaroon,
  formatAuthorization,
  L402Provider,
  l402Fetch,
  MemoryRootKeyStore,
  parseChallenge,
  TokenCache,
} from '../../src/l402/index.js';
import { market } from './l402-fixture.js';

const nodes = () => market();

/** POSTs `body` to the similarity API with a token. */
const withToken = (url: string, body: string, token: { macaroon: string; preimage: string }) =>
  fetch(`${url}/similarity`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      authorization: formatAuthorization([token.macaroon], token.preimage),
    },
  });

describe('attack: a cheap token serves dear requests (l402-token-price)', () => {
  it('a token bought with a small body does not serve a large one (the similarity example)', async () => {
    const { payerNode, providerNode } = nodes();
    const api = await startSimilarityApi(providerNode, generateAgentKey());
    try {
      const tokens = new TokenCache();
      const small = JSON.stringify({ a: [1], b: [1] });
      const first = await l402Fetch(
        `${api.url}/similarity`,
        { method: 'POST', body: small, headers: { 'content-type': 'application/json' } },
        { lightning: payerNode, maxPriceMsat: 2_000, tokens },
      );
      expect(first.status).toBe(200);
      const token = tokens.tokenFor(new URL(api.url).origin, 'similarity');
      if (token === undefined) throw new Error('no token');
      const paidFor = 1_000 + 10 * small.length;
      expect(decodeMacaroon(token.macaroon).caveats).toContain(`agora_paid_msat=${paidFor}`);
      // The same token on a body 80 kB long: priced 800,000+ msat, it must not be served.
      const big = JSON.stringify({ a: Array(20_000).fill(1), b: Array(20_000).fill(1) });
      const reused = await withToken(api.url, big, token);
      expect(reused.status).toBe(402);
      const body = (await reused.json()) as { priceMsat: number; reason: string };
      expect(body.priceMsat).toBe(1_000 + 10 * big.length);
      expect(body.reason).toMatch(/costs \d+ msat; the token paid for \d+ msat/);
      // The 402 carries a challenge for the dearer request: a client can pay it and go on.
      expect(parseChallenge(reused.headers.get('www-authenticate') as string).scheme).toBe('L402');
      // The cheap request still works with the cheap token.
      const again = await withToken(api.url, small, token);
      expect(again.status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('a 10,000 msat token does not serve the 50,000 msat /premium route; l402Fetch then buys a token for it', async () => {
    const { payerNode, providerNode } = nodes();
    const provider = new L402Provider({
      lightning: providerNode,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: (request) => (new URL(request.url).pathname.startsWith('/premium') ? 50_000 : 10_000),
    });
    const viaProvider = (input: string | URL | Request, init?: RequestInit) =>
      provider.handle(new Request(input, init), (request) => new Response(new URL(request.url).pathname));
    const tokens = new TokenCache();
    const options = {
      lightning: payerNode,
      maxPriceMsat: 60_000,
      tokens,
      fetch: viaProvider as typeof fetch,
    };
    expect(await (await l402Fetch('http://weather.test/forecast', {}, options)).text()).toBe('/forecast');
    const cheap = tokens.tokenFor('http://weather.test', 'weather');
    if (cheap === undefined) throw new Error('no token');
    const stolenRide = await viaProvider('http://weather.test/premium', {
      headers: { authorization: formatAuthorization([cheap.macaroon], cheap.preimage) },
    });
    expect(stolenRide.status).toBe(402);
    const before = (await payerNode.balance()).spendableMsat;
    const premium = await l402Fetch('http://weather.test/premium', {}, options);
    expect(await premium.text()).toBe('/premium');
    expect(before - (await payerNode.balance()).spendableMsat).toBe(50_000);
  });
});
