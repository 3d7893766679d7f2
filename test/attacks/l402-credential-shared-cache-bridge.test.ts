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
// Fixed: the `TokenCache` keeps the history of the call that bought each token (`TokenCache.historyOf`), and a request
// sending a held token records its visit there as well as in its own call's history, whatever that call was given.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { ungatedTokenScene } from '../l402/credential-fixture.js';

/** Step 4 reuses the token bought at step 3 through the same cache, with the credential or with nothing. */
const sharedCacheScene = ({ reuseWith }: { reuseWith: 'credential' | 'nothing' }) =>
  ungatedTokenScene({ tokens: 'same', credential: reuseWith === 'credential' });

describe('a held token reused by a call without the history bridges a link', () => {
  it('sets the scene: steps 1 and 2 reserved, the token bought at e0+6 and reused at e0+12 without a 402', async () => {
    const { steps, proved, challenges, base, left } = await sharedCacheScene({ reuseWith: 'nothing' });
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
    expect(challenges).toEqual([402, 200, 200]);
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 5 when step 4 was made with the credential (its history records the reuse: the control)', async () => {
    const { last, proved, challenges } = await sharedCacheScene({ reuseWith: 'credential' });
    expect(challenges).toEqual([402, 200, 200]);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 5 when step 4 reused the token in a call given no history', async () => {
    const { last, proved } = await sharedCacheScene({ reuseWith: 'nothing' });
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
