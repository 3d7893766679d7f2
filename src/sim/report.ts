import type { RoundSnapshot, SimulationResult } from './simulation.js';
import { describeDisputes } from './summary.js';

// A self-contained HTML report: inline CSS and inline SVG charts drawn here, no script and nothing fetched, so the
// file opens anywhere, offline. Charts are drawn at a fixed pixel size (shrunk, never stretched, on narrow
// screens) so that every label keeps the same readable size.

const COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#ea580c'];
const MALICIOUS = '#dc2626';
const FONT = 13;

/** What the report says about how it was made, besides the run itself. */
export interface ReportOptions {
  /** agora402's version that ran the simulation. */
  readonly version?: string;
  /** When the report was written (shown in UTC). */
  readonly generated?: Date;
  /** The market after each round (the `onRound` hook): payments and revenue per provider are drawn from it. */
  readonly snapshots?: readonly RoundSnapshot[];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly color: string;
  /** Drawn last, dashed and with markers, so that it stays visible along the axis. */
  readonly highlight?: boolean;
}

/** Round numbers for an axis: a step of 1, 2 or 5 times a power of ten giving about `count` ticks over the range. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A number for a tick label: thousands as k, millions as M, no long decimals. */
export function tickLabel(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  return `${Number(value.toPrecision(4))}`;
}

function legend(series: readonly { name: string; color: string; highlight?: boolean }[]): string {
  return `<ul class="legend">${series
    .map(
      (s) =>
        `<li><span class="swatch${s.highlight ? ' dashed' : ''}" style="border-color:${s.color}"></span>${escapeHtml(s.name)}</li>`,
    )
    .join('')}</ul>`;
}

/** The plot box of the x/y charts, in SVG pixels. */
const PLOT = { width: 460, height: 280, left: 64, right: 16, top: 14, bottom: 48 } as const;
const PLOT_WIDTH = PLOT.width - PLOT.left - PLOT.right;
const PLOT_HEIGHT = PLOT.height - PLOT.top - PLOT.bottom;

/**
 * An x/y chart in the {@link PLOT} box: horizontal grid lines at `yTicks`, ticks at `xTicks`, both axes with their
 * titles, then `content` (drawn over them), a legend and a note below.
 */
function xyChart(chart: {
  title: string;
  axes: { x: string; y: string };
  x: (v: number) => number;
  y: (v: number) => number;
  xTicks: readonly number[];
  yTicks: readonly number[];
  content: string;
  legend: readonly { name: string; color: string; highlight?: boolean }[];
  note: string;
}): string {
  const { width, height, left, right, top } = PLOT;
  const { x, y } = chart;
  const grid = chart.yTicks
    .map(
      (t) =>
        `<line x1="${left}" x2="${width - right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/><text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t)}</text>`,
    )
    .join('');
  const xLabels = chart.xTicks
    .map(
      (t) =>
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top + PLOT_HEIGHT}" y2="${top + PLOT_HEIGHT + 4}" class="axis"/><text x="${x(t).toFixed(1)}" y="${top + PLOT_HEIGHT + 18}" text-anchor="middle">${tickLabel(t)}</text>`,
    )
    .join('');
  return `<figure class="chart"><figcaption>${escapeHtml(chart.title)}</figcaption>
<svg role="img" aria-label="${escapeHtml(chart.title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-size="${FONT}">
${grid}${xLabels}
<line x1="${left}" y1="${top + PLOT_HEIGHT}" x2="${width - right}" y2="${top + PLOT_HEIGHT}" class="axis"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + PLOT_HEIGHT}" class="axis"/>
<text class="axis-title" x="${left + PLOT_WIDTH / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(chart.axes.x)}</text>
<text class="axis-title" x="14" y="${top + PLOT_HEIGHT / 2}" transform="rotate(-90 14 ${top + PLOT_HEIGHT / 2})" text-anchor="middle">${escapeHtml(chart.axes.y)}</text>
${chart.content}</svg>${legend(chart.legend)}${chart.note === '' ? '' : `<p class="note">${chart.note}</p>`}</figure>`;
}

