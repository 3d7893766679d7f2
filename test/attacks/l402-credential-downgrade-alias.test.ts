// Issue 18 third review (fixed): the client never sent `Agora-Payer` to an origin it had shown a pseudonym, but
// remembered that per TokenCache and per origin string. A gating provider reachable under a second origin (https beside http,
// another port or host name: one operator) or a payer calling l402Fetch without a shared cache (the default: a new
// TokenCache per call) gets the pseudonym in one call and, by dropping the credential caveat, the agent id in the
// next: it names the pseudonym's payer. The other order too: a provider selling without the caveat first gets the
// agent id, then asks for the credential and gets the pseudonym, naming every purchase made under it this epoch.
// The marks are now the agent's (its credential history, shared by every call and cache), keyed by the provider's
// Lightning node key (the invoice's payee: one operator under any origin) as well as by origin; a provider given the
// id is refused the pseudonym (`WOULD_LINK`, before proving or paying).
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError } from '../../src/core/index.js';
import { l402Fetch, TokenCache } from '../../src/l402/index.js';
import { credentialMarket, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

type Route = (request: Request, providers: { gated: Provider; plain: Provider }) => Promise<Response>;
type Provider = ReturnType<Awaited<ReturnType<typeof credentialMarket>>['provider']>;

/**
 * A payer with a credential and an identity, its requests recorded in `sent` and served by `route` from a provider
 * gating on the credential or the same one (the same Lightning node) selling without it.
 */
async function payerAt(route: Route, shareCache: boolean) {
  const market = await credentialMarket();
  const payer = market.agents.high;
  const gated = market.provider('gated');
  const providers = {
    gated,
    plain: market.provider('plain', { credential: undefined as never, lightning: gated.node }),
  };
  const sent: Headers[] = [];
  const options = {
    lightning: payer.node,
    maxPriceMsat: 10_000,
    credential: payer.holder,
    identity: payer.key,
    clock: market.clock,
    ...(shareCache ? { tokens: new TokenCache() } : {}),
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      sent.push(request.headers);
      return route(request, providers);
    },
  };
  return { options, sent };
}

/** The provider gates on the credential until `switched`, then not; the first purchase (gated) is made. */
async function downgrading(shareCache: boolean) {
  const state = { switched: false };
  const { options, sent } = await payerAt(
    (request, { gated, plain }) => (state.switched ? plain : gated).handle(request),
    shareCache,
  );
  const first = await l402Fetch('http://provider.test/forecast', {}, options);
  expect(first.status).toBe(200);
  expect(((await first.json()) as { pseudonym: string | null }).pseudonym).not.toBeNull();
  state.switched = true;
  return { options, sent };
}

describe('a gating provider cannot make an anonymous payer name itself under another origin or cache', () => {
  it('sends no Agora-Payer to the same provider under https after showing it the pseudonym under http', async () => {
    const { options, sent } = await downgrading(true);
    expect((await l402Fetch('https://provider.test/forecast', {}, options)).status).toBe(200);
    // The attack's measure: the agent id given to the operator that has the pseudonym.
    expect(sent.some((headers) => headers.has('agora-payer'))).toBe(false);
  }, 120_000);

  it('sends no Agora-Payer to an origin shown the pseudonym by an earlier call without a shared cache', async () => {
    const { options, sent } = await downgrading(false);
    expect((await l402Fetch('http://provider.test/forecast', {}, options)).status).toBe(200);
    expect(sent.some((headers) => headers.has('agora-payer'))).toBe(false);
  }, 120_000);

  it('shows no pseudonym to an origin it gave its agent id, in one cache', async () => {
    let gating = false;
    const { options, sent } = await payerAt((request, { gated, plain }) => {
      if (!gating) return plain.handle(request);
      // The switch: the plain token is refused, the next challenge asks for the credential.
      if (!request.headers.has('agora-credential') && request.headers.has('authorization'))
        return Promise.resolve(
          new Response('{"error":"unauthorized"}', {
            status: 401,
            headers: { 'www-authenticate': 'L402 realm="weather", error="invalid_token"' },
          }),
        );
      return gated.handle(request);
    }, true);
    expect((await l402Fetch('http://provider.test/forecast', {}, options)).status).toBe(200);
    gating = true;
    const refused = await l402Fetch('http://provider.test/forecast', {}, options).catch(
      (error: unknown) => error,
    );
    expect(isAgoraError(refused, ErrorCode.WouldLink)).toBe(true);
    // The attack's measure: one origin given both the agent id and the pseudonym.
    const named = sent.some((headers) => headers.has('agora-payer'));
    const pseudonymous = sent.some((headers) => headers.has('agora-credential'));
    expect(named && pseudonymous).toBe(false);
  }, 120_000);
});
