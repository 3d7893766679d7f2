import type { SimulationResult } from './simulation.js';

// A self-contained HTML report: inline CSS and inline SVG charts drawn here, no script and nothing fetched, so the
// file opens anywhere, offline.

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#ea580c'];
const MALICIOUS = '#dc2626';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly color: string;
}

/** A line chart as SVG: axes with min/max labels, one polyline per series, a legend. */
function lineChart(title: string, unit: string, series: readonly Series[]): string {
  const width = 640;
  const height = 260;
  const left = 64;
  const bottom = 28;
  const top = 12;
  const plotWidth = width - left - 12;
  const plotHeight = height - top - bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const [xMin, xMax] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const [yMin, yMax] = [Math.min(...ys, 0), Math.max(...ys, 1)];
  const x = (v: number) => left + ((v - xMin) / (xMax - xMin || 1)) * plotWidth;
  const y = (v: number) => top + plotHeight - ((v - yMin) / (yMax - yMin || 1)) * plotHeight;
  const lines = series
    .map(
      (s) =>
        `<polyline class="series" data-series="${escapeHtml(s.name)}" fill="none" stroke="${s.color}" stroke-width="2" points="${s.points
          .map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
          .join(' ')}"/>`,
    )
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<g transform="translate(${left + 8 + (i % 4) * 150},${height - 4 + Math.floor(i / 4) * 14})"><rect width="10" height="10" y="-9" fill="${s.color}"/><text x="14" font-size="11">${escapeHtml(s.name)}</text></g>`,
    )
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height + 14 * Math.ceil(series.length / 4)}" width="100%">
<line x1="${left}" y1="${top + plotHeight}" x2="${width - 12}" y2="${top + plotHeight}" stroke="#555"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#555"/>
<text x="${left - 6}" y="${top + 10}" font-size="11" text-anchor="end">${escapeHtml(`${Math.round(yMax)}`)}</text>
<text x="${left - 6}" y="${top + plotHeight}" font-size="11" text-anchor="end">${escapeHtml(`${Math.round(yMin)}`)}</text>
<text x="${left - 44}" y="${top + plotHeight / 2}" font-size="11" transform="rotate(-90 ${left - 44} ${top + plotHeight / 2})" text-anchor="middle">${escapeHtml(unit)}</text>
<text x="${left}" y="${top + plotHeight + 14}" font-size="11">${xMin}</text>
<text x="${width - 12}" y="${top + plotHeight + 14}" font-size="11" text-anchor="end">${xMax}</text>
${lines}<g transform="translate(0,14)">${legend}</g></svg></figure>`;
}

/** Horizontal bars: the vote totals of each proposal. */
function voteChart(result: SimulationResult): string {
  const proposals = result.governance.proposals;
  const rowHeight = 26;
  const width = 640;
  const height = proposals.length * 3 * rowHeight + 10;
  let row = 0;
  const bars = proposals
    .map((p) => {
      const total = Object.values(p.totals).reduce((s, v) => s + Number(v), 0) || 1;
      return Object.entries(p.totals)
        .map(([option, value]) => {
          const barWidth = (Number(value) / total) * (width - 260);
          const yPos = 6 + row++ * rowHeight;
          const color = option === 'for' ? COLORS[1] : option === 'against' ? MALICIOUS : '#9ca3af';
          return `<text x="0" y="${yPos + 14}" font-size="12">${escapeHtml(`${p.weightMode}: ${option}`)}</text><rect class="bar" x="180" y="${yPos}" width="${barWidth.toFixed(1)}" height="18" fill="${color}"/><text x="${186 + barWidth}" y="${yPos + 14}" font-size="11">${escapeHtml(value)}</text>`;
        })
        .join('');
    })
    .join('');
  return `<figure class="chart"><figcaption>Votes to blacklist ${escapeHtml(result.governance.targetName)} (anonymous, weighted)</figcaption><svg role="img" aria-label="votes" viewBox="0 0 ${width} ${height}" width="100%">${bars}</svg></figure>`;
}

