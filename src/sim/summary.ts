import type { SimulationResult } from './simulation.js';

const ppbAsPercent = (ppb: number) => `${(ppb / 1e7).toFixed(2)}%`;

/** The end-of-run table people read: market, providers, votes, decision, anchor. */
export function formatSummary(result: SimulationResult): string {
  const { scenario, governance, anchor } = result;
  const rows = (cells: string[][]) => {
    const widths = cells[0]?.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length))) ?? [];
    return cells.map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  };
  const lines = [
    `agora402 simulation: ${scenario.agents} agents (${scenario.sybils} sybils), ${scenario.providers} providers (${scenario.maliciousProviders} malicious), ${scenario.rounds} rounds, seed ${JSON.stringify(scenario.seed)}, lightning ${scenario.lightning}`,
    '',
    `payments         ${result.payments} (${result.failedPurchases} purchases failed, ${result.outOfBudget} not made: over budget)`,
    `sats moved       ${result.satsMoved}`,
    `garbage served   ${result.garbageServed} paid requests`,
    `reputation       honest providers ${ppbAsPercent(result.reputation.honestProviders)} each on average, malicious ${ppbAsPercent(result.reputation.maliciousProviders)}`,
    '',
    ...rows([
      ['provider', 'service', 'kind', 'sales', 'revenue sat', 'price msat', 'reputation'],
      ...result.providers.map((p) => [
        p.name,
        p.service,
        p.malicious ? 'malicious' : 'honest',
        String(p.sales),
        String(p.revenueSat),
        String(p.finalPriceMsat),
        ppbAsPercent(p.reputation),
      ]),
    ]),
    '',
    `proposal: blacklist ${governance.targetName} (the least trusted provider)`,
    ...rows([
      ['vote weighted by', 'members', 'votes', 'for', 'against', 'result'],
      ...governance.proposals.map((p) => [
        p.weightMode,
        String(p.members),
        String(p.votes),
        p.totals.for ?? '0',
        p.totals.against ?? '0',
        p.state,
      ]),
    ]),
    `blacklisted      ${governance.blacklisted.join(', ') || 'nobody'}; buying after the decision it gets HTTP ${governance.refusedStatus} (agora_blacklist caveat)`,
    `stakes           ${governance.stakesLocked} locked in hold invoices, ${governance.stakesReleased} released after the vote`,
    `anchor           commitment ${anchor.commitment}`,
    `                 dry-run transaction ${anchor.txid} (fee ${anchor.feeSat} sat): OP_RETURN AGR1 + commitment`,
    '',
  ];
  return lines.join('\n');
}
