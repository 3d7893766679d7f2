// Attack 5 of issue 16: client input got server errors. A malformed `Agora-Payer` on an unpaid request gave HTTP
// 500 echoing the internal message; an unreachable LND gave 500 with its address; a provider configured with
// `blacklist: true` or `minReputation` but no lookup source issued the invoice, took the payment, then answered 403.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode } from '../../src/core/index.js';
import {
  L402Provider,
  type L402ProviderOptions,
  l402NodeHandler,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import { type LightningBackend, SimNetwork } from '../../src/lightning/index.js';
import { thrownAgoraError } from '../helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(options: Partial<L402ProviderOptions> = {}): Promise<string> {
  const network = new SimNetwork();
  const provider = new L402Provider({
    lightning: network.createNode('provider'),
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 1_000,
    ...options,
  });
  const server = createServer(l402NodeHandler(provider, (_req, res) => void res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('attack: client input answered with server errors (l402-client-errors)', () => {
  it('a malformed Agora-Payer gets a 401 with a challenge scheme, not a 500', async () => {
    const url = await serve();
    for (const payer of ['nonsense', `${'ab'.repeat(32)}; sig=zz`, 'x'.repeat(5_000)]) {
      const response = await fetch(`${url}/forecast`, { headers: { 'agora-payer': payer } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^L402 /);
    }
  });

  it('an unreachable backend gets a generic 503, its details only to onError', async () => {
    const network = new SimNetwork();
    const node = network.createNode('provider');
    const down: LightningBackend = Object.assign(Object.create(node) as LightningBackend, {
      createInvoice: async () => {
        throw new AgoraError(ErrorCode.BackendUnreachable, 'cannot reach LND at https://10.20.30.40:8080');
      },
    });
    const errors: unknown[] = [];
    const url = await serve({ lightning: down, onError: (error) => errors.push(error) });
    const response = await fetch(`${url}/forecast`);
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await response.text()).not.toMatch(/10\.20\.30\.40|LND/);
    expect(errors).toHaveLength(1);
  });

  it('a policy without its lookup source is refused when the provider is made, before any payment', () => {
    const base = {
      lightning: new SimNetwork().createNode('provider'),
      rootKeys: new MemoryRootKeyStore(),
      service: 'weather',
      price: () => 1_000,
    };
    thrownAgoraError(
      () => new L402Provider({ ...base, policy: { blacklist: true } }),
      ErrorCode.InvalidArgument,
    );
    thrownAgoraError(
      () => new L402Provider({ ...base, policy: { minReputation: 1 } }),
      ErrorCode.InvalidArgument,
    );
  });
});
