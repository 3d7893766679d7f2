// Issue 18 fourth review (open): `l402Fetch` lets `fetch` follow redirects, and the credential history's marks are
// checked against the URL asked for, not the origin the request lands on. A cross-origin redirect drops
// `Authorization` but keeps `Agora-Payer` and `Agora-Credential`: a provider the payer was careful to show only a
// pseudonym receives its agent id from any origin that redirects there (and a 402 challenge coming back from the
// redirect target is paid and proved as if it were the first origin's).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialHistory, l402Fetch } from '../../src/l402/index.js';
import { market } from './l402-fixture.js';

const received: IncomingHttpHeaders[] = [];
let gated: Server;
let redirecting: Server;
const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const listening = (server: Server) =>
  new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

beforeAll(async () => {
  // The provider shown the payer's pseudonym: here it only records what reaches it.
  gated = createServer((request, response) => {
    received.push(request.headers);
    response.end('ok');
  });
  await listening(gated);
  // Another origin, sending every request on to it.
  redirecting = createServer((_request, response) => {
    response.writeHead(307, { location: `${origin(gated)}/forecast` });
    response.end();
  });
  await listening(redirecting);
});
afterAll(async () => {
  await new Promise((resolve) => gated.close(resolve));
  await new Promise((resolve) => redirecting.close(resolve));
});

describe('a redirect does not carry the agent id to a provider shown a pseudonym', () => {
  it('sends no Agora-Payer to a provider shown a pseudonym when another origin redirects there', async () => {
    const { payerNode } = market();
    const history = CredentialHistory.inMemory();
    // An earlier anonymous purchase at the gated provider's origin, as `l402Fetch` records it.
    await history.claimAnonymous([`origin:${origin(gated)}`]);
    // Whatever the client makes of the redirect (follows it, refuses it), the measure is what reached the provider.
    await l402Fetch(
      `${origin(redirecting)}/forecast`,
      {},
      { lightning: payerNode, maxPriceMsat: 10_000, identity: generateAgentKey(), history },
    ).catch(() => undefined);
    // The attack's measure: the provider holding the pseudonym received the agent id.
    expect(received.map((headers) => headers['agora-payer'])).toEqual(received.map(() => undefined));
  });

  it('refuses the redirect with METHOD_UNSUPPORTED, the target never asked', async () => {
    const { payerNode } = market();
    const before = received.length;
    await expect(
      l402Fetch(`${origin(redirecting)}/forecast`, {}, { lightning: payerNode, maxPriceMsat: 10_000 }),
    ).rejects.toMatchObject({ code: ErrorCode.MethodUnsupported });
    expect(received).toHaveLength(before);
  });
});
