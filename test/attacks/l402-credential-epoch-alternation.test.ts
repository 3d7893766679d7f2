// Issue 18 fourth review (open, low): within CREDENTIAL_EPOCH_SKEW_SECONDS of an epoch's edge the client accepts
// either epoch a challenge names, afresh at every call. The provider chooses per challenge: the last epoch's, then
// the next one's, then the last one's again. Each call proves one epoch only (`WOULD_LINK` holds within a call), but
// over consecutive calls the payer shows pseudonyms of both days interleaved as the provider picked them, which
// marks them as one payer's far more surely than the timing of a day's last purchase and the next day's first. A
// client that never went back to an earlier epoch at a provider (node key) once it proved a later one would show
// the switch once. No Groth16 proof is made: the prover records what it is asked to prove.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import {
  CREDENTIAL_EPOCH_SECONDS,
  CredentialBatcher,
  credentialEpoch,
  credentialScope,
  L402Provider,
  l402Fetch,
  MemoryRootKeyStore,
} from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { voteVerifier } from '../fixtures/zk.js';
import { driftingSnapshots, MIN_SCORE, recordingHolder } from '../l402/credential-fixture.js';

describe("a provider cannot interleave a payer's pseudonyms of two epochs at the edge", () => {
  it('never proves an earlier epoch at a provider after proving a later one there', async () => {
    const start = 1_800_000_000;
    const end = (credentialEpoch(start) + 1) * CREDENTIAL_EPOCH_SECONDS;
    // The payer two minutes before the edge; the provider's clock chosen per challenge, within the tolerated skew.
    const payerClock = new ManualClock((end - 120) * 1000);
    const network = new SimNetwork({ clock: payerClock });
    const payerNode = network.createNode('payer');
    const providerNode = network.createNode('provider');
    network.openChannel(payerNode, providerNode, { capacitySat: 1_000_000 });
    const payer = generateAgentKey();
    const { newer } = await driftingSnapshots(payer);
    const { holder, proved } = await recordingHolder(payer, [newer]);
    const rootKeys = new MemoryRootKeyStore();
    const verifier = new CredentialBatcher(await voteVerifier());
    // One operator (same node and root keys) answering each challenge with the clock it chooses.
    const providerAt = (seconds: number) =>
      new L402Provider({
        lightning: providerNode,
        rootKeys,
        service: 'weather',
        price: () => 1_000,
        clock: new ManualClock(seconds * 1000),
        credential: { minScore: MIN_SCORE, roots: () => [newer.root], verifier },
      });
    const behind = providerAt(end - 120);
    const ahead = providerAt(end + 60);
    let provider = behind;
    const options = {
      lightning: payerNode,
      maxPriceMsat: 10_000,
      credential: holder,
      clock: payerClock,
      fetch: async (input: string | URL | Request, init?: RequestInit) =>
        provider.handle(new Request(input, init), async () => new Response('ok')),
    };
    const epochs: number[] = [];
    for (const chosen of [behind, ahead, behind]) {
      provider = chosen;
      epochs.push(chosen === behind ? credentialEpoch(end - 120) : credentialEpoch(end + 60));
      await l402Fetch('http://provider.test/forecast', {}, options).catch(() => undefined);
    }
    const scopeOf = (epoch: number) =>
      credentialScope({ provider: providerNode.nodeKey, service: 'weather', epoch });
    // The first two calls proved the last epoch's pseudonym, then the next one's.
    expect(proved.slice(0, 2).map((statement) => statement.scope)).toEqual(epochs.slice(0, 2).map(scopeOf));
    // The attack's measure: back to the last epoch's pseudonym after the next one's was shown.
    expect(proved).toHaveLength(2);
  });
});
