// Issue 18 fifth review: the client proves against the first root the challenge lists that its own replica holds.
// Which snapshots a replica holds is the payer's own state: a snapshot published minutes ago is held by the payers
// that synced since, and one published by the provider (anyone may publish a valid snapshot) to a relay only its
// target reads is held by the target alone. Listing that root first, the provider sorts its payers by what they
// know: the root of each proof tells it. The anonymity check counts the snapshot's leaves reaching the threshold,
// not the payers holding the snapshot, so it passes: here 8 leaves in each root, and the proof against the fresh
// root comes from the one payer that held it.
// Fixed: the client picks the root by the snapshots' own times, never by the provider's order: the newest listed
// root it holds whose `asOf` is at least CREDENTIAL_ROOT_SETTLE_SECONDS (1 hour) old. A snapshot taken long ago but
// published only where the target reads still sorts payers (only witnessed publication times would date it).
// No Groth16 proof is made: the holders' provers record each statement they are asked for and throw.
import { describe, expect, it } from 'vitest';
import { type AgentKey, generateAgentKey } from '../../src/identity/index.js';
import { operatorNodes, recordingHolder, SCORES, snapshotOf } from '../l402/credential-fixture.js';

describe('the root a payer proves against does not tell the provider which snapshots its replica holds', () => {
  it('two payers of the same standing, one holding a fresh snapshot, prove against the same listed root', async () => {
    const { clock, gatingRoots, call } = await operatorNodes();
    const now = clock.now() / 1000;
    const members = Array.from({ length: 8 }, () => generateAgentKey());
    const [target, other] = members as [AgentKey, AgentKey];
    const scores = (extra: AgentKey[]) =>
      new Map<AgentKey, number>([
        ...members.map((key) => [key, SCORES.high] as [AgentKey, number]),
        ...extra.map((key) => [key, SCORES.low] as [AgentKey, number]),
      ]);
    // The same 8 members reach the threshold in both: only the replicas holding them differ.
    // Yesterday's snapshot, and one taken 5 minutes ago (just published, or published where only the target reads).
    const older = await snapshotOf(scores([]), now - 86_400);
    const fresh = await snapshotOf(scores([generateAgentKey()]), now - 300);
    const targeted = await recordingHolder(target, [older, fresh]);
    const lagging = await recordingHolder(other, [older]);
    const provider = gatingRoots('weather', [fresh.root, older.root]);
    await call(targeted.holder)(provider);
    await call(lagging.holder)(provider);
    // The attack's measure: the target proves against the fresh root, the others against the older one.
    const roots = [...targeted.proved, ...lagging.proved].map((statement) => statement.root);
    expect(roots).toHaveLength(2);
    expect(roots[0]).toBe(roots[1]);
  });
});
