// Issue 18 third review (fixed): the holder kept one pseudonym's anonymity set over every root it was proved against,
// but read it before the Groth16 proof and wrote it after. Two proofs of one pseudonym scope started together
// (two tokens bought at once, the provider listing a different accepted root in each) both read no history, both
// passed the anonymity check on their own root, and the second write replaced the first. The provider saw one
// pseudonym proved against two roots whose common members are the payer alone. The agent's history now reserves the
// root before proving, under one promise chain: the second proof sees the first.
import { beforeAll, describe, expect, it } from 'vitest';
import { credentialHolder } from '../../src/governance/index.js';
import { generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialHistory,
  credentialEpoch,
  levelAtLeast,
  proveCredential,
  REPUTATION_LEVELS,
} from '../../src/l402/index.js';
import { driftingSnapshots, MIN_SCORE, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

describe('proofs of one pseudonym started together keep its anonymity set', () => {
  it('does not prove one pseudonym against two roots sharing fewer than 8 members, concurrently', async () => {
    const { prover } = await zk();
    const payer = generateAgentKey();
    // Two accepted snapshots: 7 others reach the threshold in each, not the same 7.
    const { older, newer } = await driftingSnapshots(payer);
    const holder = await credentialHolder(
      prover,
      payer.id,
      (await zkIdentity(payer)).secret,
      [newer, older],
      {
        history: CredentialHistory.inMemory(),
      },
    );
    const threshold = REPUTATION_LEVELS[levelAtLeast(MIN_SCORE)] as number;
    const epoch = credentialEpoch(1_800_000_000);
    const audience = { provider: '02'.padEnd(66, '1'), service: 'weather' };
    // Two tokens of one provider and service, in one epoch, each listing one accepted root; proved at once.
    const results = await Promise.allSettled([
      proveCredential(
        holder,
        { threshold, epoch, roots: [older.root] },
        audience,
        new Uint8Array(32).fill(1),
      ),
      proveCredential(
        holder,
        { threshold, epoch, roots: [newer.root] },
        audience,
        new Uint8Array(32).fill(2),
      ),
    ]);
    const proved = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const pseudonyms = new Set(proved.map((credential) => credential.nullifier));
    const roots = new Set(proved.map((credential) => credential.root));
    // The attack's measure: one pseudonym shown against both roots (their common members: the payer alone).
    expect(pseudonyms.size === 1 && roots.size === 2).toBe(false);
    // The first proof started is the one made; the second is refused before proving.
    expect(proved.map((credential) => credential.root)).toEqual([older.root]);
    expect(results[1]?.status).toBe('rejected');
  }, 120_000);
});
