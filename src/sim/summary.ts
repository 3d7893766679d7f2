import type { DisputePhase } from './disputes.js';
import type { SimulationResult } from './simulation.js';

/** What a weight counts in each mode. */
const WEIGHT_UNITS: Readonly<Record<string, string>> = {
  reputation: 'ppb',
  stake: 'sat',
  equal: 'votes',
  quadratic: 'sqrt(sat)',
};

const ppbAsPercent = (ppb: number) => `${(ppb / 1e7).toFixed(2)}%`;

/** What the dispute phase did, a line each: the rule, each dispute with its bonds, and the rule firing. */
export function describeDisputes(phase: DisputePhase): string[] {
  const when = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return [
    `standing rule: blacklist a provider that lost ${phase.rule.losses} disputes within ${phase.rule.days} days, adopted before the market by the founders (equal-weight vote, proposal ${phase.rule.proposal.slice(0, 12)}...)`,
    ...phase.disputes.map((d) => {
      const kind = d.kind === 'garbage' ? 'garbage served' : 'wrongful claim against an honest provider';
      const panels = d.appealed
        ? `appealed against a larger bond: panels of ${d.panels.join(' then ')}; final panel`
        : 'panel of';
      const heard = d.answered
        ? `answered, ${panels} ${d.panel}: ${d.votes} sealed votes, ${d.upheld} upheld / ${d.rejected} rejected, ${d.attended} attested`
        : 'not answered';
      const outcome =
        d.winner === undefined ? d.status : `${d.winner} wins${d.byDefault ? ' by default' : ''}`;
      return `dispute ${d.id.slice(0, 12)}... (${kind}): ${d.claimant} against ${d.provider}, ${heard}; ${outcome}; bonds: ${d.bondsReleased} released, ${d.bondSatToWinner} sat to the winner, ${d.bondSatToJurors} sat to the majority jurors; absent jurors lose ${d.absentPenaltySat} sat; the custodian paid ${d.sharesPaid} of ${d.sharesOwed} shares (${d.satPaid} sat) over Lightning`;
    }),
    `rule fired ${when(phase.firedAt)}: blacklisted ${phase.blacklistedByRule.join(', ') || 'nobody'}, before any blacklist proposal`,
  ];
}

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
    `proposal: blacklist ${governance.targetName} (the least trusted provider), voted twice`,
    ...rows([
      [
        'vote weighted by',
        'unit',
        'members',
        'voted',
        'did not vote',
        'proofs',
        'anonymity',
        'for',
        'against',
        'abstain',
        'result',
      ],
      ...governance.proposals.map((p) => [
        p.weightMode,
        `${WEIGHT_UNITS[p.weightMode] ?? 'weight'}${p.weightScale === undefined ? '' : ` x ${(p.weightScale / 65_536).toFixed(4)}`}`,
        String(p.members),
        String(p.voters),
        String(p.members - p.voters),
        String(p.votes),
        // The smallest set with the linked groups, then the pieces' own (what each proof alone reveals).
        `${p.minAnonymity ?? '-'}${p.anonymity.length === 0 ? '' : ` (pieces ${Math.min(...p.anonymity)})`} >= ${p.requiredAnonymity ?? '-'}`,
        p.totals.for ?? '0',
        p.totals.against ?? '0',
        p.totals.abstain ?? '0',
        p.state,
      ]),
    ]),
    'members: the agents holding weight at the snapshot. By reputation, those with an EigenTrust score above zero',
    '  (the pre-trusted founders, the providers and the buyers others trusted through receipts); by stake, those',
    '  that locked sats in a hold invoice before the vote. Providers count as agents here.',
    `voters: at most ${scenario.maxProvedVoters} members per vote prove a ballot (the heaviest first, --voters); the`,
    '  others do not vote: their weight counts in the total, not in participation. Each voter casts its weight as',
    '  pieces (powers of two, one zero-knowledge proof each) that many members could have cast: "proofs" counts',
    '  them; "anonymity" is the fewest members who could have cast any counted piece or group of pieces one ballot',
    '  links (1: a voter named), then in parentheses the fewest for a piece alone, and the least required (k). When',
    '  nearly every member votes, the pieces each ballot carries (like any per-option total) tell who chose it.',
    'units: reputation weights in ppb (parts per billion) of all trust; stake weights in sats.',
    ...(result.disputes === undefined ? [] : ['', ...describeDisputes(result.disputes), '']),
    `blacklisted      ${governance.blacklisted.join(', ') || 'nobody'}; buying after the decision it gets HTTP ${governance.refusedStatus} (agora_blacklist caveat)`,
    `stakes           ${governance.stakesLocked} locked in hold invoices, ${governance.stakesReleased} released after the vote`,
    ...(result.gated === undefined
      ? []
      : [
          `gated            ${result.gated.purchases} purchases at ${result.gated.providers} providers asking an anonymous credential of ${ppbAsPercent(result.gated.minScore)} reputation: ${result.gated.refused} refused (${result.gated.snapshots} snapshots published)`,
        ]),
    `anchor           commitment ${anchor.commitment}`,
    `                 transaction ${anchor.txid} (fee ${anchor.feeSat} sat): OP_RETURN AGR1 + commitment, in regtest block ${anchor.height} at ${new Date(anchor.blockTime * 1000).toISOString().replace('.000Z', 'Z')}: the decision took effect then`,
    '',
  ];
  return lines.join('\n');
}
