import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgentKey } from '../../src/identity/index.js';
import { createAgentRegistration } from '../../src/ledger/index.js';
import { agora } from './harness.js';
import { agoraProcess, requireBuiltCli, STACK_FRAME, start, waitFor } from './spawn.js';

let dir: string;
beforeAll(async () => {
  requireBuiltCli();
  dir = await mkdtemp(join(tmpdir(), 'agora-signals-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sends `signal` and measures how long the process takes to end. */
async function interrupt(
  running: ReturnType<typeof start>,
  signal: NodeJS.Signals,
): Promise<{ ms: number; code: number | null; stderr: string }> {
  const sent = Date.now();
  running.child.kill(signal);
  const outcome = await running.done;
  return { ms: Date.now() - sent, code: outcome.code, stderr: outcome.stderr };
}

describe('Ctrl-C and SIGTERM', () => {
  it('stop a long-running command within a second with exit 130', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const served = start(['dev', 'lightning', '--port', '0']);
      await waitFor(served.output, /at http:\/\/127\.0\.0\.1:\d+/);
      const stopped = await interrupt(served, signal);
      expect(stopped.code).toBe(130);
      expect(stopped.ms).toBeLessThan(1_000);
      expect(stopped.stderr).toMatch(/\[INTERRUPTED\]\n$/);
      expect(stopped.stderr).not.toMatch(STACK_FRAME);
    }
  }, 120_000);

  it('an interrupted vote is not cast, stops within a second, and the ledger stays usable', async () => {
    const home = join(dir, 'voter');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    const created = await agora(['proposal', 'create', '--title', 'x', '--home', home, '--json']);
    const { id } = JSON.parse(created.stdout) as { id: string };
    const voting = start(['vote', id, 'for', '--home', home]);
    // Long enough to be loading the prover or proving (several seconds here), never done.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stopped = await interrupt(voting, 'SIGINT');
    expect(stopped.code).toBe(130);
    expect(stopped.ms).toBeLessThan(1_000);
    expect(stopped.stderr).toMatch(/^agora: interrupted.* \[INTERRUPTED\]\n$/);
    const stats = await agoraProcess(['ledger', 'stats', '--json', '--home', home]);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).types['vote.cast']).toBeUndefined();
  }, 120_000);

  it('an interrupted import keeps whole chunks only, and the ledger opens afterwards', async () => {
    const home = join(dir, 'importer');
    expect((await agora(['init', '--home', home])).code).toBe(0);
    const lines = await Promise.all(
      Array.from({ length: 3_000 }, async () =>
        JSON.stringify(await createAgentRegistration(generateAgentKey())),
      ),
    );
    const file = join(dir, 'many.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const importing = start(['ledger', 'import', file, '--home', home]);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const stopped = await interrupt(importing, 'SIGTERM');
    // It may have finished first on a fast machine; interrupted, it says so and exits 130.
    expect([0, 130]).toContain(stopped.code);
    expect(stopped.ms).toBeLessThan(1_000);
    const stats = await agoraProcess(['ledger', 'stats', '--json', '--home', home]);
    expect(stats.code).toBe(0);
    const stored = JSON.parse(stats.stdout).events as number;
    expect(stored).toBeGreaterThanOrEqual(1);
    expect(stored).toBeLessThanOrEqual(3_001);
    // Importing again completes what was left: every batch was written whole or not at all.
    const again = await agoraProcess(['ledger', 'import', file, '--home', home]);
    expect(again.code).toBe(0);
    const after = await agoraProcess(['ledger', 'stats', '--json', '--home', home]);
    expect(JSON.parse(after.stdout).events).toBe(3_001);
  }, 180_000);
});
