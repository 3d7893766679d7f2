// Issue 18 fourth review: a provider selling to identified payers only (`minReputation`, `bindPayer`, `blacklist`)
// answers an unpaid request without `Agora-Payer` with a 401, before any invoice names its node. The client then sent
// the bare agent id, checked against the origin alone: an operator shown the payer's pseudonym under one host name got
// the agent id under another host name of the same Lightning node.
// Fixed: such a 401 names the provider's node with an invoice of that node (`Agora-Node-Invoice`, not for payment);
// the client sends the id only once that node key is checked against its history, and never on a 401 naming no node.
import { describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialHistory, L402Provider, l402Fetch, MemoryRootKeyStore } from '../../src/l402/index.js';
import { decodeInvoice, SimNetwork } from '../../src/lightning/index.js';

function identifiedMarket() {
  const network = new SimNetwork();
  const payerNode = network.createNode('payer');
  const providerNode = network.createNode('provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 100_000 });
  const payer = generateAgentKey();
  const provider = new L402Provider({
    lightning: providerNode,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 1_000,
    policy: { bindPayer: true, minReputation: 10 },
    reputation: { score: async () => 50 },
  });
  const sent: Headers[] = [];
  const options = (history: CredentialHistory) => ({
    lightning: payerNode,
    maxPriceMsat: 10_000,
    identity: payer,
    history,
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      sent.push(request.headers);
      return provider.handle(request, async () => new Response('ok'));
    },
  });
  return { providerNode, payerNode, payer, provider, sent, options };
}

describe('an identified-only provider gets no agent id before its node key is checked', () => {
  it('sends no Agora-Payer to another host name of a node shown a pseudonym', async () => {
    const { providerNode, sent, options } = identifiedMarket();
    const history = CredentialHistory.inMemory();
    // An earlier anonymous purchase at this operator (its node key and gated origin), as l402Fetch records it.
    await history.claimAnonymous(['origin:https://gated.test', `node:${providerNode.nodeKey}`]);
    const response = await l402Fetch('https://alias.test/forecast', {}, options(history));
    // The attack's measure: the operator holding the pseudonym is given the agent id.
    expect(sent.map((headers) => headers.get('agora-payer'))).toEqual(sent.map(() => null));
    expect(response.status).toBe(401);
  });

  it("names the node in the 401 with an invoice of the provider's node, and is served once checked", async () => {
    const { providerNode, payer, provider, sent, options } = identifiedMarket();
    const refused = await provider.handle(
      new Request('https://shop.test/forecast'),
      async () => new Response(),
    );
    expect(refused.status).toBe(401);
    expect(decodeInvoice(refused.headers.get('agora-node-invoice') as string).payee).toBe(
      providerNode.nodeKey,
    );
    // One invoice serves the refusals while it lasts: an unpaid request costs no invoice of its own.
    const again = await provider.handle(
      new Request('https://shop.test/forecast'),
      async () => new Response(),
    );
    expect(again.headers.get('agora-node-invoice')).toBe(refused.headers.get('agora-node-invoice'));
    const history = CredentialHistory.inMemory();
    const response = await l402Fetch('https://shop.test/forecast', {}, options(history));
    expect(response.status).toBe(200);
    // Unpaid without the id, then the bare id once the node was named, then the signed proof with the token.
    expect(sent.map((headers) => headers.get('agora-payer')?.split(';')[0] ?? null)).toEqual([
      null,
      payer.id,
      payer.id,
    ]);
    // Recorded under the node key: a pseudonym is never shown there.
    await expect(history.claimAnonymous([`node:${providerNode.nodeKey}`])).rejects.toMatchObject({
      code: 'WOULD_LINK',
    });
  });

  it('sends no id on a 401 that names no node', async () => {
    const sent: Headers[] = [];
    const { payerNode, payer } = identifiedMarket();
    const response = await l402Fetch(
      'https://old.test/forecast',
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        identity: payer,
        history: CredentialHistory.inMemory(),
        fetch: async (input, init) => {
          sent.push(new Request(input, init).headers);
          return Response.json({ error: 'unauthorized' }, { status: 401 });
        },
      },
    );
    expect(response.status).toBe(401);
    expect(sent.map((headers) => headers.get('agora-payer'))).toEqual([null]);
  });
});
