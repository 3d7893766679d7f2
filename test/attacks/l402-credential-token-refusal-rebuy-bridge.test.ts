// Issue 18, review r18k, medium (privacy, given a caller's configuration the documentation allows: a `TokenCache`
// shared by the payer's credential call and a plain call of the same app, as the shared-cache bridge). Since r18j a
// request sending a held token is recorded in every history that bought or sent it (`TokenCache.historyOf`, by
// payment hash). But a call sending such a token and refused with a 401 forgets it and buys another, at once, in
// the same call: the operator links the new token to the refused one by the call itself (its requests back to back,
// one connection), yet the new token is stored with the call's own history only (none), so its later reuse by a call
// given none is recorded nowhere.
// Steps (one root per challenge at 1,000,000 ppb, as in l402-credential-shared-cache-bridge):
//   1. e0: one.test names N1 against base: reserved; 2. e0+1: one.test names N2 against left: reserved;
//   3. e0+6: the credential call buys N1's ungated week-long token T1 at one.test (its 402 and its use recorded);
//   4. e0+6, later: a call with nothing sends T1 (recorded in the history, T1's), the operator answers 401: the call
//      forgets T1, buys T2 from a fresh 402 and is served;
//   5. e0+12: a call with nothing reuses T2: recorded nowhere;
//   6. e0+18: three.test names N1 against right: proved (the operator chains T2 to T1 by step 4's call, T1 to the
//      payer alone).
// The control: step 4 served with T1 (no 401): step 5 reuses T1, recorded, and step 6 is refused `WOULD_LINK`.
// Fixed first by recording each token a call sends in the histories of every token it sent before (r18k); fixed now by
// one rule: a `TokenCache` serves one credential history or none (`TokenCache.serve`), so step 4's call given nothing
// is refused `INVALID_ARGUMENT` before it sends T1; given the history alone, as the documentation asks of every fetch
// of an agent, it records T1, T2 and step 5, and step 6 is refused `WOULD_LINK`.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { TokenCache } from '../../src/l402/index.js';
import { type Given, splitPayerScene, ungatedOneTest } from '../l402/credential-fixture.js';

const DAY = 86_400_000;

/** The scene, T1 refused at step 4 or not, steps 4 and 5 `plain` the history or nothing. */
async function refusalScene(refuse: boolean, plain: Given) {
  const scene = await splitPayerScene();
  const { clock, n1, n2, gatingAt, base, left, right, proved, call } = scene;
  let refuseHeld = false;
  const statuses: number[] = [];
  const sent: string[] = [];
  const tokens = new TokenCache();
  const fetchOne = ungatedOneTest(scene, async (request, own) => {
    const authorization = request.headers.get('authorization');
    if (authorization !== null) sent.push(authorization);
    let response: Response;
    if (refuseHeld && authorization !== null) {
      refuseHeld = false;
      response = new Response('token revoked', { status: 401 });
    } else response = await own();
    statuses.push(response.status);
    return response;
  });
  const steps = [await call(gatingAt(n1, base.root), 'http://one.test')];
  clock.advance(DAY);
  steps.push(await call(gatingAt(n2, left.root), 'http://one.test'));
  clock.advance(5 * DAY);
  steps.push(await fetchOne(tokens, 'credential'));
  clock.advance(60_000);
  refuseHeld = refuse;
  steps.push(await fetchOne(tokens, plain));
  clock.advance(6 * DAY);
  steps.push(await fetchOne(tokens, plain));
  clock.advance(6 * DAY);
  const last = await call(gatingAt(n1, right.root), 'http://three.test');
  return { steps, last, proved, statuses, sent, base, left };
}

describe('a held token refused with a 401 and bought again in the same call bridges a link', () => {
  it('sets the scene: steps 1 and 2 reserved, T1 refused then T2 bought in step 4, T2 reused in step 5', async () => {
    const { steps, proved, statuses, sent, base, left } = await refusalScene(true, 'history');
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
    expect(statuses).toEqual([402, 200, 401, 402, 200, 200]);
    expect(new Set(sent).size).toBe(2);
    expect(sent[1]).toBe(sent[0]);
    expect(sent[3]).toBe(sent[2]);
    expect(sent[2]).not.toBe(sent[0]);
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 6 when step 4 is served with T1 (the control)', async () => {
    const { last, proved, statuses } = await refusalScene(false, 'history');
    expect(statuses).toEqual([402, 200, 200, 200]);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 6 when step 4 refused T1 and bought T2 in the same call', async () => {
    const { last, proved } = await refusalScene(true, 'history');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses steps 4 and 5 given no history, before they send a token: nothing bridges', async () => {
    const { steps, statuses, sent } = await refusalScene(true, 'nothing');
    expect(steps[3]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(steps[4]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(statuses).toEqual([402, 200]);
    expect(sent).toHaveLength(1);
  });
});
