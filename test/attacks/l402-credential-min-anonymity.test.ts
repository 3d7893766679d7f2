// Issue 18 fourth review: a holder's `minAnonymity` of NaN (a bad configuration value read as a number) compared
// false with every count, so the client proved among any number of members, one included. Refused now, by
// `credentialHolder` and again by `proveCredential` for a holder built by hand. No Groth16 proof is made: the
// prover records what it is asked to prove.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { credentialHolder } from '../../src/governance/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialHistory,
  credentialEpoch,
  proveCredential,
  REPUTATION_LEVELS,
} from '../../src/l402/index.js';
import { MIN_SCORE, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

describe("a holder's anonymity set is a positive integer", () => {
  it('refuses NaN, 0 and fractions, and proves nothing among one member', async () => {
    const payer = generateAgentKey();
    // The payer alone reaches the threshold: a proof would name it.
    const snapshot = await snapshotOf(new Map([[payer, SCORES.high]]));
    const { holder, proved } = await recordingHolder(payer, [snapshot]);
    const { secret } = await zkIdentity(payer);
    for (const minAnonymity of [Number.NaN, 0, 1.5, -1])
      await expect(
        credentialHolder(holder.prover, payer.id, secret, [snapshot], {
          history: CredentialHistory.inMemory(),
          minAnonymity,
        }),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    const requirement = {
      threshold: REPUTATION_LEVELS.find((threshold) => threshold >= MIN_SCORE) as number,
      epoch: credentialEpoch(1_800_000_000),
      roots: [snapshot.root],
    };
    await expect(
      proveCredential(
        { ...holder, minAnonymity: Number.NaN },
        requirement,
        { provider: '02'.padEnd(66, 'a'), service: 'weather' },
        new Uint8Array(32),
      ),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    // Nor a settle age of NaN or below 0 (which would let a fresh root, held by few replicas, be proved against).
    for (const rootSettleSeconds of [Number.NaN, -1, 0.5])
      await expect(
        proveCredential(
          { ...holder, minAnonymity: 1, rootSettleSeconds },
          requirement,
          { provider: '02'.padEnd(66, 'a'), service: 'weather' },
          new Uint8Array(32),
        ),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    expect(proved).toEqual([]);
  });
});
