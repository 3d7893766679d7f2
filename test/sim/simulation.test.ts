import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import {
  DEFAULT_SCENARIO,
  formatSummary,
  type SimulationResult,
  scenarioOf,
  simulate,
} from '../../src/sim/index.js';
import { agora } from '../cli/harness.js';
import { freePort, thrownAgoraError } from '../helpers.js';
import { startRelay } from '../ledger/nostr-relay.js';

const small = {
  agents: 10,
  providers: 3,
  rounds: 6,
  sybils: 2,
  founders: 3,
  maxProvedVoters: 4,
  reputationEvery: 3,
};

/** The small scenario's run, made once by whichever test needs it first: no test depends on another having run. */
let smallRun: Promise<SimulationResult> | undefined;
const runSmall = () => {
  smallRun ??= simulate(small);
  return smallRun;
};

describe('the machine-economy simulator', () => {
  it('runs the whole story: market, reputation, two anonymous votes, the blacklist caveat, stakes, the anchor', async () => {
    const first = await runSmall();
    const malicious = first.providers.filter((p) => p.malicious);
    expect(malicious).toHaveLength(1);
    // Every purchase paid (budgets suffice), garbage only from the malicious provider.
    expect(first.payments + first.failedPurchases).toBe(small.agents * small.rounds);
    expect(first.outOfBudget).toBe(0);
    expect(first.garbageServed).toBe(malicious[0]?.sales);
    // What agents paid is what providers earned (each rounded to whole sats).
    const earned = first.providers.reduce((sum, p) => sum + p.revenueSat, 0);
    expect(Math.abs(first.satsMoved - earned)).toBeLessThanOrEqual(first.providers.length);
    expect(first.satsMoved).toBeGreaterThan(0);
    // Sybil praise does not lift the malicious provider: the pre-trusted founders never rate it well.
    expect(first.reputation.honestProviders).toBeGreaterThan(first.reputation.maliciousProviders);
    expect(first.governance.targetName).toBe(malicious[0]?.name);
    expect(first.governance.proposals.map((p) => [p.weightMode, p.state])).toEqual([
      ['reputation', 'succeeded'],
      ['stake', 'succeeded'],
    ]);
    expect(
      first.governance.proposals.every(
        (p) =>
          p.voters > 0 &&
          p.voters <= small.maxProvedVoters &&
          p.votes === p.proofs.reduce((a, b) => a + b, 0) &&
          p.anonymity.every((size) => size >= (p.requiredAnonymity ?? 1)),
      ),
    ).toBe(true);
    expect(first.governance.blacklisted).toEqual([malicious[0]?.name]);
    expect(first.governance.refusedStatus).toBe(403);
    expect(first.governance.stakesReleased).toBe(first.governance.stakesLocked);
    expect(first.anchor.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(first.rounds).toHaveLength(small.rounds);
    expect(formatSummary(first)).toContain(`blacklisted      ${malicious[0]?.name}`);
  }, 120_000);

  it('gives the same result for the same seed, and another for another seed', async () => {
    const first = await runSmall();
    expect(await simulate(small)).toEqual(first);
    const other = await simulate({ ...small, seed: 'another' });
    expect(other.anchor.commitment).not.toBe(first.anchor.commitment);
    // Two runs, three when this test runs alone (the small run too): about 20 s each on an idle 2-core machine.
  }, 300_000);

  it('runs on embedded LDK nodes too: payments, hold-invoice stakes, the votes and the caveat', async () => {
    const result = await simulate({
      ...small,
      lightning: 'ldk',
      agents: 4,
      providers: 2,
      rounds: 4,
      sybils: 0,
      founders: 2,
      maxProvedVoters: 3,
    });
    expect(result.payments).toBe(16);
    expect(result.governance.proposals.map((p) => p.state)).toEqual(['succeeded', 'succeeded']);
    expect(result.governance.refusedStatus).toBe(403);
    expect(result.governance.stakesReleased).toBe(4);
  }, 120_000);

  it("runs with every actor behind an NWC wallet, and gives the in-memory run's result", async () => {
    const relay = await startRelay();
    try {
      const scenario = {
        ...small,
        agents: 4,
        providers: 2,
        rounds: 3,
        sybils: 0,
        founders: 2,
        maxProvedVoters: 3,
      };
      const overNwc = await simulate({ ...scenario, lightning: 'nwc', nwcRelay: relay.url });
      const inMemory = await simulate(scenario);
      expect(overNwc.payments).toBe(12);
      expect(overNwc.governance.stakesReleased).toBe(4);
      expect({ ...overNwc, scenario: undefined }).toEqual({ ...inMemory, scenario: undefined });
    } finally {
      await relay.close();
    }
    thrownAgoraError(() => scenarioOf({ lightning: 'nwc' }), ErrorCode.InvalidArgument);
  }, 300_000);

  it('stops an agent buying once its budget is spent', async () => {
    // 8 sat each: a purchase or two at 1 to 18 sat, then nothing more.
    const result = await simulate({ ...small, budgetSat: 8, maxProvedVoters: 1 });
    expect(result.outOfBudget).toBeGreaterThan(0);
    expect(result.payments + result.failedPurchases + result.outOfBudget).toBe(small.agents * small.rounds);
    expect(result.satsMoved).toBeLessThanOrEqual(small.agents * 8);
  }, 120_000);

  it('refuses impossible scenarios with typed errors', () => {
    thrownAgoraError(() => scenarioOf({ agents: 1 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ providers: 2, maliciousProviders: 2 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ agents: 5, sybils: 4 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ seed: '' }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ lightning: 'lnd' as never }), ErrorCode.InvalidArgument);
    // Market parameters: ranges, and bounds that must be in order.
    thrownAgoraError(() => scenarioOf({ exploreChance: 1.5 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ choiceNoise: Number.NaN }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ priceCeiling: 0.5 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ minBasePriceSat: 5, maxBasePriceSat: 4 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ maxLatencyMs: 10 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ roundSeconds: 0.5 }), ErrorCode.InvalidArgument);
    thrownAgoraError(() => scenarioOf({ honestStakeSat: 0 }), ErrorCode.InvalidArgument);
    // Every default is a valid value of its own.
    expect(scenarioOf({})).toEqual(DEFAULT_SCENARIO);
  });
});

