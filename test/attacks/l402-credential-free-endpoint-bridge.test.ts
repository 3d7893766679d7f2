// Issue 18, brief f18h (the "requests the credential history never sees" bullet of docs/security.md), medium
// (privacy), fixed. Since f18g every 402 whose invoice names a node key and every request sending a held token are
// recorded as the visit of (origin, node); a request naming no node key was recorded nowhere: a free endpoint of the
// origin answered without a challenge, or a 402 whose invoice the client cannot read. The operator links such a
// request by timing and address to the origin's other visits all the same, so it bridges the linking window through
// the origin's scope, as the ungated purchase did before f18g.
// Steps (the shared `linkBridgeScene`; one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left:
// the payer and 7 of them; right: the payer and the other 7; base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: the payer calls one.test, answered 200 without any challenge (a free endpoint), or with a 402 whose
//      invoice it cannot read (refused): nothing was recorded;
//   4. e0+10: three.test names N1 against right: N1's window held nothing, the links of steps 1 and 2 out of it: the
//      payer proved. The operator chains N1(e0+10)-one.test(e0+8, the free request)-one.test(e0, e0+1)-N1, N2: the
//      payer alone.
// The control (l402-credential-ungated-bridge.test.ts): step 3 gating against base renews the component, step 4 is
// refused `WOULD_LINK`.
// Fixed: `l402Fetch`, given a credential history (its own or the holder's), records every request it sends as a visit
// of the origin's scope alone (`CredentialHistory.originVisit`: its component linked again and carrying what it left,
// nothing joined, nothing written for an origin with no history), a request sending a held token as the visit of
// (origin, node) as before.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { type L402Provider, parseChallenge } from '../../src/l402/index.js';
import { linkBridgeScene, type Served } from '../l402/credential-fixture.js';

/** A free endpoint of the origin: answered without a challenge. */
const free: Served = { handle: async () => new Response('free') };

/** `provider`'s 402s with their invoice replaced by one no client can read (the token left as it is). */
const unreadable = (provider: L402Provider): Served => ({
  handle: async (request, handler) => {
    const response = await provider.handle(request, handler);
    if (response.status !== 402) return response;
    const { tokens } = parseChallenge(response.headers.get('www-authenticate') as string);
    return new Response(null, {
      status: 402,
      headers: { 'www-authenticate': `L402 version="0", token="${tokens[0]}", invoice="lnbc1unreadable"` },
    });
  },
});

const freeBridge = (kind: 'free' | 'unreadable', bridgeBy: 'holder' | 'history' = 'holder') =>
  linkBridgeScene(
    ({ gatingAt, n1, base }) => (kind === 'free' ? free : unreadable(gatingAt(n1, base.root))),
    {
      bridgeBy,
    },
  );

describe('a request of the origin naming no node key bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, the free request served, the unreadable 402 refused', async () => {
    const served = await freeBridge('free');
    for (const step of served.steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect((served.bridge as Response).status).toBe(200);
    expect(served.proved.map((statement) => statement.root).slice(0, 2)).toEqual([
      served.base.root,
      served.left.root,
    ]);
    const refused = await freeBridge('unreadable');
    expect(refused.bridge).toMatchObject({ code: ErrorCode.InvalidInvoice });
  });

  it('refuses step 4 when the visit at e0+8 was a free endpoint of the origin', async () => {
    const { last, proved } = await freeBridge('free');
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 4 when the free request was a call with the history and no credential (agora fetch)', async () => {
    const { last, proved } = await freeBridge('free', 'history');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 4 when the visit at e0+8 was a 402 whose invoice the client cannot read', async () => {
    const { last, proved } = await freeBridge('unreadable');
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