/** The run as one HTML page with its charts and summary tables. */
export function renderReport(result: SimulationResult): string {
  const { scenario } = result;
  const colorOf = (name: string, i: number) =>
    result.providers.find((p) => p.name === name)?.malicious
      ? MALICIOUS
      : (COLORS[i % COLORS.length] as string);
  const payments = lineChart('Payments per round', 'payments', [
    {
      name: 'payments',
      color: COLORS[0] as string,
      points: result.rounds.map((r) => ({ x: r.round, y: r.payments })),
    },
  ]);
  const prices = lineChart(
    'Prices over time (dynamic, from demand)',
    'msat',
    Object.entries(result.prices).map(([name, values], i) => ({
      name,
      color: colorOf(name, i),
      points: values.map((v, round) => ({ x: round + 1, y: v })),
    })),
  );
  const reputation = lineChart(
    'Provider reputation (EigenTrust, % of all trust)',
    '%',
    Object.entries(result.reputationTrajectory).map(([name, points], i) => ({
      name,
      color: colorOf(name, i),
      points: points.map((p) => ({ x: p.round, y: p.score / 1e7 })),
    })),
  );
  const providerRows = result.providers
    .map(
      (p) =>
        `<tr class="${p.malicious ? 'malicious' : ''}"><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.service)}</td><td>${p.malicious ? 'malicious' : 'honest'}</td><td>${p.sales}</td><td>${p.revenueSat}</td><td>${p.finalPriceMsat}</td><td>${(p.reputation / 1e7).toFixed(2)}%</td></tr>`,
    )
    .join('');
  const proposalRows = result.governance.proposals
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.weightMode)}</td><td>${p.members}</td><td>${p.votes}</td><td>${escapeHtml(p.totals.for ?? '0')}</td><td>${escapeHtml(p.totals.against ?? '0')}</td><td>${escapeHtml(p.state)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agora402 simulation, seed ${escapeHtml(scenario.seed)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.5rem}table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .7rem;text-align:left}
tr.malicious td{color:${MALICIOUS}}.chart{margin:1.5rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}@media(max-width:800px){.grid{grid-template-columns:1fr}}code{font-size:.85rem}
</style></head><body>
<h1>agora402 machine-economy simulation</h1>
<p>${scenario.agents} agents (${scenario.sybils} sybils), ${scenario.providers} providers (${scenario.maliciousProviders} malicious), ${scenario.rounds} rounds, seed <code>${escapeHtml(scenario.seed)}</code>, Lightning: ${escapeHtml(scenario.lightning)}.
${result.payments} payments, ${result.satsMoved} sats moved, ${result.garbageServed} paid requests answered with garbage.</p>
<div class="grid">${payments}${prices}</div>
${reputation}
<h2>Providers</h2>
<table><thead><tr><th>provider</th><th>service</th><th>kind</th><th>sales</th><th>revenue (sat)</th><th>final price (msat)</th><th>reputation</th></tr></thead><tbody>${providerRows}</tbody></table>
<h2>Decision</h2>
${voteChart(result)}
<table><thead><tr><th>weighted by</th><th>members</th><th>votes</th><th>for</th><th>against</th><th>result</th></tr></thead><tbody>${proposalRows}</tbody></table>
<p>Blacklisted: <strong>${escapeHtml(result.governance.blacklisted.join(', ') || 'nobody')}</strong>; buying after the decision it gets HTTP ${result.governance.refusedStatus} from an honest provider (the <code>agora_blacklist</code> caveat).
${result.governance.stakesLocked} stakes were locked in hold invoices and ${result.governance.stakesReleased} released after the vote.</p>
<h2>Anchor</h2>
<p>Commitment <code>${escapeHtml(result.anchor.commitment)}</code> (proposal <code>${escapeHtml(result.anchor.proposal)}</code>), in the dry-run transaction <code>${escapeHtml(result.anchor.txid)}</code> (fee ${escapeHtml(result.anchor.feeSat)} sat) as <code>OP_RETURN AGR1</code> + commitment.</p>
</body></html>
`;
}
