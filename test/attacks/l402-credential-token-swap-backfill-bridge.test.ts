// Issue 18, review r18l, medium (privacy, given a caller's configuration the documentation allows: a `TokenCache`
// shared by the payer's credential call and plain calls of the same app given no history, as the shared-cache
// bridge). Since r18k each token a call sends is recorded in, and kept for, the histories of every token the call
// sent *before* it (`linked`). The link is one-way: a call that first sends a token no history holds (T0, bought by a
// plain call) and then, in the same call, a token of the payer's history (T1, taken from the cache when the operator
// answers T0 with a 402 of T1's service: "a token of this service is held already") records T1 in the payer's history
// but never adds that history to T0. The operator links T0 to T1 by the call itself (requests back to back), T1 to
// the payer; T0's later reuse by a plain call is recorded nowhere.
// Steps (one root per challenge at 1,000,000 ppb, as in l402-credential-token-refusal-rebuy-bridge):
//   1. e0: one.test names N1 against base: reserved; 2. e0+1: one.test names N2 against left: reserved;
//   3. e0+6: a call with nothing buys N1's ungated week-long `weather` token T0 at one.test/forecast (no history);
//   4. e0+6, later: the credential call buys N1's ungated week-long `maps` token T1 at one.test/maps (recorded);
//   5. e0+6, later still: a call with nothing sends T0 to /forecast, the operator answers with a `maps` 402: the call sends
//      T1 (held) and is served;
//   6. e0+12: a call with nothing asks one.test/today, answered with a `weather` 402: it sends T0, recorded nowhere;
//   7. e0+18: three.test names N1 against right: proved (the operator chains T0 to T1 by step 5's call, T1 to the
//      payer alone).
// The control: step 5 served with T0 (no swap): T0 is no token of the payer's the operator can name, and step 7 is
// proved.
// Fixed first by back-filling a call's earlier tokens into every history it linked (r18l); fixed now by one rule: a
// `TokenCache` serves one credential history or none (`TokenCache.serve`), fixed by its first call: step 3 given
// nothing fixes none, so step 4's credential call is refused `INVALID_ARGUMENT` before it sends anything (a cache of its
// own would keep T1 from step 5's call). Given the history alone, as the documentation asks of every fetch of an agent,
// steps 3, 5 and 6 are recorded and step 7 is refused `WOULD_LINK`, swap or not.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { L402Provider, l402Fetch, MemoryRootKeyStore, TokenCache } from '../../src/l402/index.js';
import { type Given, givenOptions, splitPayerScene } from '../l402/credential-fixture.js';

const DAY = 86_400_000;

/** The scene, step 5 swapped or not, steps 3, 5 and 6 `plain` the history or nothing. */
async function swapScene(swap: boolean, plain: Given) {
  const scene = await splitPayerScene();
  const { clock, n1, n2, gatingAt, base, left, right, proved, call, payerNode } = scene;
  const provider = (service: string) =>
    new L402Provider({
      lightning: n1,
      rootKeys: new MemoryRootKeyStore(),
      service,
      price: () => 1_000,
      validForSeconds: 7 * 86_400,
      clock,
    });
  const weather = provider('weather');
  const maps = provider('maps');
  let swapNext = false;
  let mapsNext = false;
  const statuses: number[] = [];
  const sent: string[] = [];
  const tokens = new TokenCache();
  const fetchAt = (path: string, given: Given) =>
    l402Fetch(
      `http://one.test${path}`,
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        ...givenOptions(scene, given),
        clock,
        tokens,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          const authorization = request.headers.get('authorization');
          if (authorization !== null) sent.push(authorization);
          // The operator answers a `weather` token with a `maps` 402 once (its unpaid maps challenge).
          // That request's path then turns out to be `maps` (its retry with the maps token is served by maps).
          const own = swapNext && authorization !== null && path === '/forecast';
          if (own) swapNext = false;
          const asMaps = path === '/maps' || mapsNext;
          mapsNext = own;
          const target = own
            ? maps.handle(new Request(request.url), async () => new Response('ok'))
            : (asMaps ? maps : weather).handle(request, async () => new Response('ok'));
          const response = await target;
          statuses.push(response.status);
          return response;
        },
      },
    ).catch((error: unknown) => error);
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(DAY);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance(5 * DAY);
  steps.push(await fetchAt('/forecast', plain));
  clock.advance(60_000);
  steps.push(await fetchAt('/maps', 'credential'));
  const answeredBeforeStep5 = statuses.length;
  clock.advance(60_000);
  swapNext = swap;
  steps.push(await fetchAt('/forecast', plain));
  clock.advance(6 * DAY);
  steps.push(await fetchAt('/today', plain));
  clock.advance(6 * DAY);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  return { steps, last, proved, statuses, sent, base, left, answeredBeforeStep5 };
}

describe('a token no history holds, sent in one call before a token of the payer, bridges a link', () => {
  it('sets the scene: T0 then T1 sent in step 5, T0 reused in step 6', async () => {
    const { steps, proved, statuses, sent, base, left } = await swapScene(true, 'history');
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
    expect(statuses).toEqual([402, 200, 402, 200, 402, 200, 402, 200]);
    expect(sent).toHaveLength(5);
    const [t0, t1, t0Again, t1Again, t0Reused] = sent;
    expect(t0).not.toBe(t1);
    expect(t0Again).toBe(t0);
    expect(t1Again).toBe(t1);
    expect(t0Reused).toBe(t0);
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  for (const swap of [true, false])
    it(`refuses step 7 when the plain calls are given the history (step 5 ${swap ? 'swapped' : 'served with T0'})`, async () => {
      const { last, proved } = await swapScene(swap, 'history');
      expect(last).toMatchObject({ code: ErrorCode.WouldLink });
      expect(proved).toHaveLength(2);
    });

  it('refuses the credential call of step 4, before it sends anything, when step 3 was given no history', async () => {
    const { steps, statuses, answeredBeforeStep5 } = await swapScene(true, 'nothing');
    expect((steps[2] as Response).status).toBe(200);
    expect(steps[3]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(answeredBeforeStep5).toBe(2);
    expect(statuses.slice(0, 2)).toEqual([402, 200]);
  });
});
