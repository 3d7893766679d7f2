// Issue 18 fifth review: a payer that cannot prove a threshold refuses before paying (`INVALID_PROOF`), and the
// provider sees it: the unpaid request and its challenge, then nothing. The refusal is not recorded in the agent's
// history, so a later proof at the same node in the same epoch counts its anonymity set as every member reaching
// the lower level, while the operator (linking the two by timing or network address, as the node-and-epoch
// intersection already assumes) knows the payer is below the higher one: the payer hides only among the members
// between the two levels. Here 8 members reach 1,000,000 ppb, 7 of them reach 25,000,000 too: the payer, refused at
// the higher level, then proves the lower one and is the only member in between. Repeating with other levels, the
// operator bisects the payer's score into its level bracket.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { CredentialBatcher, L402Provider, l402Fetch, MemoryRootKeyStore } from '../../src/l402/index.js';
import { SimNetwork } from '../../src/lightning/index.js';
import { voteVerifier } from '../fixtures/zk.js';
import { MIN_SCORE, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

/** A level above the payer's score and below the 7 others'. */
const HIGHER = 25_000_000;

async function bracketOperator() {
  const clock = new ManualClock(1_800_000_000_000);
  const network = new SimNetwork({ clock });
  const payerNode = network.createNode('payer');
  const providerNode = network.createNode('provider');
  network.openChannel(payerNode, providerNode, { capacitySat: 1_000_000 });
  const payer = generateAgentKey();
  const others = Array.from({ length: 7 }, () => generateAgentKey());
  const snapshot = await snapshotOf(
    new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
  );
  const { holder, proved } = await recordingHolder(payer, [snapshot]);
  const batcher = new CredentialBatcher(await voteVerifier());
  const gating = (service: string, minScore: number) =>
    new L402Provider({
      lightning: providerNode,
      rootKeys: new MemoryRootKeyStore(),
      service,
      price: () => 1_000,
      clock,
      credential: { minScore, roots: () => [snapshot.root], verifier: batcher },
    });
  const call = (origin: string, provider: L402Provider) =>
    l402Fetch(
      `${origin}/forecast`,
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        credential: holder,
        clock,
        fetch: async (input, init) =>
          provider.handle(new Request(input, init), async () => new Response('ok')),
      },
    ).catch((error: unknown) => error);
  return { proved, gating, call };
}

describe("a payer's refusal at one level does not narrow its anonymity set at the same node and epoch", () => {
  it('refuses to prove a lower level after refusing a higher one when few members lie between', async () => {
    const { proved, gating, call } = await bracketOperator();
    // The operator first asks for the higher level: the payer cannot prove it and pays nothing (seen: no payment).
    const refused = await call('http://premium.test', gating('premium', HIGHER));
    expect(refused).toMatchObject({ code: ErrorCode.InvalidProof });
    // Then for the lower one, at the same node in the same epoch.
    const second = await call('http://weather.test', gating('weather', MIN_SCORE));
    // The attack's measure: the payer proves a pseudonym that says "at least 1,000,000 ppb" to an operator that
    // saw it refuse 25,000,000 ppb: one member of the snapshot lies between, the payer.
    expect(proved).toEqual([]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });
});
