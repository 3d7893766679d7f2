// The simulator's dispute phase: a standing rule adopted before the market, buyers who got garbage disputing it (one
// decided by a panel, one lost by default), an honest provider wrongly accused and winning, on appeal too (a panel of
// eleven against a larger bond), the custodian paying the bonds out over Lightning, and the rule blacklisting the
// malicious provider before any blacklist proposal. Slow (minutes of CPU): 80 market rounds so that the providers
// earn their bonds, and about thirty proofs (the rule's five votes, 5 + 11 + 5 jurors, one voter per proposal).
import { describe, expect, it } from 'vitest';
import { formatSummary, renderReport, simulate } from '../../src/sim/index.js';

const scenario = { agents: 20, providers: 3, rounds: 80, maxProvedVoters: 1, disputes: true } as const;

describe('the dispute phase of a run', () => {
  it('settles disputes by panel, on appeal and by default, pays the bonds out, and the rule blacklists the malicious provider', async () => {
    const result = await simulate(scenario);
    const phase = result.disputes;
    expect(phase).toBeDefined();
    const malicious = result.providers.find((p) => p.malicious)?.name as string;
    expect(phase?.disputes.map((d) => d.kind)).toEqual(['garbage', 'garbage', 'wrongful']);
    const [byPanel, byDefault, wrongful] = phase?.disputes ?? [];
    expect(byPanel).toMatchObject({
      answered: true,
      status: 'decided',
      winner: 'claimant',
      appealed: false,
      panels: [5],
      votes: 5,
      attended: 5,
      byDefault: false,
    });
    expect((byPanel?.upheld ?? 0) + (byPanel?.rejected ?? 0)).toBe(5);
    expect(byDefault).toMatchObject({
      answered: false,
      status: 'decided',
      winner: 'claimant',
      byDefault: true,
      panels: [],
    });
    // The claimant's bond comes back: nothing to pay.
    expect(byDefault?.bondsReleased).toBe(1);
    expect(byDefault?.bondSatToWinner).toBe('0');
    // The honest provider answers the wrongful claim and its panel of five rejects it; the claimant appeals against
    // twice the bond, and eleven new jurors reject it again: both of the claimant's bonds pay the provider and the
    // final round's majority jurors.
    expect(wrongful).toMatchObject({
      answered: true,
      status: 'decided',
      winner: 'respondent',
      appealed: true,
      panels: [5, 11],
      panel: 11,
      votes: 11,
      attended: 11,
    });
    expect(wrongful?.rejected).toBeGreaterThan(wrongful?.upheld ?? 0);
    expect(BigInt(wrongful?.bondSatToWinner ?? '0') + BigInt(wrongful?.bondSatToJurors ?? '0')).toBe(3_000n);
    // Every share the settlements owe is paid over Lightning: the losers' bonds.
    for (const d of [byPanel, wrongful]) {
      expect(d?.sharesOwed).toBeGreaterThan(1);
      expect(d?.sharesPaid).toBe(d?.sharesOwed);
    }
    expect(byPanel?.satPaid).toBe('1000');
    expect(wrongful?.satPaid).toBe('3000');
    // Only the malicious provider's two losses count: the rule fires on it alone.
    expect(phase?.blacklistedByRule).toEqual([malicious]);
    expect(result.governance.blacklisted).toContain(malicious);
    const summary = formatSummary(result);
    expect(summary).toContain('standing rule: blacklist a provider that lost 2 disputes within 30 days');
    expect(summary).toContain('panels of 5 then 11');
    expect(summary).toContain('wrongful claim against an honest provider');
    expect(summary).toContain('before any blacklist proposal');
    const report = renderReport(result);
    expect(report).toContain('Disputes and the standing rule');
    expect(report).toContain('respondent wins');
    // Deterministic for a seed: a second run gives the same disputes.
    const again = await simulate(scenario);
    expect(again.disputes).toEqual(phase);
  }, 1_800_000);
});
