// Issue 18 second review: the anonymity set is checked per root, but a payer's pseudonym is the same whatever root it
// proves against (the nullifier depends on provider, service, epoch, level and secret only). A provider that lists
// one accepted root in one token and another accepted root in the next (both among the last few snapshots, each
// reached by at least 8 leaves) sees the same pseudonym proved in both: its payer is among the leaves reaching the
// threshold in both, which can be far fewer than 8 (scores move between snapshots). The intersection is what hides
// the payer, and nothing bounds it.
import { beforeAll, describe, expect, it } from 'vitest';
import { credentialHolder } from '../../src/governance/index.js';
import { type AgentKey, generateAgentKey, zkIdentity } from '../../src/identity/index.js';
import { levelAtLeast, REPUTATION_LEVELS } from '../../src/l402/index.js';
import { credentialMarket, MIN_SCORE, SCORES, snapshotOf, zk } from '../l402/credential-fixture.js';

beforeAll(async () => {
  await zk();
}, 60_000);

describe('the anonymity set of a pseudonym is not narrowed by proofs against several roots', () => {
  it('does not show one pseudonym proved against two roots whose common members are fewer than 8', async () => {
    const market = await credentialMarket();
    const { prover } = await zk();
    const payer = market.agents.high;
    // Two snapshots of one network (an older and a newer one, both accepted): 7 others above the threshold in each,
    // but not the same 7 (their scores moved between the two). The payer is above it in both.
    const first = Array.from({ length: 7 }, () => generateAgentKey());
    const second = Array.from({ length: 7 }, () => generateAgentKey());
    const scores = (up: AgentKey[], down: AgentKey[]) =>
      new Map<AgentKey, number>([
        [payer.key, SCORES.high],
        ...up.map((key) => [key, SCORES.high] as [AgentKey, number]),
        ...down.map((key) => [key, SCORES.low] as [AgentKey, number]),
      ]);
    const older = await snapshotOf(scores(first, second));
    const newer = await snapshotOf(scores(second, first));
    const secret = (await zkIdentity(payer.key)).secret;
    const knowing = {
      ...payer,
      // The payer knows both snapshots and keeps the default anonymity set (8).
      holder: await credentialHolder(prover, payer.key.id, secret, [newer, older], {
        history: payer.holder.history,
      }),
    };
    const gated = market.provider('gated');
    const level = levelAtLeast(MIN_SCORE);
    expect(REPUTATION_LEVELS[level]).toBe(MIN_SCORE);
    const reaching = (snapshot: typeof older) =>
      new Set(snapshot.members.filter((m) => ((m.weight >> BigInt(level)) & 1n) === 1n).map((m) => m.agent));

    // The provider lists one root per token, in one epoch.
    const seen: { pseudonym: string; root: bigint }[] = [];
    for (const snapshot of [older, newer]) {
      market.setRoots([snapshot.root]);
      const bought = await market.buy(knowing, gated).catch(() => undefined);
      if (bought === undefined || bought.response.status !== 200) continue;
      const { pseudonym } = (await bought.response.json()) as { pseudonym: string };
      seen.push({ pseudonym, root: snapshot.root });
    }
    // The attack's measure: the members reaching the threshold in every root the one pseudonym was proved against.
    const pseudonym = seen[0]?.pseudonym;
    const roots = seen.filter((s) => s.pseudonym === pseudonym).map((s) => s.root);
    const sets = [older, newer].filter((snapshot) => roots.includes(snapshot.root)).map(reaching);
    const among = [...(sets[0] ?? [])].filter((agent) => sets.every((set) => set.has(agent)));
    expect(among.length).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
