// Issue 18, review r18g of 0152488 (`recordRefusedChallenge`), high, fixed. 0152488 records every challenge asking a
// credential and refused before `claimEpoch` as the visit the operator sees, but two refusals on the way there throw
// before `recordRefusedChallenge` is reached, both on fields of the challenge the operator writes and the client cannot
// check (the macaroon is the provider's; its signature is never verified by a payer):
//   - `payChallenge` decodes the token's identifier (`decodeIdentifier`) before the price and payment-hash checks:
//     an identifier of version 1 (the payment hash still the invoice's) throws `INVALID_TOKEN`, nothing recorded;
//   - `credentialFor` parses the credential caveat (`parseCredentialCaveat`) before its `try`: a threshold that is
//     not one of the levels throws `INVALID_TOKEN`, nothing recorded.
// Either reopens the price bridge in one request, free, with no throwaway keys: N1's operator answers it with a valid
// invoice of N1 and such a token, sees the payer at N1, and the history breaks N1's chain.
// Steps (the shared `linkBridgeScene`; one root per challenge at 1,000,000 ppb; base: the payer and 14 others; left:
// the payer and 7 of them; right: the payer and the other 7; base, left and right share the payer alone):
//   1. e0: one.test names N1 against base: reserved, N1 and one.test linked;
//   2. e0+1: one.test names N2 against left: its component (N1 through step 1) leaves base and left, 8: reserved;
//   3. e0+8: one.test names N1 against base, its token's identifier version 1 (or its caveat's threshold 1,000,001
//      ppb, no level): refused `INVALID_TOKEN` before `recordRefusedChallenge`, nothing recorded;
//   4. e0+10: three.test names N1 against right: N1's window holds nothing of N1, the links of steps 1 and 2 out of
//      it: reserved. The operator chains N1(e0+10)-N1(e0+8)-N1(e0)-one.test(e0)-one.test(e0+1): the payer alone.
// The control: step 3 untampered (a reservation renewing N1's component): step 4 is refused `WOULD_LINK`.
// Fixed: `payChallenge` records the visit when the identifier cannot be read, and `credentialFor` parses the caveat
// inside the `try` that records (`recordRefusedChallenge` needs only the caveat's presence); since f18g every 402 naming
// a node key is recorded as it is read, before either (`recordVisit`). A challenge whose invoice
// cannot be read names no node key and stays an origin's unrecorded request (docs/security.md, known).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  CREDENTIAL_CAVEAT,
  decodeMacaroon,
  encodeMacaroonBase64,
  formatChallenges,
  type L402Provider,
  type Macaroon,
  parseChallenge,
} from '../../src/l402/index.js';
import { linkBridgeScene } from '../l402/credential-fixture.js';

/**
 * `inner` with every challenge's token rewritten by `edit` (its signature left as it was: a payer never checks it),
 * the invoice unchanged.
 */
function rewriting(inner: L402Provider, edit: (macaroon: Macaroon) => Macaroon): L402Provider {
  const outer = Object.create(inner) as L402Provider;
  outer.handle = async (request, handler) => {
    const response = await inner.handle(request, handler);
    const header = response.headers.get('www-authenticate');
    if (response.status !== 402 || header === null) return response;
    const { tokens, invoice } = parseChallenge(header);
    const token = encodeMacaroonBase64(edit(decodeMacaroon(tokens[0] as string)));
    const headers = new Headers(response.headers);
    headers.set('www-authenticate', formatChallenges(token, invoice)[0] as string);
    return new Response(await response.text(), { status: 402, headers });
  };
  return outer;
}

/** The token's identifier with version 1 (Aperture defines 0 only); its payment hash and token id unchanged. */
const versionOne = (macaroon: Macaroon): Macaroon => {
  const identifier = Uint8Array.from(macaroon.identifier);
  identifier[1] = 1;
  return { ...macaroon, identifier };
};

/** The credential caveat's threshold one ppb above the providers' 1,000,000 ppb: no level. */
const offLevel = (macaroon: Macaroon): Macaroon => ({
  ...macaroon,
  caveats: macaroon.caveats.map((caveat) =>
    caveat.startsWith(`${CREDENTIAL_CAVEAT}=1000000:`)
      ? caveat.replace(`${CREDENTIAL_CAVEAT}=1000000:`, `${CREDENTIAL_CAVEAT}=1000001:`)
      : caveat,
  ),
});

const malformedBridge = (edit: ((macaroon: Macaroon) => Macaroon) | undefined) =>
  linkBridgeScene(({ gatingAt, n1, base }) => {
    const honest = gatingAt(n1, base.root);
    return edit === undefined ? honest : rewriting(honest, edit);
  });

describe('a credential challenge with a malformed token bridges a link it does not renew', () => {
  it('sets the scene: steps 1 and 2 are reserved, and each bridge is refused INVALID_TOKEN', async () => {
    for (const edit of [versionOne, offLevel]) {
      const { steps, bridge, proved, base, left } = await malformedBridge(edit);
      for (const step of steps) expect(step).not.toMatchObject({ code: ErrorCode.WouldLink });
      expect(bridge).toMatchObject({ code: ErrorCode.InvalidToken });
      expect(proved.map((statement) => statement.root).slice(0, 2)).toEqual([base.root, left.root]);
    }
  });

  it('refuses step 4 when the visit at e0+8 is untampered (the control)', async () => {
    const { bridge, last, proved } = await malformedBridge(undefined);
    expect(bridge).not.toMatchObject({ code: ErrorCode.InvalidToken });
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(3);
  });

  it('refuses step 4 when the token at e0+8 had an identifier of version 1', async () => {
    const { last, proved } = await malformedBridge(versionOne);
    // The attack: the payer proves against `right` at N1, the operator holding it alone.
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });

  it('refuses step 4 when the token at e0+8 asked a threshold that is no level', async () => {
    const { last, proved } = await malformedBridge(offLevel);
    expect(last).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
