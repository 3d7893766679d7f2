// Issue 18 fifth review: the history keeps the anonymity set per provider node key and epoch, because an operator
// links its pseudonyms of one payer within a day by timing or network address. The same operator links them across
// days the same way (docs/security.md lists that timing as a side channel), yet each new epoch starts the set anew:
// a payer proving one day against the older accepted root and the next day against the newer one (the snapshots
// drift between, as they do every few hours) hides, for an operator linking the two days, among the members reaching
// the threshold in both roots: here the payer alone, each root holding 8. No refusal is given.
// Fixed: what a node key was shown counts together over CREDENTIAL_LINK_EPOCHS (7) epochs, each day's entry carrying
// the members common to all before it: the next day's root is refused (`WOULD_LINK`) when it leaves fewer than 8.
// No Groth16 proof is made: the holder's prover records each statement it is asked for and throws.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { driftingOperator } from '../l402/credential-fixture.js';

describe("one node's operator does not narrow a payer's anonymity set over consecutive epochs", () => {
  it('refuses, the next day at the same node, a root sharing fewer than 8 members with the one shown the day before', async () => {
    const { clock, older, newer, proved, gating, call } = await driftingOperator();
    await call(gating('weather', older.root));
    clock.advance(86_400_000);
    const nextDay = await call(gating('weather', newer.root));
    // The attack's measure: the next day's pseudonym is proved against the newer root, linked (by timing or
    // address) to yesterday's against the older one: the payer hides among 1.
    expect(proved.map((statement) => statement.root)).toEqual([older.root]);
    expect(nextDay).toMatchObject({ code: ErrorCode.WouldLink });
  });
});
