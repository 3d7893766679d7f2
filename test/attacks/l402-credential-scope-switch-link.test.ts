// Issue 18 fourth review (open): the client tracks the roots a pseudonym was proved against per scope (provider node
// key, service, epoch, level), and refuses, in one call, only a pseudonym of another epoch than a credential it
// showed. A provider changes any other part of the scope instead: it answers the payer's credential token with a 401
// and challenges, in the same call, for another service name (or another payee node key, or level) listing another
// root. The client shows the first pseudonym (proved against the older root) and proves a fresh one against the
// newer root, back to back: the provider links them, and the payer hides only among the members reaching the
// threshold in both roots. Here each root has 8 such members and they share the payer alone: a proof among 1,
// below minAnonymity (8), which the per-scope history never sees.
// No Groth16 proof is made: the provider is the attacker and needs none to link, so the token the payer holds is
// bought by hand with its credential header as already shown, and the prover only records what it is asked to prove.
import { describe, expect, it } from 'vitest';
import {
  credentialEpoch,
  decodeIdentifier,
  decodeMacaroon,
  l402Fetch,
  parseChallenge,
  TokenCache,
} from '../../src/l402/index.js';
import { decodeInvoice } from '../../src/lightning/index.js';
import { driftingOperator } from '../l402/credential-fixture.js';

describe('one call does not show a payer two pseudonyms proved against roots sharing fewer than 8 members', () => {
  it('refuses to prove a second scope after its credential token was refused in the same call', async () => {
    const { clock, payerNode, providerNode, older, newer, holder, proved, gating } = await driftingOperator();
    const weather = gating('weather', older.root);
    // The same operator and node, another service name, listing only the newer root.
    const radar = gating('radar', newer.root);

    // The payer's weather token of this epoch, its credential (against the older root) shown with every use.
    const url = 'http://provider.test/forecast';
    const challenge = await weather.handle(new Request(url), async () => new Response('ok'));
    const {
      tokens: [macaroon],
      invoice,
    } = parseChallenge(challenge.headers.get('www-authenticate') as string);
    const { identifier } = decodeMacaroon(macaroon as string);
    const { preimage } = await payerNode.payInvoice(invoice);
    const cache = new TokenCache();
    cache.store('http://provider.test', '/forecast', {
      macaroon: macaroon as string,
      preimage,
      identifier,
      tokenId: decodeIdentifier(identifier).tokenId,
      paymentHash: decodeInvoice(invoice).paymentHash,
      provider: providerNode.nodeKey,
      service: 'weather',
      credential: 'the-weather-pseudonym-and-its-proof',
      credentialEpoch: credentialEpoch(clock.now() / 1000),
    });

    const sent: Headers[] = [];
    const outcome = await l402Fetch(
      url,
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        credential: holder,
        clock,
        tokens: cache,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          sent.push(request.headers);
          return radar.handle(request, async () => new Response('ok'));
        },
      },
    ).catch((error: unknown) => error);
    // The first pseudonym was shown in this call (the credential token the provider then refused)...
    expect(sent[0]?.get('agora-credential')).toBe('the-weather-pseudonym-and-its-proof');
    expect(outcome).toBeInstanceOf(Error);
    // ...and the attack's measure: the client went on to prove another pseudonym, against the newer root.
    expect(proved.map((statement) => statement.root)).toEqual([]);
  });
});
