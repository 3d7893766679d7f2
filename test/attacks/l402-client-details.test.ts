// Attack 8 of issue 16: client details. `l402Fetch` replaced the caller's `signal` with its timeout (the caller could
// not cancel), passed the caller's `maxFeeMsat` (often undefined) to the backend instead of the fee it reserved in
// the budget (the backend's own default could exceed the reservation), and kept a module-global set of receipted
// payments shared by every caller; the default fee limit was written in four places.
import { describe, expect, it } from 'vitest';
import { Budget, l402Fetch } from '../../src/l402/index.js';
import { defaultMaxFeeMsat, type LightningBackend, type PayOptions } from '../../src/lightning/index.js';
import { market } from './l402-fixture.js';

const setup = () => market(5_000);

describe('attack: client details (l402-client-details)', () => {
  it("the caller's signal still cancels the request", async () => {
    const { payerNode } = setup();
    const stop = new AbortController();
    const hanging = ((_input: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      })) as typeof fetch;
    const pending = l402Fetch(
      'http://weather.test/forecast',
      { signal: stop.signal },
      { lightning: payerNode, maxPriceMsat: 10_000, fetch: hanging, timeoutMs: 20_000 },
    );
    setTimeout(() => stop.abort(new Error('caller gave up')), 20);
    const started = Date.now();
    await expect(pending).rejects.toThrow(/caller gave up/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('the backend is given the fee cap reserved in the budget', async () => {
    const { payerNode, provider } = setup();
    const asked: PayOptions[] = [];
    const recording = Object.assign(Object.create(payerNode) as LightningBackend, {
      payInvoice: (invoice: string, options?: PayOptions) => {
        asked.push(options ?? {});
        return payerNode.payInvoice(invoice, options);
      },
    });
    const viaProvider = ((input: string, init?: RequestInit) =>
      provider.handle(new Request(input, init), () => new Response('ok'))) as typeof fetch;
    const budget = new Budget(100_000);
    const response = await l402Fetch(
      'http://weather.test/forecast',
      {},
      { lightning: recording, maxPriceMsat: 10_000, budget, fetch: viaProvider },
    );
    expect(response.status).toBe(200);
    expect(asked).toEqual([{ maxFeeMsat: defaultMaxFeeMsat(5_000) }]);
  });
});
