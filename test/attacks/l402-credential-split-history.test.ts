// Issue 18, review r18h finding 4, low (a caller's mistake the API allowed), fixed. `l402Fetch` takes a credential
// holder (whose history `proveCredential` reserves in) and `options.history` (where every visit and every agent-id
// mark went). Given both, and a different store in each, the reservations and the visits were kept apart: an ungated
// purchase of N1 at e0+8 renewed N1's component in `options.history` only, so a proof at e0+10 checked in the holder's
// history saw N1's window empty (the ungated bridge back); and a node given the agent id in one store could be shown
// a pseudonym from the other.
// Steps: one call with the holder and a second, fresh history: it was sent and served (nothing refused).
// Fixed: `l402Fetch` refuses `INVALID_ARGUMENT` before sending anything when `history` is not the holder's.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialHistory, L402Provider, l402Fetch, MemoryRootKeyStore } from '../../src/l402/index.js';
import { operatorNodes, recordingHolder, snapshotOf } from '../l402/credential-fixture.js';

async function splitCall(history: 'other' | 'same' | 'none') {
  const { clock, payerNode, providerNode } = await operatorNodes();
  const payer = generateAgentKey();
  const { holder } = await recordingHolder(payer, [await snapshotOf(new Map([[payer, 50_000_000]]))]);
  const ungated = new L402Provider({
    lightning: providerNode,
    rootKeys: new MemoryRootKeyStore(),
    service: 'weather',
    price: () => 1_000,
    clock,
  });
  let sent = 0;
  const outcome = await l402Fetch(
    'http://one.test/forecast',
    {},
    {
      lightning: payerNode,
      maxPriceMsat: 10_000,
      credential: holder,
      ...(history === 'none'
        ? {}
        : { history: history === 'same' ? holder.history : CredentialHistory.inMemory() }),
      clock,
      fetch: async (input, init) => {
        sent++;
        return ungated.handle(new Request(input, init), async () => new Response('ok'));
      },
    },
  ).catch((error: unknown) => error);
  return { outcome, sent };
}

describe("a history other than the credential holder's splits reservations from visits", () => {
  it('refuses the call before sending anything', async () => {
    const { outcome, sent } = await splitCall('other');
    expect(outcome).toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(sent).toBe(0);
  });

  it("serves the call given the holder's own history, or none", async () => {
    for (const history of ['same', 'none'] as const) {
      const { outcome } = await splitCall(history);
      expect((outcome as Response).status).toBe(200);
    }
  });
});
