// Issue 18, found fixing the ungated bridge (f18g), high, fixed. The ungated-bridge fix records every 402 naming a node
// key as the visit of (origin, node); a request answered without a 402, by a token the payer holds, is the same visit:
// the token was paid to that node, and its origin (the node's operator, or in league with it) links the request to the
// node by the token itself. N1's operator sells an ungated token valid for a week and keeps the chain going through its
// reuse, which the history never saw.
// Steps (one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left: the payer and 7 of them; right:
// the payer and the other 7; base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+6: one.test sells an ungated token of N1 valid for 7 days (its 402 recorded: N1 carries base and left);
//   4. e0+12: the payer reuses that token at one.test (no 402): served, nothing recorded;
//   5. e0+18: three.test names N1 against right: N1's window (e0+10 .. e0+26) holds nothing, the visit of step 3 and
//      the links of steps 1 to 3 out of it: proved. The operator chains N1(e0+18)-N1(e0+12, the token)-N1(e0+6)-N1(e0)-
//      one.test(e0)-one.test(e0+1): the payer alone.
// The control: step 4 buys anew (a fresh token cache: a 402 of N1, recorded): step 5 is refused `WOULD_LINK`.
// Fixed: with a history, `l402Fetch` records each request sending a held token as the visit of the token's node key
// and the origin (`CredentialHistory.refusedVisit`, at the token's credential epoch or the payer's own: nothing for a
// scope with no history, at most one entry and one link pair per scope and epoch).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { ungatedTokenScene } from '../l402/credential-fixture.js';

/** Step 4 reuses the token bought at step 3 (`reuse`) or buys anew, with the credential either way. */
const tokenReuseScene = ({ reuse }: { reuse: boolean }) =>
  ungatedTokenScene({ tokens: reuse ? 'same' : 'new', given: 'credential' });

describe('a held token of the node, reused without a 402, bridges a link', () => {
  it('sets the scene: steps 1 and 2 reserved, the token bought at e0+6 and reused at e0+12 without a 402', async () => {
    const { steps, proved, challenges, base, left } = await tokenReuseScene({ reuse: true });
    for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    for (const step of steps.slice(2)) expect((step as Response).status).toBe(200);
    // Step 3: the 402, then the paid request; step 4: the token alone.
    expect(challenges).toEqual([402, 200, 200]);
    expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
  });

  it('refuses step 5 when step 4 bought anew (a 402 of N1, recorded: the control)', async () => {
    const { last, proved, challenges } = await tokenReuseScene({ reuse: false });
    expect(challenges).toEqual([402, 200, 402, 200]);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 5 when step 4 reused the token (no 402)', async () => {
    const { last, proved } = await tokenReuseScene({ reuse: true });
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
