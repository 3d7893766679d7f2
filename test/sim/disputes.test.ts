// The simulator's dispute phase: a standing rule adopted before the market, buyers who got garbage disputing it, a
// panel deciding one dispute, the other lost by default, and the rule blacklisting the malicious provider before any
// blacklist proposal. Slow (a minute and more of CPU): 80 market rounds so that the provider earns its counter-bond, and a dozen
// proofs (the rule's five votes, five jurors, one voter per proposal).
import { describe, expect, it } from 'vitest';
import { formatSummary, renderReport, simulate } from '../../src/sim/index.js';

describe('the dispute phase of a run', () => {
  it('settles disputes by panel and by default, and the standing rule blacklists the malicious provider', async () => {
    const result = await simulate({
      agents: 20,
      providers: 3,
      rounds: 80,
      maxProvedVoters: 1,
      disputes: true,
    });
    const phase = result.disputes;
    expect(phase).toBeDefined();
    const malicious = result.providers.find((p) => p.malicious)?.name as string;
    expect(phase?.disputes.length).toBe(2);
    const [byPanel, byDefault] = phase?.disputes ?? [];
    expect(byPanel).toMatchObject({
      answered: true,
      status: 'decided',
      panel: 5,
      votes: 5,
      byDefault: false,
    });
    expect((byPanel?.upheld ?? 0) + (byPanel?.rejected ?? 0)).toBe(5);
    expect(byPanel?.attended).toBe(5);
    expect(byDefault).toMatchObject({
      answered: false,
      status: 'decided',
      winner: 'claimant',
      byDefault: true,
    });
    // The claimant's bond comes back, the provider's is paid out to the claimant (and the jurors, by panel).
    expect(byDefault?.bondsReleased).toBe(1);
    expect(byDefault?.bondSatToWinner).toBe('0');
    // Honest stakers outweigh the provider's sybils: the panel upholds the claim, the second loss fires the rule.
    expect(byPanel?.winner).toBe('claimant');
    expect(phase?.blacklistedByRule).toEqual([malicious]);
    expect(result.governance.blacklisted).toContain(malicious);
    const summary = formatSummary(result);
    expect(summary).toContain('standing rule: blacklist a provider that lost 2 disputes within 30 days');
    expect(summary).toContain('before any blacklist proposal');
    expect(renderReport(result)).toContain('Disputes and the standing rule');
  }, 900_000);
});
