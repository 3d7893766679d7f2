// Issue 18, review of the nothing-new rule (21b1098, history v5). Severity: low-medium (privacy: names the payer, but
// the operator gains nothing over asking the higher level after a paid proof, the documented "a refusal cannot be
// withheld"; what breaks is the client's own guarantee, the refusal bracket, after any payment that failed).
// The rule trusts a proof entry's level as "this scope was shown a proof at that level". The entry is written when
// the proof is reserved, before proving and paying ("it holds whether or not the proof follows": conservative for
// the members in common, the opposite for a level). A payment that fails after the reservation (the payee's node
// offline or unreachable, the budget exhausted, the prover failing) shows the operator nothing, yet the history
// records the level as shown; a later refusal at a higher level and then a proof of the ordinary level, the refusal
// bracket the client otherwise refuses (`l402-credential-refusal-excluded-lockout.test.ts`' open test), goes through.
// Steps, one epoch, one node N (8 members reach 1,000,000 ppb, the 7 others 25,000,000, the payer 2,000,000):
//   1. weather.test (N) asks 1,000,000 ppb; the client reserves and proves; N goes offline before the payment
//      (its operator's choice, or bad luck): the payment fails, no credential is sent;
//   2. evil.test (the same operator, or a relay) shows N's premium challenge (25,000,000 ppb): refused;
//   3. weather.test (N) asks 1,000,000 ppb again: the rule proves (N and weather.test "were shown" that level at 1).
// Whoever links 2 and 3 holds the payer alone (those reaching 1,000,000 but not 25,000,000). Without step 1, step 3
// is refused `WOULD_LINK`.
// Fixed: a reservation records no level; a proof counts as shown (`ShownProof`, history v6) only once the request
// carrying its credential was answered by the server, so step 1 shows nothing and step 3 is refused `WOULD_LINK`,
// as without it. No Groth16 proof is made: step 1's prover returns a dummy proof (never verified: the payment fails
// first), later ones record the statement and throw.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { type CredentialHolder, type L402Provider, l402Fetch } from '../../src/l402/index.js';
import type { Prover, VoteStatement } from '../../src/zk/index.js';
import {
  DUMMY_PROOF,
  MIN_SCORE,
  operatorNodes,
  recordingHolder,
  SCORES,
  snapshotOf,
} from '../l402/credential-fixture.js';

/** A level above the payer's score (2,000,000 ppb) and below the 7 others' (50,000,000 ppb). */
const HIGHER = 25_000_000;

/** `first`: step 1 made with its payment failing, made and shown (paid, its credential sent and answered), or not made. */
async function unshown(first: 'failed' | 'shown' | 'none') {
  const { payerNode, providerNode, gatingRoots, clock } = await operatorNodes();
  const payer = generateAgentKey();
  const others = Array.from({ length: 7 }, () => generateAgentKey());
  const snapshot = await snapshotOf(
    new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
  );
  const { holder: recording, proved } = await recordingHolder(payer, [snapshot]);
  // Step 1's prover answers (a dummy proof: the payment fails before anyone could check it); later ones record.
  let answer = false;
  const prover = {
    prove: async (statement: VoteStatement) => {
      proved.push(statement);
      if (!answer) throw new Error('a pseudonym is being proved');
      return DUMMY_PROOF;
    },
  } as unknown as Prover;
  const holder: CredentialHolder = { ...recording, prover };
  const credentialsSent: string[] = [];
  const call = (provider: L402Provider, origin: string, offlineAfterChallenge = false): Promise<unknown> =>
    l402Fetch(
      `${origin}/forecast`,
      {},
      {
        lightning: payerNode,
        maxPriceMsat: 10_000,
        credential: holder,
        clock,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          const credential = request.headers.get('agora-credential');
          if (credential !== null) credentialsSent.push(credential);
          const response = await provider.handle(request, async () => new Response('ok'));
          if (offlineAfterChallenge && response.status === 402) providerNode.setOnline(false);
          return response;
        },
      },
    ).catch((error: unknown) => error);
  let step1: unknown;
  if (first !== 'none') {
    answer = true;
    step1 = await call(gatingRoots('weather', [snapshot.root]), 'http://weather.test', first === 'failed');
    answer = false;
    providerNode.setOnline(true);
  }
  const relayed = await call(gatingRoots('premium', [snapshot.root], HIGHER), 'http://evil.test');
  const ordinary = await call(gatingRoots('weather', [snapshot.root]), 'http://weather.test');
  return { first: step1, relayed, ordinary, proved, credentialsSent };
}

describe('a reservation whose proof was never shown does not count as a level shown', () => {
  it('sets the scene: the failed payment shows nothing, and without it the bracket is refused', async () => {
    const failed = await unshown('failed');
    // Step 1 reserved and proved, then its payment failed: no credential reached the provider.
    expect(failed.first).toBeInstanceOf(Error);
    expect(failed.first).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(failed.proved.length).toBeGreaterThanOrEqual(1);
    expect(failed.credentialsSent).toEqual([]);
    expect(failed.relayed).toMatchObject({ code: ErrorCode.InvalidProof });
    // The control: the same refusal then the ordinary level, with no failed payment before, is refused.
    const control = await unshown('none');
    expect(control.relayed).toMatchObject({ code: ErrorCode.InvalidProof });
    expect(control.ordinary).toMatchObject({ code: ErrorCode.WouldLink });
    expect(control.proved).toHaveLength(0);
  });

  it('refuses the ordinary level after the higher refusal, as it does with no failed payment before', async () => {
    const { ordinary, proved } = await unshown('failed');
    expect(ordinary).toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(1);
  });

  it('proves the ordinary level again once step 1 was shown: it tells whoever saw the refusal nothing new', async () => {
    const { first, ordinary, proved, credentialsSent } = await unshown('shown');
    // Step 1 paid, its credential sent and answered (the dummy proof refused by the verifier: a 402 with the reason).
    expect(first).toBeInstanceOf(Response);
    expect(credentialsSent).toHaveLength(1);
    // Step 3 is the level weather.test and the node were shown together at step 1.
    expect(ordinary).not.toMatchObject({ code: ErrorCode.WouldLink });
    expect(proved).toHaveLength(2);
  });
});
