// Issue 18, review r18j, medium (privacy, given a caller's configuration the documentation allows), fixed. Since r18i
// a request sending a held token is recorded in the history of the call that bought it (`TokenCache.historyOf`, kept
// per `PaidToken` object, set only by `TokenCache.store` after a purchase). A token bought by a call given no history
// and then sent by a call given the history is recorded there once (the visit of its node at that time), but the
// token stays one "no history bought": its next reuse by a call given none is recorded nowhere, though the operator
// links it by the token to the one the history recorded. Two ways the payer's app gets there, sharing one cache:
//   a. in sequence: a call with nothing buys the token, then a call with the credential reuses it;
//   b. at once: a call with the credential and one with nothing fetch together, the operator answering both unpaid
//      requests with the same 402: the call with nothing pays and stores first, the other (still recording the 402 in
//      its history) finds its token held and sends it (or both pay the payment hash once, two `PaidToken`s).
// Steps (one root per challenge at 1,000,000 ppb, as in l402-credential-shared-cache-bridge):
//   1. e0: one.test names N1 against base: reserved; 2. e0+1: one.test names N2 against left: reserved;
//   3. e0+6: the two calls of (a) or (b) at one.test, whose ungated 402 of N1 sells a week-long token: both served,
//      one payment;
//   4. e0+12: a call with no credential and no history, same cache, reuses the token held: nothing recorded;
//   5. e0+18: three.test names N1 against right: proved (the operator chains it through the token to the payer alone).
// The control: step 3's call with the credential first, then the one with nothing: step 5 refused `WOULD_LINK`.
// Fixed first by keeping a token's histories by payment hash (r18j); fixed now by one rule: a `TokenCache` serves one
// credential history or none, fixed by its first call (`TokenCache.serve`), and a call given another is refused
// `INVALID_ARGUMENT` before it sends anything. In (a) the call with the credential is refused (the cache serves no
// history), in (b) the call with nothing (the other started first), each sending nothing; given the history alone, as
// the documentation asks of every fetch of an agent, every call is recorded and step 5 is refused `WOULD_LINK`.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { TokenCache } from '../../src/l402/index.js';
import { type Given, splitPayerScene, ungatedOneTest } from '../l402/credential-fixture.js';

const DAY = 86_400_000;

/** The scene, the plain calls (steps 3 and 4) `plain` the history or nothing. */
async function sharedPurchaseScene(third: 'credential first' | 'nothing first' | 'together', plain: Given) {
  const scene = await splitPayerScene();
  const { clock, n1, n2, gatingAt, base, left, right, proved, call } = scene;
  // The operator answers every unpaid request of step 3 with the first challenge it made.
  let challenge: Response | undefined;
  const statuses: number[] = [];
  const tokens = new TokenCache();
  const fetchUngated = ungatedOneTest(scene, async (request, own) => {
    let response: Response;
    if (!request.headers.has('authorization') && challenge !== undefined) response = challenge.clone();
    else {
      response = await own();
      if (response.status === 402) challenge ??= response.clone();
    }
    statuses.push(response.status);
    return response;
  });
  const fetchOne = (withCredential: boolean) => fetchUngated(tokens, withCredential ? 'credential' : plain);
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(DAY);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance(5 * DAY);
  if (third === 'together') steps.push(...(await Promise.all([fetchOne(true), fetchOne(false)])));
  else if (third === 'credential first') steps.push(await fetchOne(true), await fetchOne(false));
  else steps.push(await fetchOne(false), await fetchOne(true));
  challenge = undefined;
  clock.advance(6 * DAY);
  steps.push(await fetchOne(false));
  clock.advance(6 * DAY);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  return { steps, last, proved, statuses, base, left };
}

describe('a held token bought without a history, then sent by a call with it, bridges a link', () => {
  it('sets the scene: steps 1 and 2 reserved, one challenge answered to both calls of step 3, step 4 served from the cache', async () => {
    const { steps, proved, statuses, base, left } = await sharedPurchaseScene('together', 'history');
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
    expect(statuses).toEqual([402, 402, 200, 200, 200]);
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  for (const third of ['credential first', 'nothing first', 'together'] as const)
    it(`refuses step 5 when the plain calls are given the history (${third})`, async () => {
      const { steps, last, proved } = await sharedPurchaseScene(third, 'history');
      for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
      expect(last).toMatchObject({ code: ErrorCode.WouldLink });
      expect(proved).toHaveLength(2);
    });

  it('refuses the call with the credential, sending nothing, when a call given no history bought first', async () => {
    const { steps, statuses } = await sharedPurchaseScene('nothing first', 'nothing');
    expect((steps[2] as Response).status).toBe(200);
    expect(steps[3]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(statuses).toEqual([402, 200, 200]);
  });

  it('refuses the call with nothing, sending nothing, when both fetch at once (the one with the credential started first)', async () => {
    const { steps, statuses } = await sharedPurchaseScene('together', 'nothing');
    expect((steps[2] as Response).status).toBe(200);
    expect(steps[3]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(steps[4]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(statuses).toEqual([402, 200]);
  });
});
