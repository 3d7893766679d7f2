// Issue 18 third review (fixed): the client forgot a token whose credential epoch its own clock has left, so that it never
// shows a payer's pseudonyms of two epochs side by side. But it accepts a provider's epoch up to 5 minutes off its
// clock (CREDENTIAL_EPOCH_SKEW_SECONDS). A provider whose clock runs 2 minutes ahead (honest skew, or chosen) is in
// the next epoch while the payer is still in the last: the payer sends yesterday's token with its credential, gets
// the 401 that ends it, and in the same call proves today's pseudonym for the provider's new challenge. Every payer
// coming back in those minutes linked its two pseudonyms. The client now shows no credential token in the last
// CREDENTIAL_EPOCH_SKEW_SECONDS of its epoch (it buys a fresh one instead), and never proves, in one call, a
// pseudonym of another epoch than a credential it has shown in that call (`WOULD_LINK`).
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isAgoraError, ManualClock } from '../../src/core/index.js';
import { CREDENTIAL_EPOCH_SECONDS, credentialEpoch, l402Fetch, TokenCache } from '../../src/l402/index.js';
import { credentialMarket, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

type Market = Awaited<ReturnType<typeof credentialMarket>>;

/** The well-reputed payer's fetch options on the market's clock, one token cache, its requests to `gated` in `sent`. */
function payerAt(market: Market, gated: ReturnType<Market['provider']>) {
  const sent: Headers[] = [];
  const options = {
    lightning: market.agents.high.node,
    maxPriceMsat: 10_000,
    credential: market.agents.high.holder,
    clock: market.clock,
    tokens: new TokenCache(),
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      sent.push(request.headers);
      return gated.handle(request);
    },
  };
  return { sent, options };
}

describe("a provider's clock skew does not show a payer's pseudonyms of two epochs side by side", () => {
  it('does not present the last epoch token beside the new proof when the provider runs 2 minutes ahead', async () => {
    const market = await credentialMarket();
    const now = Math.floor(market.clock.now() / 1000);
    const end = (credentialEpoch(now) + 1) * CREDENTIAL_EPOCH_SECONDS;
    // The payer ten minutes before the epoch's end; the provider two minutes ahead of it, within the tolerated skew.
    market.clock.set((end - 600) * 1000);
    const ahead = new ManualClock((end - 600 + 120) * 1000);
    const gated = market.provider('gated', { validForSeconds: 2 * CREDENTIAL_EPOCH_SECONDS, clock: ahead });
    const { sent, options } = payerAt(market, gated);
    const pseudonymOf = async (response: Response) =>
      ((await response.json()) as { pseudonym: string }).pseudonym;
    const yesterday = await pseudonymOf(await l402Fetch('http://provider.test/forecast', {}, options));

    // Nine minutes later: the payer 1 minute before the edge, the provider 1 minute past it.
    market.clock.advance(9 * 60 * 1000);
    ahead.advance(9 * 60 * 1000);
    expect(credentialEpoch(Math.floor(market.clock.now() / 1000))).toBe(credentialEpoch(now));
    sent.length = 0;
    const today = await pseudonymOf(await l402Fetch('http://provider.test/forecast', {}, options));
    expect(today).not.toBe(yesterday);
    const presented = new Set(
      sent.map((headers) => headers.get('authorization')).filter((value) => value !== null),
    );
    // The attack's measure: yesterday's token and today's, one after the other, in one call.
    expect(presented.size).toBeLessThanOrEqual(1);
  }, 120_000);

  it("proves no pseudonym of the epoch before in a call that showed this epoch's credential", async () => {
    const market = await credentialMarket();
    const start = (credentialEpoch(Math.floor(market.clock.now() / 1000)) + 1) * CREDENTIAL_EPOCH_SECONDS;
    // The payer and the provider one minute into a new epoch: a token of it is bought.
    market.clock.set((start + 60) * 1000);
    // A provider's clock that can be set back (a ManualClock only moves forward).
    let providerMs = (start + 60) * 1000;
    const provider = { now: () => providerMs };
    const gated = market.provider('gated', {
      validForSeconds: 2 * CREDENTIAL_EPOCH_SECONDS,
      clock: provider,
    });
    const { sent, options } = payerAt(market, gated);
    expect((await l402Fetch('http://provider.test/forecast', {}, options)).status).toBe(200);
    // The provider's clock goes back two minutes (within the tolerated skew): it refuses the token of the new epoch
    // and asks for a credential of the last one, which the payer's clock still accepts.
    providerMs = (start - 60) * 1000;
    sent.length = 0;
    const refused = await l402Fetch('http://provider.test/forecast', {}, options).catch(
      (error: unknown) => error,
    );
    expect(isAgoraError(refused, ErrorCode.WouldLink)).toBe(true);
    // One credential shown in the call: the new epoch's, never beside the last one's.
    expect(
      new Set(sent.map((headers) => headers.get('agora-credential')).filter((v) => v !== null)).size,
    ).toBe(1);
  }, 120_000);
});
