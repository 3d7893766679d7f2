import { describe, expect, it } from 'vitest';
import { runAgent } from '../examples/agent.js';

describe('examples', () => {
  it('the agent pays both APIs once each, reuses its weather token, and keeps verified, rated receipts', async () => {
    const lines: string[] = [];
    const run = await runAgent((line) => lines.push(line));
    expect(run.weather).toMatchObject({ city: 'Lisbon' });
    expect((run.similarity as { cosine: number }).cosine).toBeCloseTo(
      29.5 / (Math.sqrt(14) * Math.sqrt(62.25)),
      12,
    );
    expect(run.receipts).toBe(2);
    expect(run.ratings).toBe(2);
    // 2 sat for the weather (paid once for two requests) + 1 sat and 10 msat per byte of the similarity request, + fees.
    expect(run.spentMsat).toBeGreaterThan(2_000 + 1_000);
    expect(run.spentMsat).toBeLessThan(2_000 + 1_000 + 10 * 100 + 5_000);
    expect(lines.some((line) => line.startsWith('weather again'))).toBe(true);
  });
});
