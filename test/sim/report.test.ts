import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReport, simulate } from '../../src/sim/index.js';
import { needsTool } from '../optional-tool.js';

const CHROMIUM = '/usr/bin/chromium';

describe('the HTML report', () => {
  // Debian's chromium, installed by .ci/run.
  it('renders its charts in headless Chromium, offline, without console errors', async (context) => {
    needsTool(context, existsSync(CHROMIUM), `needs Chromium at ${CHROMIUM} (Debian: chromium)`);
    const result = await simulate({
      agents: 6,
      providers: 3,
      rounds: 5,
      sybils: 1,
      founders: 2,
      maxProvedVoters: 2,
      reputationEvery: 2,
    });
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
      await writeFile(file, renderReport(result));
      const page = await browser.newPage();
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
      const drawn = (await page.evaluate(`({
          charts: document.querySelectorAll('figure.chart svg').length,
          lines: [...document.querySelectorAll('polyline.series')].map((l) => (l.getAttribute('points') || '').split(' ').length),
          bars: document.querySelectorAll('rect.bar').length,
          width: Math.round(document.querySelector('figure.chart svg').getBoundingClientRect().width),
          title: document.title,
        })`)) as { charts: number; lines: number[]; bars: number; width: number; title: string };
      expect(problems).toEqual([]);
      expect(drawn.charts).toBe(4);
      // Payments (1) + a price line and a reputation line per provider, each with a point per round or score.
      expect(drawn.lines).toHaveLength(1 + 2 * result.providers.length);
      expect(drawn.lines.every((points) => points >= 2)).toBe(true);
      expect(drawn.bars).toBe(
        result.governance.proposals.reduce((n, p) => n + Object.keys(p.totals).length, 0),
      );
      expect(drawn.width).toBeGreaterThan(200);
      expect(drawn.title).toContain(result.scenario.seed);
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
