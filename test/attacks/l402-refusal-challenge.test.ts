// Attack 7 of issue 16: refusals carried no challenge. 401 answers had no `WWW-Authenticate` (RFC 9110 requires
// one), and a token whose invoice was not paid yet got a 402 without a challenge. 401s now name the L402 scheme
// (`L402 realm="<service>", error="invalid_token"`, no token minted for a refusal); every 402 carries a challenge
// (an unpaid token's own token and invoice again).
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/core/index.js';
import { formatAuthorization, l402Fetch, parseChallenge, TokenCache } from '../../src/l402/index.js';
import { market } from './l402-fixture.js';

function setup() {
  const { payerNode, provider } = market();
  const call = (headers: Record<string, string> = {}) =>
    provider.handle(new Request('http://weather.test/forecast', { headers }), () => new Response('ok'));
  return { payerNode, call, provider };
}

describe('attack: refusals without a challenge (l402-refusal-challenge)', () => {
  it('every 401 carries WWW-Authenticate naming L402', async () => {
    const { payerNode, call } = setup();
    const challenge = parseChallenge((await call()).headers.get('www-authenticate') as string);
    const { preimage } = await payerNode.payInvoice(challenge.invoice);
    const refusals = [
      await call({ authorization: `L402 ${challenge.tokens[0]}:${'11'.repeat(32)}` }),
      await call({ authorization: 'L402 garbage' }),
      await call({
        authorization: `L402 ${challenge.tokens[0]}:${preimage}`,
        'agora-payer': 'ab'.repeat(32),
      }),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^L402 realm="weather"/);
    }
    expect(
      (await call({ authorization: formatAuthorization([challenge.tokens[0] as string], preimage) })).status,
    ).toBe(200);
  });

  it('a client refused with 401 recovers by paying the fresh challenge it gets without the credential', async () => {
    const { payerNode, call, provider } = setup();
    const tokens = new TokenCache();
    const fetchVia = ((_input: string | URL | Request, init?: RequestInit) =>
      call(Object.fromEntries(new Headers(init?.headers).entries()))) as typeof fetch;
    const options = { lightning: payerNode, maxPriceMsat: 2_000, tokens, fetch: fetchVia };
    expect((await l402Fetch('http://weather.test/forecast', {}, options)).status).toBe(200);
    const token = tokens.tokenFor('http://weather.test', 'weather');
    await provider.revoke(toHex(token?.tokenId as Uint8Array));
    expect((await l402Fetch('http://weather.test/forecast', {}, options)).status).toBe(200);
    expect(tokens.tokenFor('http://weather.test', 'weather')).not.toBe(token);
  });
});
