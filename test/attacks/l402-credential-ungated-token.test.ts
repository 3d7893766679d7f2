// Issue 18 fourth review (open, provider side): a gating provider checks a credential only when the token carries
// the credential caveat. A token minted before the operator turned gating on (same root keys and node, a restart
// with `credential` added) carries none, and is served for the rest of its validity to whoever holds it: a payer
// below the threshold, or outside every snapshot, keeps buying service that now requires the credential.
import { beforeAll, describe, expect, it } from 'vitest';
import { l402Fetch, MemoryRootKeyStore, TokenCache } from '../../src/l402/index.js';
import { credentialMarket, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

describe('a gating provider serves only tokens that carry its credential requirement', () => {
  it.fails('refuses a token minted before gating was turned on to a payer below the threshold', async () => {
    const market = await credentialMarket();
    const payer = market.agents.outsider;
    const rootKeys = new MemoryRootKeyStore();
    const before = market.provider('before', { credential: undefined as never, rootKeys });
    // The same operator restarted with gating: same root keys, same node, same service.
    const after = market.provider('after', { rootKeys, lightning: before.node });
    const state = { gating: false };
    const options = {
      lightning: payer.node,
      maxPriceMsat: 10_000,
      clock: market.clock,
      tokens: new TokenCache(),
      fetch: async (input: string | URL | Request, init?: RequestInit) =>
        (state.gating ? after : before).handle(new Request(input, init)),
    };
    expect((await l402Fetch('http://provider.test/forecast', {}, options)).status).toBe(200);
    state.gating = true;
    const served = await l402Fetch('http://provider.test/forecast', {}, options).catch(() => undefined);
    // The attack's measure: a payer outside every snapshot served by the gating provider.
    expect(served?.status).not.toBe(200);
  });
});
