// Issue 18 sixth review (low): a gating provider reads a token's credential requirement from its caveats, and a
// macaroon's holder may append caveats (each extends the HMAC chain). A token minted before gating was turned on (the
// fourth review's ungated token: same node and root keys, still valid for up to `validForSeconds`) carries no
// requirement, so its holder can append one of its own choosing: this epoch, an accepted root, and any level at or
// above the provider's. The provider then checks the credential at that level, whose nullifier is another pseudonym
// (`Poseidon(scope + level, secret)`): a payer whose pseudonym the provider banned (or rate-limits) this epoch is
// served under a fresh one, and may show as many as the levels it reaches.
// Fixed: a gating provider accepts a token's requirement only at exactly its own configured level (the level it
// writes when minting); any other, higher ones included, gets a 401 naming the level (buy a new token). Appended at
// the provider's own level, the requirement proves the same pseudonym as a token the provider minted: the ban holds.
import { describe, expect, it } from 'vitest';
import {
  addCaveat,
  credentialCaveat,
  credentialEpoch,
  decodeMacaroon,
  encodeMacaroonBase64,
  formatCredentialHeader,
  L402Provider,
  levelAtLeast,
  MemoryRootKeyStore,
  parseChallenge,
  proveCredential,
  REPUTATION_LEVELS,
} from '../../src/l402/index.js';
import { decodeInvoice } from '../../src/lightning/index.js';
import { buyToken, credentialMarket, MIN_SCORE } from '../l402/credential-fixture.js';

describe('a banned pseudonym is not served under a level the payer chose', () => {
  it('refuses a token minted before gating whose holder appended a credential requirement', async () => {
    const { agents, provider, banned, snapshot, clock } = await credentialMarket();
    const rootKeys = new MemoryRootKeyStore();
    const gated = provider('weather-node', { rootKeys });
    // The same operator before it turned gating on: same node, same root keys, same service.
    const before = new L402Provider({
      lightning: gated.node,
      rootKeys,
      service: 'weather',
      price: () => 1_000,
      clock,
    });
    const url = 'http://provider.test/forecast';
    const challenged = await before.handle(new Request(url), async () => new Response('served'));
    const old = parseChallenge(challenged.headers.get('www-authenticate') as string);
    const { preimage } = await agents.high.node.payInvoice(old.invoice);

    // Gating on: the payer buys, proves, is served, and the provider bans its pseudonym for the epoch.
    const bought = await buyToken(agents.high, gated);
    const first = await bought.send(await bought.prove());
    expect(first.status).toBe(200);
    const { pseudonym } = (await first.json()) as { pseudonym: string };
    banned.add(pseudonym);
    expect((await bought.send()).status).toBe(403);

    // The old token, with a requirement its holder wrote: one level above the provider's.
    const level = levelAtLeast(MIN_SCORE) + 1;
    const requirement = {
      threshold: REPUTATION_LEVELS[level] as number,
      epoch: credentialEpoch(clock.now() / 1000),
      roots: [snapshot.root],
    };
    const macaroon = addCaveat(decodeMacaroon(old.tokens[0] as string), credentialCaveat(requirement));
    const credential = await proveCredential(
      agents.high.holder,
      requirement,
      { provider: decodeInvoice(old.invoice).payee, service: 'weather' },
      macaroon.identifier,
      clock.now() / 1000,
    );
    const response = await gated.handle(
      new Request(url, {
        headers: {
          authorization: `L402 ${encodeMacaroonBase64(macaroon)}:${preimage}`,
          'agora-credential': formatCredentialHeader(credential),
        },
      }),
    );
    // Not served under a second pseudonym the same epoch: the level is not the provider's.
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toBeNull();
    expect(await response.text()).toMatch(/exactly \d+ ppb, not \d+/);

    // Appended at the provider's own level, it is accepted, and proves the banned pseudonym: refused as banned.
    const own = { ...requirement, threshold: REPUTATION_LEVELS[levelAtLeast(MIN_SCORE)] as number };
    const same = addCaveat(decodeMacaroon(old.tokens[0] as string), credentialCaveat(own));
    const again = await proveCredential(
      agents.high.holder,
      own,
      { provider: decodeInvoice(old.invoice).payee, service: 'weather' },
      same.identifier,
      clock.now() / 1000,
    );
    expect(again.nullifier.toString()).toBe(pseudonym);
    const banned403 = await gated.handle(
      new Request(url, {
        headers: {
          authorization: `L402 ${encodeMacaroonBase64(same)}:${preimage}`,
          'agora-credential': formatCredentialHeader(again),
        },
      }),
    );
    expect(banned403.status).toBe(403);
  });
});
