// Issue 18 second review: a payer configured with a credential (and an identity, for providers that gate on
// identified reputation) shows a gating provider its pseudonym, then, in the same l402Fetch call, its agent id. The
// provider answers the credential token's next use with a 401 and a challenge without the credential caveat; the
// client forgets the token, pays the new challenge and signs `Agora-Payer` with the fresh token. The provider has
// seen, one request after the other, the pseudonym it knows and the agent id: it names the pseudonym's payer, and
// with it every purchase of that payer there in the epoch.
import { beforeAll, describe, expect, it } from 'vitest';
import { l402Fetch, TokenCache } from '../../src/l402/index.js';
import { credentialMarket, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

describe('a gating provider cannot make an anonymous payer name itself', () => {
  it('sends no Agora-Payer in the call that showed the pseudonym, when the provider drops the credential', async () => {
    const market = await credentialMarket();
    const payer = market.agents.high;
    const gated = market.provider('gated');
    // The same origin, selling without the credential caveat: what the provider switches to.
    const plain = market.provider('plain', { credential: undefined as never });
    const tokens = new TokenCache();
    let switched = false;
    const sent: Headers[] = [];
    const options = {
      lightning: payer.node,
      maxPriceMsat: 10_000,
      credential: payer.holder,
      identity: payer.key,
      clock: market.clock,
      tokens,
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        const request = new Request(input, init);
        sent.push(request.headers);
        if (!switched) return gated.handle(request);
        // The attack: the credential token is refused (401 with its challenge), the next challenge asks for none.
        if (request.headers.has('agora-credential'))
          return new Response('{"error":"unauthorized"}', {
            status: 401,
            headers: { 'www-authenticate': 'L402 realm="weather", error="invalid_token"' },
          });
        return plain.handle(request);
      },
    };

    const first = await l402Fetch('http://provider.test/forecast', {}, options);
    expect(first.status).toBe(200);
    const { pseudonym } = (await first.json()) as { pseudonym: string | null };
    expect(pseudonym).not.toBeNull();

    switched = true;
    sent.length = 0;
    // Served: the payer paid the new challenge in this same call.
    expect((await l402Fetch('http://provider.test/forecast', {}, options)).status).toBe(200);
    const showedPseudonym = sent.some((headers) => headers.has('agora-credential'));
    const namedItself = sent.some((headers) => headers.has('agora-payer'));
    expect(showedPseudonym).toBe(true);
    // In one call, after its pseudonym, the payer must not give the provider its agent id.
    expect(namedItself).toBe(false);
  }, 120_000);
});
