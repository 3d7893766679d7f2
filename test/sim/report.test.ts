import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type RoundSnapshot, renderReport, simulate } from '../../src/sim/index.js';
import { niceTicks, tickLabel } from '../../src/sim/report.js';
import { needsTool } from '../optional-tool.js';

const CHROMIUM = '/usr/bin/chromium';

describe('report axes', () => {
  it('ticks are round steps covering the range', () => {
    expect(niceTicks(0, 200)).toEqual([0, 50, 100, 150, 200]);
    expect(niceTicks(1, 5, 6)).toEqual([1, 2, 3, 4, 5]);
    expect(niceTicks(0, 0.37)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(tickLabel(25_000)).toBe('25k');
    expect(tickLabel(3_500_000)).toBe('3.5M');
    expect(tickLabel(0.30000000000000004)).toBe('0.3');
  });
});

describe('the HTML report', () => {
  // Debian's chromium, installed by .ci/run; elsewhere the test is skipped with its reason.
  it('renders labelled, readable charts in headless Chromium, offline, with no overflow', async (context) => {
    needsTool(context, existsSync(CHROMIUM), `needs Chromium at ${CHROMIUM} (Debian: chromium)`);
    const snapshots: RoundSnapshot[] = [];
    const result = await simulate(
      {
        agents: 6,
        providers: 3,
        rounds: 5,
        sybils: 1,
        founders: 2,
        maxProvedVoters: 2,
        reputationEvery: 2,
      },
      { onRound: (snapshot) => void snapshots.push(snapshot) },
    );
    const dir = await mkdtemp(join(tmpdir(), 'agora-report-'));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const file = join(dir, 'report.html');
      const generated = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
      await writeFile(file, renderReport(result, { version: '9.8.7', generated, snapshots }));
      for (const width of [1280, 700]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        page.on('request', (request) => {
          if (!request.url().startsWith('file:')) problems.push(`fetched ${request.url()}`);
        });
        await page.goto(`file://${file}`);
        // Evaluated in the page (as text: the tests are compiled without the DOM's types).
        const drawn = (await page.evaluate(`(() => {
            const svgs = [...document.querySelectorAll('figure.chart svg')];
            const outside = [];
            for (const svg of svgs) {
              const box = svg.getBoundingClientRect();
              for (const t of svg.querySelectorAll('text')) {
                const r = t.getBoundingClientRect();
                if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                  outside.push(t.textContent);
              }
            }
            const fontSizes = svgs.flatMap((svg) => {
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
            });
            return {
              charts: svgs.length,
              axisTitles: [...document.querySelectorAll('.axis-title')].map((t) => t.textContent),
              ticksPerChart: svgs.map((svg) => svg.querySelectorAll('text').length),
              legends: [...document.querySelectorAll('.legend li')].map((l) => l.textContent),
              lines: [...document.querySelectorAll('polyline.series')].map((l) => (l.getAttribute('points') || '').split(' ').length),
              bars: document.querySelectorAll('rect.bar').length,
              sets: [...document.querySelectorAll('rect.set')].map((r) => ({ proposal: Number(r.getAttribute('data-proposal')), size: Number(r.getAttribute('data-size')), height: Number(r.getAttribute('height')) })),
              required: [...document.querySelectorAll('line.required')].map((l) => Number(l.getAttribute('data-k'))),
              overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
              outside,
              minFont: Math.min(...fontSizes),
              text: document.body.innerText,
              title: document.title,
            };
          })()`)) as {
          charts: number;
          axisTitles: string[];
          ticksPerChart: number[];
          legends: string[];
          lines: number[];
          bars: number;
          sets: { proposal: number; size: number; height: number }[];
          required: number[];
          overflowX: number;
          outside: string[];
          minFont: number;
          text: string;
          title: string;
        };
        expect(problems).toEqual([]);
        // Payments and revenue by provider, prices, reputation, one panel per proposal, the anonymity sets.
        expect(drawn.charts).toBe(5 + result.governance.proposals.length);
        expect(drawn.axisTitles).toEqual(
          expect.arrayContaining([
            'round',
            'paid requests per round',
            'revenue (sat)',
            'price per request (msat)',
            'share of all trust (%)',
            // Times the snapshot's weight scale when the reputation snapshot has one.
            expect.stringMatching(/^weight \(ppb of all reputation( × [0-9.]+)?\)$/),
            'weight (sats staked)',
            'anonymity set (members)',
            'counted pieces',
          ]),
        );
        // One bar per proposal and set size, each of a drawn height; sizes never below the required k, marked.
        const sizes = result.governance.proposals.map((p) => new Set(p.anonymity).size);
        expect(drawn.sets).toHaveLength(sizes.reduce((a, b) => a + b, 0));
        expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        // A proposal's k is capped at its member count: each bar against its own proposal's k, one line per k.
        const proposals = result.governance.proposals;
        for (const set of drawn.sets) {
          expect(set.size).toBeGreaterThanOrEqual(proposals[set.proposal]?.requiredAnonymity ?? 1);
          expect(set.height).toBeGreaterThan(0);
        }
        expect(drawn.required.sort()).toEqual(
          [...new Set(proposals.map((p) => p.requiredAnonymity ?? 0).filter((k) => k > 0))].sort(),
        );
        for (const p of result.governance.proposals)
          expect(drawn.legends).toContain(
            `${p.weightMode}-weighted vote (${p.anonymity.length} counted pieces)`,
          );
        expect(Math.min(...drawn.ticksPerChart)).toBeGreaterThanOrEqual(5);
        expect(drawn.legends).toContain(`${result.providers.find((p) => p.malicious)?.name} (malicious)`);
        expect(drawn.lines).toHaveLength(4 * result.providers.length);
        expect(drawn.lines.every((points) => points >= 2)).toBe(true);
        expect(drawn.bars).toBe(
          result.governance.proposals.reduce((n, p) => n + Object.keys(p.totals).length, 0),
        );
        expect(drawn.overflowX).toBeLessThanOrEqual(0);
        expect(drawn.outside).toEqual([]);
        expect(drawn.minFont).toBeGreaterThanOrEqual(width >= 1000 ? 12 : 9);
        for (const text of [
          'Parameters and methods',
          '9.8.7',
          '2026-11-30T12:00:00Z',
          'abstain',
          'did not vote',
          'Anonymity sets of the counted pieces',
        ])
          expect(drawn.text).toContain(text);
        expect(drawn.text).toContain(JSON.stringify(result.scenario.seed));
        expect(drawn.title).toContain(result.scenario.seed);
        const shot = await page.screenshot({ fullPage: true });
        // A PNG's width and height sit at bytes 16 to 24 of its header.
        const view = new DataView(shot.buffer, shot.byteOffset, shot.byteLength);
        expect(view.getUint32(16)).toBe(width);
        expect(view.getUint32(20)).toBeGreaterThan(1500);
        await page.close();
      }
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
