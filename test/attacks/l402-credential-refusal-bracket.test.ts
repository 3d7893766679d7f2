// Issue 18 fifth review: a payer that cannot prove a threshold refuses before paying (`INVALID_PROOF`), and the
// provider sees it: the unpaid request and its challenge, then nothing. The refusal is not recorded in the agent's
// history, so a later proof at the same node in the same epoch counts its anonymity set as every member reaching
// the lower level, while the operator (linking the two by timing or network address, as the node-and-epoch
// intersection already assumes) knows the payer is below the higher one: the payer hides only among the members
// between the two levels. Here 8 members reach 1,000,000 ppb, 7 of them reach 25,000,000 too: the payer, refused at
// the higher level, then proves the lower one and is the only member in between. Repeating with other levels, the
// operator bisects the payer's score into its level bracket.
// Fixed: a refusal the operator could read as "below this level" is recorded (the members reaching it in the root
// the payer would have proved against), and a later proof at that node over the linking window counts only the
// members between the levels proved and refused (`WOULD_LINK` below the anonymity set).
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { MIN_SCORE, operatorNodes, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

/** A level above the payer's score and below the 7 others'. */
const HIGHER = 25_000_000;

async function bracketOperator() {
  const { gatingRoots, call } = await operatorNodes();
  const payer = generateAgentKey();
  const others = Array.from({ length: 7 }, () => generateAgentKey());
  const snapshot = await snapshotOf(
    new Map([[payer, 2 * MIN_SCORE], ...others.map((key) => [key, SCORES.high] as [typeof key, number])]),
  );
  const { holder, proved } = await recordingHolder(payer, [snapshot]);
  const gating = (service: string, minScore: number) => gatingRoots(service, [snapshot.root], minScore);
  return { proved, gating, call: call(holder) };
}

describe("a payer's refusal at one level does not narrow its anonymity set at the same node and epoch", () => {
  it('refuses to prove a lower level after refusing a higher one when few members lie between', async () => {
    const { proved, gating, call } = await bracketOperator();
    // The operator first asks for the higher level: the payer cannot prove it and pays nothing (seen: no payment).
    const refused = await call(gating('premium', HIGHER), 'http://premium.test');
    expect(refused).toMatchObject({ code: ErrorCode.InvalidProof });
    // Then for the lower one, at the same node in the same epoch.
    const second = await call(gating('weather', MIN_SCORE));
    // The attack's measure: the payer proves a pseudonym that says "at least 1,000,000 ppb" to an operator that
    // saw it refuse 25,000,000 ppb: one member of the snapshot lies between, the payer.
    expect(proved).toEqual([]);
    expect(second).toMatchObject({ code: ErrorCode.WouldLink });
  });
});
