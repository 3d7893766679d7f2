// Issue 18 fourth review (open): the no-`Agora-Payer` mark is kept by the provider's node key and origin, but the
// first (unpaid) request of a call that sends the agent's identity without a credential (the documented use: every
// fetch sending the identity passes the agent's history) is checked by origin alone: the node key is only learnt
// from the challenge's invoice. So an operator shown the payer's pseudonym under one host name gets the bare agent id
// in the first request to another host name of the same Lightning node, before the client learns it is the same
// node. The paid request that follows carries none; the id is given already.
import { describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialHistory, l402Fetch } from '../../src/l402/index.js';
import { market } from './l402-fixture.js';

describe('a provider shown a pseudonym gets no agent id under another host name of its node', () => {
  it('sends no Agora-Payer, not even on the unpaid first request, to an alias of a node shown a pseudonym', async () => {
    const { payerNode, providerNode, provider } = market();
    const payer = generateAgentKey();
    const history = CredentialHistory.inMemory();
    // An earlier anonymous purchase at this operator (node key and gated origin), as `l402Fetch` records it.
    await history.claimAnonymous(['origin:https://gated.test', `node:${providerNode.nodeKey}`]);
    const sent: Headers[] = [];
    const response = await l402Fetch(
      'https://alias.test/forecast',
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        identity: payer,
        history,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          sent.push(request.headers);
          return provider.handle(request, async () => new Response('ok'));
        },
      },
    );
    expect(response.status).toBe(200);
    // The attack's measure: the operator holding the pseudonym is given the agent id.
    expect(sent.map((headers) => headers.get('agora-payer'))).toEqual(sent.map(() => null));
  });
});
