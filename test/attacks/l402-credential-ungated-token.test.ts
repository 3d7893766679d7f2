// Issue 18 fourth review (open, provider side): a gating provider checks a credential only when the token carries
// the credential caveat. A token minted before the operator turned gating on (same root keys and node, a restart
// with `credential` added) carries none, and is served for the rest of its validity to whoever holds it: a payer
// below the threshold, or outside every snapshot, keeps buying service that now requires the credential.
import { describe, expect, it } from 'vitest';
import {
  CredentialBatcher,
  formatAuthorization,
  L402Provider,
  l402Fetch,
  MemoryRootKeyStore,
  parseChallenge,
  TokenCache,
} from '../../src/l402/index.js';
import { voteVerifier } from '../fixtures/zk.js';
import { market } from './l402-fixture.js';

describe('a gating provider serves only tokens that carry its credential requirement', () => {
  it('refuses a token minted before gating was turned on to a payer outside every snapshot', async () => {
    const { payerNode, providerNode } = market();
    const sells = {
      lightning: providerNode,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
    };
    const before = new L402Provider(sells);
    // The same operator restarted with gating: same root keys, same node, same service.
    const after = new L402Provider({
      ...sells,
      credential: {
        minScore: 1_000_000,
        roots: () => [1n],
        verifier: new CredentialBatcher(await voteVerifier()),
      },
    });
    const state = { gating: false };
    const options = {
      lightning: payerNode,
      maxPriceMsat: 10_000,
      tokens: new TokenCache(),
      fetch: async (input: string | URL | Request, init?: RequestInit) =>
        (state.gating ? after : before).handle(new Request(input, init), async () => new Response('served')),
    };
    expect((await l402Fetch('http://provider.test/forecast', {}, options)).status).toBe(200);
    state.gating = true;
    const served = await l402Fetch('http://provider.test/forecast', {}, options).catch(() => undefined);
    // The attack's measure: a payer with no credential at all served by the gating provider.
    expect(served?.status).not.toBe(200);
  });

  it('refuses a token minted under a lower level than the one it now requires', async () => {
    const { payerNode, providerNode } = market();
    const verifier = new CredentialBatcher(await voteVerifier());
    const sells = {
      lightning: providerNode,
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
    };
    const low = new L402Provider({ ...sells, credential: { minScore: 1, roots: () => [1n], verifier } });
    // The same operator raised its level: a token minted under the lower one must not be served.
    const high = new L402Provider({
      ...sells,
      credential: { minScore: 1_000_000, roots: () => [1n], verifier },
    });
    const url = 'http://provider.test/forecast';
    const challenged = await low.handle(new Request(url), async () => new Response('served'));
    expect(challenged.status).toBe(402);
    const challenge = parseChallenge(challenged.headers.get('www-authenticate') ?? '');
    const { preimage } = await payerNode.payInvoice(challenge.invoice);
    const authorization = formatAuthorization(challenge.tokens, preimage);
    const asked = await high.handle(
      new Request(url, { headers: { authorization } }),
      async () => new Response('served'),
    );
    // Without the check the low threshold's token is asked for its (cheaper) credential (402), never refused.
    expect(asked.status).toBe(401);
    expect(await asked.text()).toMatch(/exactly \d+ ppb, not \d+: buy a new token/);
  });
});
