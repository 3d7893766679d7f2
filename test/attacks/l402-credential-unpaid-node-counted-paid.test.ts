// Issue 18 seventh review (low, availability; fixed): the sixth review bounds the node keys an origin may name for
// pseudonyms without their invoices being paid (`MAX_UNPAID_NODES_PER_ORIGIN`, each such key keeping a member set in
// the credential history). After paying, the client records the challenge's payee as paid (`history.paid(payee,
// origin)`). But `TokenCache.pay` shares a payment in flight by payment hash: concurrent requests of the payer (one
// shared token cache) given two invoices of one hash, one by the origin's real node and one signed by a throwaway
// key, pay the real one once, and the throwaway key was recorded as paid too although nothing went to it. Each burst
// of k concurrent requests thus added k - 1 never-paid node keys (each a member set in the history for the linking
// window) that the bound did not count, for the price of one purchase. (An origin that is simply paid for every
// request under a fresh, payable node key, a phantom key behind a route hint, also grows the history by one entry
// per purchase: the bound counts unpaid keys only, by design.)
// Fixed: the shared payment tells which invoice it paid, and the client records a payee as paid only when that
// invoice is its own. The payment is still shared by hash (one preimage settles every invoice of it: paying the
// second would pay the operator twice).
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { computeSnapshot, credentialHolder } from '../../src/governance/index.js';
import { generateAgentKey, memoryAgentState, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialBatcher,
  CredentialHistory,
  credentialWeight,
  L402Provider,
  l402Fetch,
  MemoryRootKeyStore,
  parseChallenge,
  parseCredentialHistory,
  TokenCache,
} from '../../src/l402/index.js';
import { decodeInvoice, SimNetwork } from '../../src/lightning/index.js';
import type { Prover, Verifier } from '../../src/zk/index.js';
import { DUMMY_PROOF } from '../l402/credential-fixture.js';

const ORIGIN = 'http://evil.test';

describe('a node key whose invoice was never paid is not recorded as paid', () => {
  it('two concurrent challenges of one payment hash: only the payee actually paid counts as paid', async () => {
    const clock = new ManualClock(1_800_000_000_000);
    const network = new SimNetwork({ clock });
    const payerNode = network.createNode('payer');
    const real = network.createNode('real');
    network.openChannel(payerNode, real, { capacitySat: 1_000_000 });
    // The real payment stays in flight a while: the second request's challenge is paid meanwhile.
    real.setPaymentDelay(300);
    const throwaway = network.createNode('throwaway');

    // A snapshot of 8 members reaching the level: the payer and 7 others.
    const payer = generateAgentKey();
    const identity = await zkIdentity(payer);
    const base = new Map<string, bigint>([[payer.id, credentialWeight(50_000_000)]]);
    const commitments = new Map<string, bigint>([[payer.id, identity.commitment]]);
    for (let i = 0; i < 7; i++) {
      const other = generateAgentKey();
      base.set(other.id, credentialWeight(50_000_000));
      commitments.set(other.id, (await zkIdentity(other)).commitment);
    }
    const snapshot = {
      ...(await computeSnapshot({ mode: 'reputation', base, commitments, delegations: [], asOf: 0 })),
      asOf: 0,
    };
    // A prover that answers at once with a well-shaped proof (the provider's verdict does not matter here).
    const prover = {
      prove: async () => ({ ...DUMMY_PROOF, publicSignals: [] }),
    } as unknown as Prover;
    const store = memoryAgentState();
    const history = await CredentialHistory.open(store);
    const holder = await credentialHolder(prover, payer.id, identity.secret, [snapshot], { history });

    const provider = new L402Provider({
      lightning: real,
      rootKeys: new MemoryRootKeyStore(),
      service: 'api',
      price: () => 1_000,
      clock,
      credential: {
        minScore: 1_000_000,
        roots: () => [snapshot.root],
        verifier: new CredentialBatcher(async () => ({ verifyBatch: async () => [] }) as unknown as Verifier),
      },
    });
    // The payer's backend, telling when a payment starts.
    let started: () => void = () => {};
    const paymentStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const lightning = new Proxy(payerNode, {
      get(target, property) {
        if (property === 'payInvoice')
          return (...args: Parameters<typeof payerNode.payInvoice>) => {
            started();
            return target.payInvoice(...args);
          };
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    // The origin answers the first unpaid request with its real challenge, and the second, once the first is being
    // paid, with the same token and an invoice of the same payment hash signed by the throwaway key.
    let realChallenge: string | undefined;
    let unpaid = 0;
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      if (request.headers.has('authorization'))
        return provider.handle(request, async () => new Response('ok'));
      if (unpaid++ === 0) {
        const response = await provider.handle(request, async () => new Response('ok'));
        realChallenge = response.headers.get('www-authenticate') as string;
        return response;
      }
      await paymentStarted;
      const text = realChallenge as string;
      const { invoice } = parseChallenge(text);
      const fake = await throwaway.createHoldInvoice({
        paymentHash: decodeInvoice(invoice).paymentHash,
        amountMsat: 1_000,
        cltvExpiry: 40,
      });
      return new Response('payment required', {
        status: 402,
        headers: { 'www-authenticate': text.replace(invoice, fake.paymentRequest) },
      });
    };
    const tokens = new TokenCache();
    const call = (path: string) =>
      l402Fetch(
        `${ORIGIN}${path}`,
        {},
        { lightning, maxPriceMsat: 10_000, credential: holder, clock, tokens, fetch },
      ).catch((error: unknown) => error);
    await Promise.all([call('/a'), call('/b')]);

    const state = parseCredentialHistory((await store.read()) as string);
    const nodes = state.origins.get(ORIGIN);
    // Both node keys were named for a pseudonym and reserved a member set.
    expect([...(nodes?.keys() ?? [])].sort()).toEqual([real.nodeKey, throwaway.nodeKey].sort());
    expect(nodes?.get(real.nodeKey)?.paid).toBe(true);
    // The attack's measure: the throwaway key, never paid, counts as paid (outside the per-origin bound).
    expect(nodes?.get(throwaway.nodeKey)?.paid).toBe(false);
  });
});
