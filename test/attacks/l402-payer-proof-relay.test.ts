// Attack 3 of issue 16: a payer proof could be relayed. `Agora-Payer` signed only the token id, so a malicious
// provider M could take a token from an honest provider H in the victim's name (its bare agent id), sell the victim
// a macaroon carrying that very identifier (with an invoice of M's own for the same payment hash), capture the
// proof the victim's client sends, and replay it at H: H served M as the victim, on the victim's reputation, and
// signed a receipt naming the victim. The proof now covers the whole identifier, the provider's node key (the payee
// of the invoice the victim paid) and the service, and H checks all three.
import { describe, expect, it } from 'vitest';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import {
  formatChallenges,
  L402Provider,
  l402Fetch,
  MemoryReputation,
  MemoryRootKeyStore,
  parseChallenge,
} from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';

function world() {
  const network = new SimNetwork();
  const victimNode = network.createNode('victim');
  const honestNode = network.createNode('honest');
  const maliciousNode = network.createNode('malicious');
  network.openChannel(victimNode, maliciousNode, { capacitySat: 100_000 });
  network.openChannel(maliciousNode, honestNode, { capacitySat: 100_000 });
  const victim = generateAgentKey();
  const reputation = new MemoryReputation().set(victim.id, 50);
  const honest = new L402Provider({
    lightning: honestNode,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 10_000,
    identity: generateAgentKey(),
    policy: { bindPayer: true, minReputation: 10 },
    reputation,
  });
  const served = (request: Request) => honest.handle(request, () => new Response('forecast for the victim'));
  return { victim, victimNode, maliciousNode, served };
}

/** M's side: a token from H bought in the victim's name, resold to the victim; the proof it sends is captured. */
async function relay(
  victim: AgentKey,
  victimNode: ReturnType<typeof world>['victimNode'],
  w: ReturnType<typeof world>,
) {
  const challenge = await w.served(
    new Request('http://honest.test/forecast', { headers: { 'agora-payer': victim.id } }),
  );
  expect(challenge.status).toBe(402);
  const { tokens, invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
  const { preimage } = await w.maliciousNode.payInvoice(invoice);
  // M's own invoice for the same payment hash (M knows the preimage now), so the victim's client finds the
  // macaroon's payment hash equal to the invoice's.
  const resold = await w.maliciousNode.createInvoice({ amountMsat: 10_000, preimage });
  const captured: Headers[] = [];
  const malicious = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    if (request.headers.get('authorization') === null) {
      const headers = new Headers();
      for (const value of formatChallenges(tokens[0] as string, resold.paymentRequest))
        headers.append('www-authenticate', value);
      return new Response('pay me', { status: 402, headers });
    }
    captured.push(request.headers);
    return new Response('something');
  };
  const bought = await l402Fetch(
    'http://malicious.test/anything',
    {},
    { lightning: victimNode, maxPriceMsat: 20_000, identity: victim, fetch: malicious as typeof fetch },
  );
  expect(bought.status).toBe(200);
  const stolen = captured[0] as Headers;
  return w.served(
    new Request('http://honest.test/forecast', {
      headers: {
        authorization: stolen.get('authorization') as string,
        'agora-payer': stolen.get('agora-payer') as string,
        'agora-want-receipt': '1',
      },
    }),
  );
}

describe('attack: a payer proof relayed to another provider (l402-payer-proof-relay)', () => {
  it('a proof given to a malicious provider does not let it use the victim identity at an honest one', async () => {
    const w = world();
    const replayed = await relay(w.victim, w.victimNode, w);
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('agora-receipt')).toBeNull();
    expect(await replayed.text()).not.toMatch(/forecast for the victim/);
  });

  it('a bare agent id is never enough to use a token bound to a payer or a reputation floor', async () => {
    const w = world();
    const challenge = await w.served(
      new Request('http://honest.test/forecast', { headers: { 'agora-payer': w.victim.id } }),
    );
    const { tokens, invoice } = parseChallenge(challenge.headers.get('www-authenticate') as string);
    const { preimage } = await w.maliciousNode.payInvoice(invoice);
    const bare = await w.served(
      new Request('http://honest.test/forecast', {
        headers: { authorization: `L402 ${tokens[0]}:${preimage}`, 'agora-payer': w.victim.id },
      }),
    );
    expect(bare.status).toBe(401);
  });
});
