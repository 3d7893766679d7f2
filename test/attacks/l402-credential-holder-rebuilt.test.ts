// Issue 18 third review (fixed): the holder kept what each pseudonym was shown against in its own `shown` map, and
// `credentialHolder` starts it empty. A holder is built over a fixed list of snapshots, so a payer that learns a new
// snapshot builds a new holder (as the simulation does after every snapshot): the history was gone exactly when the
// roots changed. A provider that listed the older root in the morning and lists only the newer one in the afternoon
// saw one pseudonym proved against both, hiding its payer among the members common to them: the payer alone. The
// history is now the agent's, kept in its home: here a file reopened by the afternoon's holder, as a new process would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialHolder } from '../../src/governance/index.js';
import { fileAgentState, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import {
  CredentialHistory,
  credentialEpoch,
  levelAtLeast,
  proveCredential,
  REPUTATION_LEVELS,
} from '../../src/l402/index.js';
import { driftingSnapshots, MIN_SCORE, zk } from '../l402/credential-fixture.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'agora-history-'));
  await zk();
}, 60_000);
afterAll(() => rm(home, { recursive: true, force: true }));

describe("a new snapshot does not reset a pseudonym's anonymity set", () => {
  it('does not prove one pseudonym against two roots sharing fewer than 8 members across a holder rebuild', async () => {
    const { prover } = await zk();
    const payer = generateAgentKey();
    const secret = (await zkIdentity(payer)).secret;
    // Two accepted snapshots: 7 others reach the threshold in each, not the same 7.
    const { older, newer } = await driftingSnapshots(payer);
    const threshold = REPUTATION_LEVELS[levelAtLeast(MIN_SCORE)] as number;
    const epoch = credentialEpoch(1_800_000_000);
    const audience = { provider: '02'.padEnd(66, '1'), service: 'weather' };
    const proofs: { root: bigint; nullifier: bigint }[] = [];
    // Morning: the only snapshot is the older one.
    const path = join(home, 'credential-history.json');
    const morning = await credentialHolder(prover, payer.id, secret, [older], {
      history: await CredentialHistory.open(fileAgentState(path)),
    });
    proofs.push(
      await proveCredential(
        morning,
        { threshold, epoch, roots: [older.root] },
        audience,
        new Uint8Array(32).fill(1),
      ),
    );
    // Afternoon: a new snapshot; the payer's holder is built over both, the provider lists only the newer root.
    // The afternoon's holder reads the history from the agent's home, as a new process would.
    const afternoon = await credentialHolder(prover, payer.id, secret, [newer, older], {
      history: await CredentialHistory.open(fileAgentState(path)),
    });
    const later = await proveCredential(
      afternoon,
      { threshold, epoch, roots: [newer.root] },
      audience,
      new Uint8Array(32).fill(2),
    ).catch((error: unknown) => error);
    if (!(later instanceof Error)) proofs.push(later as (typeof proofs)[number]);
    else expect(later.message).toContain('common to all, fewer than the 8');
    // The attack's measure: one pseudonym shown against both roots (their common members: the payer alone).
    const linked = proofs.filter((proof) => proof.nullifier === proofs[0]?.nullifier);
    expect(new Set(linked.map((proof) => proof.root)).size).toBeLessThanOrEqual(1);
  }, 120_000);
});