describe('agora simulate', () => {
  it('prints the machine form with --json, writes the report, and gives usage errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-sim-'));
    try {
      const report = join(dir, 'report.html');
      const out = await agora([
        'simulate',
        '--agents',
        '8',
        '--providers',
        '2',
        '--rounds',
        '3',
        '--voters',
        '2',
        '--seed',
        'cli',
        '--report',
        report,
        '--json',
      ]);
      expect(out.code).toBe(0);
      // Not a terminal: progress goes to stderr as lines (and only there: stdout stays the JSON).
      const progress = out.stderr.split('\n').filter((line) => line !== '');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.filter((line) => !/^\[ *\d+ s\] [a-z ()]+: \d+\/\d+$/.test(line))).toEqual([]);
      const result = JSON.parse(out.stdout) as SimulationResult;
      expect(result.scenario).toMatchObject({ agents: 8, providers: 2, rounds: 3, seed: 'cli', sybils: 0 });
      expect(result.governance.refusedStatus).toBe(403);
      const html = await readFile(report, 'utf8');
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script|https?:\/\//);
      expect((await agora(['simulate', '--lightning', 'lnd'])).code).toBe(2);
      expect((await agora(['simulate', '--agents', 'many'])).code).toBe(2);
      const bad = await agora(['simulate', '--agents', '1']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('[INVALID_ARGUMENT]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('serves Prometheus metrics while it runs', async () => {
    const port = await freePort();
    const running = agora([
      'simulate',
      '--agents',
      '6',
      '--providers',
      '2',
      '--rounds',
      '40',
      '--voters',
      '1',
      '--seed',
      'metrics',
      '--metrics-port',
      String(port),
      '--json',
    ]);
    let scraped = '';
    for (let i = 0; i < 400 && !/agora_sim_payments_total [1-9]/.test(scraped); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      scraped = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
    }
    const done = await running;
    expect(done.code).toBe(0);
    expect(scraped).toMatch(/agora_sim_payments_total [1-9]/);
    expect(scraped).toMatch(/agora_sim_round [1-9]/);
    expect(scraped).toContain('agora_sim_provider_price_msat{provider="provider-0",kind="honest"}');
    expect(scraped).toContain('agora_sim_provider_reputation_ppb{provider="provider-1",kind="malicious"}');
    // The endpoint closes with the run.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  }, 120_000);
});
