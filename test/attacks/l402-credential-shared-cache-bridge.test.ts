// Issue 18, review r18i, medium (privacy, given a caller's configuration the documentation allows), fixed. Since f18g a
// request sending a held token is recorded as the visit of the token's node and origin (the token-reuse bridge), but
// only in the call's own history (`options.history ?? options.credential.history`). A `TokenCache` is not tied to a
// history: the payer's app buys an ungated token of N1 in a call with its credential (the history records the 402),
// then, sharing the cache, reuses it in a call made with neither a credential nor a history (a plain fetch of the
// same app: `L402FetchOptions.history` asks for the history only in fetches sending the agent's `identity`). That
// request is the visit of N1 the operator links by the token itself; the history never sees it.
// Steps (one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left: the payer and 7 of them; right:
// the payer and the other 7; base, left and right share the payer alone), as in l402-credential-token-reuse-bridge:
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+6: one.test sells an ungated token of N1 valid for 7 days, bought in a call with the credential (its 402
//      recorded: N1 carries base and left);
//   4. e0+12: a call with no credential and no history, sharing the token cache, reuses that token at one.test (no
//      402): served, nothing recorded;
//   5. e0+18: three.test names N1 against right: N1's window (e0+10 .. e0+26) holds nothing: proved. The operator
//      chains N1(e0+18)-N1(e0+12, the token)-N1(e0+6)-N1(e0)-one.test(e0)-one.test(e0+1): the payer alone.
// The control: step 4 made with the credential (the holder's history records the reuse): step 5 refused `WOULD_LINK`.
// Fixed first (r18i) by the cache keeping each token's buyer's history, which three later reviews got around (the
// shared-purchase, refusal-rebuy and token-swap bridges). Fixed now by what the documentation asks made a rule: a
// `TokenCache` serves one credential history or none, fixed by its first call (`TokenCache.serve`), and a call given
// another (or none where one was fixed) is refused `INVALID_ARGUMENT` before it sends anything. Step 4 given nothing
// is refused and sends nothing; given the history (no credential), it is recorded and step 5 refused `WOULD_LINK`.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type Given, ungatedTokenScene } from '../l402/credential-fixture.js';

/** Step 4 reuses the token bought at step 3 through the same cache, `given` the credential, the history or nothing. */
const sharedCacheScene = (given: Given) => ungatedTokenScene({ tokens: 'same', given });

describe('a held token reused by a call without the history bridges a link', () => {
  it('sets the scene: steps 1 and 2 reserved, the token bought at e0+6 and reused at e0+12 without a 402', async () => {
    const { steps, proved, challenges, base, left } = await sharedCacheScene('history');
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
    expect(challenges).toEqual([402, 200, 200]);
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 5 when step 4 was made with the credential (its history records the reuse: the control)', async () => {
    const { last, proved, challenges } = await sharedCacheScene('credential');
    expect(challenges).toEqual([402, 200, 200]);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 5 when step 4 was given the history alone, as every fetch of the agent is', async () => {
    const { last, proved } = await sharedCacheScene('history');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 4 given no history, before it sends the token: nothing bridges', async () => {
    const { steps, challenges, last, proved } = await sharedCacheScene('nothing');
    expect(steps[3]).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(challenges).toEqual([402, 200]);
    // The operator saw the payer at N1 at e0+6 and next at e0+18: nothing chains them, and the history proves.
    expect(last).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });
});