/** A line chart: labelled axes with units and round ticks, one polyline per series, an HTML legend below. */
function lineChart(
  title: string,
  axes: { x: string; y: string },
  series: readonly Series[],
  note = '',
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xMin = Math.min(...xs, 1);
  const xMax = Math.max(...xs, xMin + 1);
  const yTop = Math.max(...ys, 0);
  const yTicks = niceTicks(0, yTop > 0 ? yTop : 1);
  const yMax = Math.max(yTop, ...yTicks);
  // Zero sits a little above the x axis: a series at 0 (the malicious provider's reputation) stays visible.
  const yMin = -0.04 * (yMax || 1);
  const x = (v: number) => PLOT.left + ((v - xMin) / (xMax - xMin)) * PLOT_WIDTH;
  const y = (v: number) => PLOT.top + PLOT_HEIGHT - ((v - yMin) / (yMax - yMin)) * PLOT_HEIGHT;
  const xTicks = niceTicks(xMin, xMax, 6).filter((t) => Number.isInteger(t));
  const ordered = [...series.filter((s) => !s.highlight), ...series.filter((s) => s.highlight)];
  const lines = ordered
    .map((s) => {
      const points = s.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`);
      const markers = s.highlight
        ? s.points
            .map(
              (p) => `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`,
            )
            .join('')
        : '';
      return `<polyline class="series" data-series="${escapeHtml(s.name)}" fill="none" stroke="${s.color}" stroke-width="${s.highlight ? 3 : 2}"${s.highlight ? ' stroke-dasharray="6 3"' : ''} points="${points.join(' ')}"/>${markers}`;
    })
    .join('');
  return xyChart({ title, axes, x, y, xTicks, yTicks, content: lines, legend: ordered, note });
}

/** What a weight counts in each mode, for axis titles and tables. */
const WEIGHT_UNITS: Readonly<Record<string, string>> = {
  reputation: 'ppb of all reputation',
  stake: 'sats staked',
  equal: 'votes',
  quadratic: '√sats staked',
};

/** A proposal's weight unit: its mode's, times the snapshot's weight scale when it has one. */
const unitOf = (p: { readonly weightMode: string; readonly weightScale?: number }) =>
  `${WEIGHT_UNITS[p.weightMode] ?? 'weight'}${p.weightScale === undefined ? '' : ` × ${(p.weightScale / 65_536).toFixed(4)}`}`;

/** One panel per proposal: its totals per option as bars, on that proposal's own scale and unit. */
function voteCharts(result: SimulationResult): string {
  const panels = result.governance.proposals.map((p) => {
    const unit = unitOf(p);
    const entries = Object.entries(p.totals).map(([option, value]) => [option, Number(value)] as const);
    const width = 460;
    const left = 84;
    const right = 24;
    const rowHeight = 34;
    const top = 10;
    const plotWidth = width - left - right;
    const plotHeight = entries.length * rowHeight;
    const height = top + plotHeight + 52;
    const ticks = niceTicks(0, Math.max(1, ...entries.map(([, v]) => v)), 4);
    const max = Math.max(...ticks, ...entries.map(([, v]) => v), 1);
    const x = (v: number) => left + (v / max) * plotWidth;
    const grid = ticks
      .map(
        (t) =>
          `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top}" y2="${top + plotHeight}" class="grid"/><text x="${x(t).toFixed(1)}" y="${top + plotHeight + 18}" text-anchor="middle">${tickLabel(t)}</text>`,
      )
      .join('');
    const bars = entries
      .map(([option, value], i) => {
        const yPos = top + i * rowHeight + 6;
        const color = option === 'for' ? (COLORS[1] as string) : option === 'against' ? MALICIOUS : '#6b7280';
        const barWidth = Math.max(0, x(value) - left);
        const inside = barWidth > plotWidth * 0.75;
        return `<text x="${left - 8}" y="${yPos + 16}" text-anchor="end">${escapeHtml(option)}</text><rect class="bar" x="${left}" y="${yPos}" width="${barWidth.toFixed(1)}" height="22" fill="${color}"/><text x="${(inside ? left + barWidth - 6 : left + barWidth + 6).toFixed(1)}" y="${yPos + 16}" text-anchor="${inside ? 'end' : 'start'}"${inside ? ' fill="#fff"' : ''}>${tickLabel(value)}</text>`;
      })
      .join('');
    const title = `${p.weightMode}-weighted vote: ${p.voters} of ${p.members} members voted (${p.votes} anonymous pieces)`;
    return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption>
<svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-size="${FONT}">
${grid}${bars}
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" class="axis"/>
<line x1="${left}" y1="${top + plotHeight}" x2="${width - right}" y2="${top + plotHeight}" class="axis"/>
<text class="axis-title" x="${left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(`weight (${unit})`)}</text>
</svg></figure>`;
  });
  return `<div class="charts">${panels.join('')}</div>`;
}

/**
 * Anonymity-set sizes of the counted pieces, one histogram per proposal in its own colour on a shared axis: how many
 * pieces hid their voter among how many members, against the required k (dashed line). A piece left of the line would
 * name its voter to within fewer than k members; the tally never counts one.
 */
function anonymityChart(result: SimulationResult): string {
  const proposals = result.governance.proposals;
  const counts = proposals.map((p) => {
    const bySize = new Map<number, number>();
    for (const size of p.anonymity) bySize.set(size, (bySize.get(size) ?? 0) + 1);
    return bySize;
  });
  // k is capped at a proposal's member count: proposals may require different sets.
  const required = [...new Set(proposals.map((p) => p.requiredAnonymity ?? 0).filter((k) => k > 0))].sort(
    (a, b) => a - b,
  );
  const sizes = proposals.flatMap((p) => p.anonymity);
  const tallest = Math.max(1, ...counts.flatMap((bySize) => [...bySize.values()]));
  const xTicks = niceTicks(0, Math.max(...required, ...sizes, 1) + 1, 6).filter((t) => Number.isInteger(t));
  const xMax = Math.max(...xTicks, ...sizes.map((size) => size + 1));
  const yTicks = niceTicks(0, tallest, 4).filter((t) => Number.isInteger(t));
  const yMax = Math.max(...yTicks, tallest);
  const x = (v: number) => PLOT.left + (v / xMax) * PLOT_WIDTH;
  const y = (v: number) => PLOT.top + PLOT_HEIGHT - (v / yMax) * PLOT_HEIGHT;
  const series = proposals.map((p, i) => ({
    name: `${p.weightMode}-weighted vote (${p.anonymity.length} counted pieces)`,
    color: COLORS[i % COLORS.length] as string,
  }));
  // Bars centred on their size, side by side where two proposals share one.
  const sharing = new Map<number, number[]>();
  counts.forEach((bySize, i) => {
    for (const size of bySize.keys()) sharing.set(size, [...(sharing.get(size) ?? []), i]);
  });
  const bars = counts
    .flatMap((bySize, i) =>
      [...bySize.entries()].map(([size, n]) => {
        const group = sharing.get(size) ?? [i];
        const barWidth = Math.max(3, Math.min((PLOT_WIDTH / xMax) * 0.9, 16) / group.length);
        const at = x(size) - (barWidth * group.length) / 2 + group.indexOf(i) * barWidth;
        return `<rect class="set" data-proposal="${i}" data-size="${size}" x="${at.toFixed(1)}" y="${y(n).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(0) - y(n)).toFixed(1)}" fill="${series[i]?.color}"><title>${escapeHtml(`${series[i]?.name}: ${n} with a set of ${size} members`)}</title></rect>`;
      }),
    )
    .join('');
  const kLines = required
    .map(
      (k) =>
        `<line class="required" data-k="${k}" x1="${x(k).toFixed(1)}" x2="${x(k).toFixed(1)}" y1="${PLOT.top}" y2="${PLOT.top + PLOT_HEIGHT}" stroke="${MALICIOUS}" stroke-width="2" stroke-dasharray="6 3"/>`,
    )
    .join('');
  const requiredBy = (k: number) =>
    proposals
      .filter((p) => p.requiredAnonymity === k)
      .map((p) => p.weightMode)
      .join(', ');
  const note =
    sizes.length === 0
      ? 'No piece was counted.'
      : `A piece's anonymity set is the number of snapshot members who could have cast it, given the public snapshot and the client's rule; the smallest here is ${Math.min(...sizes)}.`;
  return xyChart({
    title: 'Anonymity sets of the counted pieces',
    axes: { x: 'anonymity set (members)', y: 'counted pieces' },
    x,
    y,
    xTicks,
    yTicks,
    content: bars + kLines,
    legend: [
      ...series,
      ...required.map((k) => ({
        name: `k = ${k}, the least set counted${required.length > 1 ? ` (${requiredBy(k)})` : ''}`,
        color: MALICIOUS,
        highlight: true,
      })),
    ],
    note: escapeHtml(note),
  });
}

/** Per provider, a value of each round snapshot. */
function perProvider(
  snapshots: readonly RoundSnapshot[],
  value: (
    provider: RoundSnapshot['providers'][number],
    previous: RoundSnapshot['providers'][number] | undefined,
  ) => number,
): Map<string, { x: number; y: number }[]> {
  const series = new Map<string, { x: number; y: number }[]>();
  snapshots.forEach((snapshot, i) => {
    for (const provider of snapshot.providers) {
      const previous = snapshots[i - 1]?.providers.find((p) => p.name === provider.name);
      const points = series.get(provider.name) ?? [];
      points.push({ x: snapshot.round, y: value(provider, previous) });
      series.set(provider.name, points);
    }
  });
  return series;
}

/** The run as one HTML page: parameters and methods, charts, tables. */
export function renderReport(result: SimulationResult, options: ReportOptions = {}): string {
  const { scenario } = result;
  const malicious = new Set(result.providers.filter((p) => p.malicious).map((p) => p.name));
  const seriesOf = (entries: Iterable<[string, { x: number; y: number }[]]>): Series[] =>
    [...entries].map(([name, points], i) => ({
      name: malicious.has(name) ? `${name} (malicious)` : name,
      color: malicious.has(name) ? MALICIOUS : (COLORS[i % COLORS.length] as string),
      highlight: malicious.has(name),
      points,
    }));
  const snapshots = options.snapshots ?? [];
  const marketCharts =
    snapshots.length === 0
      ? lineChart('Payments per round (all providers)', { x: 'round', y: 'payments per round' }, [
          {
            name: 'all providers',
            color: COLORS[0] as string,
            points: result.rounds.map((r) => ({ x: r.round, y: r.payments })),
          },
        ])
      : lineChart(
          'Payments per round, by provider',
          { x: 'round', y: 'paid requests per round' },
          seriesOf(perProvider(snapshots, (p, before) => p.sales - (before?.sales ?? 0))),
        ) +
        lineChart(
          'Cumulative revenue, by provider',
          { x: 'round', y: 'revenue (sat)' },
          seriesOf(perProvider(snapshots, (p) => p.revenueMsat / 1000)),
        );
  const prices = lineChart(
    'Prices (set each round from demand)',
    { x: 'round', y: 'price per request (msat)' },
    seriesOf(
      Object.entries(result.prices).map(([name, values]) => [
        name,
        values.map((v, r) => ({ x: r + 1, y: v })),
      ]),
    ),
  );
  const reputation = lineChart(
    'Provider reputation (EigenTrust)',
    { x: 'round', y: 'share of all trust (%)' },
    seriesOf(
      Object.entries(result.reputationTrajectory).map(([name, points]) => [
        name,
        points.map((p) => ({ x: p.round, y: p.score / 1e7 })),
      ]),
    ),
    'The malicious provider (dashed, red) serves garbage; its sybils rate it well, but trust flows from the pre-trusted founders and little of it reaches the sybils, so its share stays near zero.',
  );
  const providerRows = result.providers
    .map(
      (p) =>
        `<tr class="${p.malicious ? 'malicious' : ''}"><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.service)}</td><td>${p.malicious ? 'malicious' : 'honest'}</td><td class="n">${p.sales}</td><td class="n">${p.revenueSat}</td><td class="n">${p.finalPriceMsat}</td><td class="n">${(p.reputation / 1e7).toFixed(2)}%</td></tr>`,
    )
    .join('');
  const proposalRows = result.governance.proposals
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.weightMode)}</td><td>${escapeHtml(unitOf(p))}</td><td class="n">${p.members}</td><td class="n">${p.voters}</td><td class="n">${p.members - p.voters}</td><td class="n">${p.votes}</td><td class="n">${p.minAnonymity ?? '-'} (k = ${p.requiredAnonymity ?? '-'})</td><td class="n">${escapeHtml(p.totals.for ?? '0')}</td><td class="n">${escapeHtml(p.totals.against ?? '0')}</td><td class="n">${escapeHtml(p.totals.abstain ?? '0')}</td><td>${escapeHtml(p.state)}</td></tr>`,
    )
    .join('');
  const generated = options.generated ?? new Date();
  const parameters: [string, string][] = [
    ['agora402 version', options.version ?? 'unknown'],
    ['seed', JSON.stringify(scenario.seed)],
    ['generated (UTC)', `${generated.toISOString().slice(0, 19)}Z`],
    [
      'agents',
      `${scenario.agents} buyers, of which ${scenario.sybils} sybils and ${scenario.founders} pre-trusted founders`,
    ],
    ['providers', `${scenario.providers}, of which ${scenario.maliciousProviders} malicious`],
    [
      'rounds',
      `${scenario.rounds} (a purchase per agent per round at most; budget ${scenario.budgetSat} sat each)`,
    ],
    [
      'Lightning',
      `${scenario.lightning === 'sim' ? 'in-memory simulated network' : 'embedded LDK nodes'}, one hub`,
    ],
    [
      'reputation',
      `EigenTrust over signed receipts and ratings, recomputed every ${scenario.reputationEvery} rounds`,
    ],
    [
      'votes',
      `Groth16 membership proofs with nullifiers; at most ${scenario.maxProvedVoters} voters prove per proposal`,
    ],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agora402 simulation, seed ${escapeHtml(scenario.seed)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
div.table{overflow-x:auto}table{border-collapse:collapse;margin:1rem 0;font-size:14px}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.malicious td{color:${MALICIOUS}}
.chart{margin:1rem 0;min-width:0}figcaption{font-weight:600;margin-bottom:.3rem}
.chart svg{max-width:100%;height:auto;display:block}.chart text{fill:#222}.chart .axis-title{font-weight:600}
.chart .axis{stroke:#444}.chart .grid{stroke:#e5e7eb}
.legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:13px}
.swatch{display:inline-block;width:18px;border-top:3px solid;vertical-align:middle;margin-right:.35rem}.swatch.dashed{border-top-style:dashed}
.note{font-size:13px;color:#444;margin:.2rem 0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:1rem}
.params{border:1px solid #d1d5db;border-radius:6px;padding:.6rem 1rem;background:#f9fafb}.params dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.3rem 0}.params dt{font-weight:600}.params dd{margin:0}
code{font-size:.85rem;overflow-wrap:anywhere}
</style></head><body>
<h1>agora402 machine-economy simulation</h1>
<section class="params"><h2 style="margin-top:0">Parameters and methods</h2><dl>${parameters
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>
<p class="note">Every payment is a real L402 exchange (macaroon, BOLT 11 invoice, preimage) and leaves a signed receipt; agents choose providers by reputation, price and latency. Amounts: sat = 1000 msat; reputation in ppb (parts per billion) of all trust, shown as %.</p></section>
<p>${result.payments} payments, ${result.satsMoved} sats moved, ${result.failedPurchases} purchases failed, ${result.outOfBudget} not made (over budget), ${result.garbageServed} paid requests answered with garbage.</p>
<h2>Market</h2>
<div class="charts">${marketCharts}${prices}${reputation}</div>
<h2>Providers</h2>
<div class="table"><table><thead><tr><th>provider</th><th>service</th><th>kind</th><th>sales</th><th>revenue (sat)</th><th>final price (msat)</th><th>reputation (% of trust)</th></tr></thead><tbody>${providerRows}</tbody></table></div>
${
  result.disputes === undefined
    ? ''
    : `<h2>Disputes and the standing rule</h2>
<ul>${describeDisputes(result.disputes)
        .map((line) => `<li>${escapeHtml(line)}</li>`)
        .join('')}</ul>`
}
<h2>Decision</h2>
<p>Proposal: blacklist ${escapeHtml(result.governance.targetName)}, the least trusted provider, voted twice: weighted by reputation (members: agents with reputation at the snapshot) and by stake (members: agents that locked sats in a hold invoice). Voters prove membership and weight anonymously, in pieces (powers of two) each of which many members could have cast: each piece's anonymity set (the chart) never falls below k, but the pieces one ballot carries are linked, and the smallest anonymity set (the table) also counts those groups decomposed into members' whole casts: 1 where every decomposition holds a member, whom the observer then names as a voter of that ballot; members who do not vote abstain.</p>
${voteCharts(result)}
<div class="charts">${anonymityChart(result)}</div>
<div class="table"><table><thead><tr><th>weighted by</th><th>unit</th><th>members</th><th>voted</th><th>did not vote</th><th>proofs</th><th>smallest anonymity set</th><th>for</th><th>against</th><th>abstain</th><th>result</th></tr></thead><tbody>${proposalRows}</tbody></table></div>
<p>Blacklisted: <strong>${escapeHtml(result.governance.blacklisted.join(', ') || 'nobody')}</strong>; buying after the decision it gets HTTP ${result.governance.refusedStatus} from an honest provider (the <code>agora_blacklist</code> caveat).
${result.governance.stakesLocked} stakes were locked in hold invoices and ${result.governance.stakesReleased} released after the vote.</p>
${
  result.gated === undefined
    ? ''
    : `<h2>Anonymous reputation gating</h2>
<p>${result.gated.providers} providers sold only to payers proving, without naming themselves, a reputation of at least ${(result.gated.minScore / 1e7).toFixed(2)}% of all trust in one of the last reputation snapshots (${result.gated.snapshots} published): ${result.gated.purchases} purchases were gated, ${result.gated.refused} refused (the payer below the threshold or in no accepted snapshot, before paying).</p>`
}
<h2>Anchor</h2>
<p>Commitment <code>${escapeHtml(result.anchor.commitment)}</code> (proposal <code>${escapeHtml(result.anchor.proposal)}</code>), in the transaction <code>${escapeHtml(result.anchor.txid)}</code> (fee ${escapeHtml(result.anchor.feeSat)} sat) as <code>OP_RETURN AGR1</code> + commitment, mined in regtest block ${result.anchor.height} and recorded in the ledger: decisions take effect only once anchored in time.</p>
</body></html>
`;
}
