import { stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { AgoraError, ErrorCode, systemClock, unixSeconds } from '../../core/index.js';
import { type AgentKey, saveAgentKey } from '../../identity/index.js';
import {
  DEFAULT_SCENARIO,
  formatSummary,
  type RoundSnapshot,
  renderReport,
  type Scenario,
  type SimulationHooks,
  type SimulationResult,
  scenarioOf,
  simulate,
  simulationNetwork,
} from '../../sim/index.js';
import type { SimulationMetrics } from '../../sim/metrics.js';
import { type Command, optionOrEnv, wholeNumber } from '../command.js';
import { homePaths, makeDirectories, networkFileText, openHomeLedger } from '../home.js';
import { write } from '../io.js';
import { VERSION } from '../version.js';

/** Serves `/metrics` (Prometheus text format) on 127.0.0.1. */
async function serveMetrics(metrics: SimulationMetrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (cause) =>
      reject(
        new AgoraError(ErrorCode.InvalidArgument, `cannot serve metrics on port ${port}: ${cause.message}`, {
          cause,
        }),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

/**
 * A new home for `simulate --home`: the run writes its ledger there (dated so that it ended a day ago, for commands
 * reading it now), and its keys are saved once it ends: agent-0, a founder, as the home's key.
 */
async function simulationHome(home: string, scenario: Partial<Scenario>) {
  const paths = homePaths(home);
  if (
    await stat(paths.ledger).then(
      () => true,
      () => false,
    )
  )
    throw new AgoraError(
      ErrorCode.AlreadyExists,
      `${home} holds a ledger already: simulate into a new directory`,
    );
  await makeDirectories(paths.ledger);
  // The run mines its anchor (and seed) blocks: its home is its regtest network, founders as the fixed seeds.
  await writeFile(paths.network, networkFileText(simulationNetwork(scenarioOf(scenario))));
  const keys = new Map<string, AgentKey>();
  const rounds = scenario.rounds ?? DEFAULT_SCENARIO.rounds;
  const hooks: SimulationHooks = {
    start: unixSeconds(systemClock) - rounds * 60 - 86_400,
    openLedger: () => openHomeLedger(home),
    onKey: (name, key) => void keys.set(name, key),
  };
  return {
    hooks,
    async saveKeys() {
      await makeDirectories(join(home, 'agents'));
      for (const [name, key] of keys) await saveAgentKey(join(home, 'agents', `${name}.json`), key);
      const founder = keys.get('agent-0');
      if (founder !== undefined) await saveAgentKey(paths.key, founder);
    },
  };
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary:
    'run a machine economy: payments, reputation, anonymous votes, a blacklist decision and its anchor',
  usage:
    '[--agents N] [--providers M] [--rounds R] [--seed S] [--lightning sim|ldk|nwc [--nwc-relay URL]] [--report FILE] [--json]',
  examples: [
    'agora simulate --report report.html',
    'agora simulate --agents 20 --rounds 50 --home ./sim --json',
  ],
  help: [
    ['--agents N', 'buying agents, sybils included (default 50)'],
    ['--providers M', 'L402 providers, one malicious (default 5)'],
    ['--rounds R', 'market rounds (default 200)'],
    ['--seed S', 'the same seed gives the same run (default agora402)'],
    ['--sybils N', 'agents working for the malicious provider (default 5)'],
    ['--voters N', 'most voters proving a ZK vote per proposal (default 40)'],
    ['--budget SAT', "each agent's spending limit in sats (default 5000)"],
    [
      '--gated N',
      'the first N honest providers sell only to payers proving reputation anonymously (default 0; a proof per purchase)',
    ],
    ['--gate-min-score PPB', "gated providers' least reputation in ppb of all trust (default 1000000)"],
    [
      '--disputes',
      'add the dispute phase: a standing rule adopted early, garbage disputed, a panel of five, the rule firing',
    ],
    [
      '--lightning KIND',
      'sim (default, in-memory network) | ldk (embedded LDK nodes) | nwc (sim nodes behind NWC wallets)',
    ],
    ['--nwc-relay URL', 'for nwc: the Nostr relay agents reach their wallets over (or $AGORA_NWC_RELAY)'],
    ['--report FILE', 'write a self-contained HTML report with charts'],
    [
      '--home DIR',
      'leave the run in a new home: its ledger, every agent key in DIR/agents/, agent-0 (a founder) as DIR/key.json',
    ],
    ['--metrics-port N', 'serve Prometheus metrics on 127.0.0.1:N/metrics while it runs'],
    ['--json', 'print the result as JSON'],
  ],
  options: {
    agents: { type: 'string' },
    providers: { type: 'string' },
    rounds: { type: 'string' },
    seed: { type: 'string' },
    sybils: { type: 'string' },
    voters: { type: 'string' },
    budget: { type: 'string' },
    gated: { type: 'string' },
    'gate-min-score': { type: 'string' },
    disputes: { type: 'boolean' },
    lightning: { type: 'string' },
    'nwc-relay': { type: 'string' },
    report: { type: 'string' },
    'metrics-port': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ io, values, home }) {
    const scenario: { -readonly [K in keyof Scenario]?: Scenario[K] } = {};
    const number = (flag: string, key: keyof Scenario) => {
      if (values[flag] !== undefined)
        (scenario as Record<string, unknown>)[key] = wholeNumber(values[flag], `--${flag}`, 0);
    };
    number('agents', 'agents');
    number('providers', 'providers');
    number('rounds', 'rounds');
    number('sybils', 'sybils');
    number('voters', 'maxProvedVoters');
    number('budget', 'budgetSat');
    number('gated', 'gatedProviders');
    number('gate-min-score', 'gateMinScore');
    if (typeof values.seed === 'string') scenario.seed = values.seed;
    if (values.disputes === true) scenario.disputes = true;
    if (values.lightning !== undefined) {
      if (values.lightning !== 'sim' && values.lightning !== 'ldk' && values.lightning !== 'nwc')
        throw new AgoraError(ErrorCode.Usage, '--lightning is sim, ldk or nwc');
      scenario.lightning = values.lightning;
    }
    if (scenario.lightning === 'nwc') {
      const relay = optionOrEnv(values, io.env, 'nwc-relay', 'AGORA_NWC_RELAY');
      if (relay === undefined)
        throw new AgoraError(ErrorCode.Usage, '--lightning nwc needs --nwc-relay URL (or $AGORA_NWC_RELAY)');
      scenario.nwcRelay = relay;
    }
    if (scenario.agents !== undefined && scenario.sybils === undefined)
      scenario.sybils = Math.min(Math.floor(scenario.agents / 10), scenario.agents - 2);
    // A bar on stderr when it is a terminal; otherwise a line per phase and per tenth of it (logs, CI), on stderr so
    // that `--json` output stays clean.
    const tty = io.stderr.isTTY === true;
    let last = 0;
    let lastLine = '';
    // prom-client loads only when metrics are asked for.
    const metrics =
      values['metrics-port'] === undefined
        ? undefined
        : new (await import('../../sim/metrics.js')).SimulationMetrics();
    const server =
      metrics === undefined
        ? undefined
        : await serveMetrics(metrics, wholeNumber(values['metrics-port'], '--metrics-port', 0, 65_535));
    const started = Date.now();
    const progressBar: SimulationHooks = {
      onProgress(phase, done, total) {
        if (!tty) {
          const tenth = Math.floor((done * 10) / total);
          const line = `${phase} ${tenth * 10}%`;
          if (line === lastLine || (done !== total && done !== 1 && (done * 10) % total >= 10)) return;
          lastLine = line;
          const seconds = ((Date.now() - started) / 1000).toFixed(0);
          io.stderr.write(`[${seconds.padStart(4)} s] ${phase}: ${done}/${total}\n`);
          return;
        }
        const now = Date.now();
        if (done !== total && now - last < 100) return;
        last = now;
        const width = 30;
        const filled = Math.round((done / total) * width);
        io.stderr.write(
          `\r${phase.padEnd(18)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
        );
      },
    };
    const kept = typeof values.home === 'string' ? await simulationHome(home, scenario) : undefined;
    const snapshots: RoundSnapshot[] = [];
    let result: SimulationResult;
    try {
      const hooks = metrics === undefined ? progressBar : metrics.hooks(progressBar);
      result = await simulate(scenario, {
        ...hooks,
        ...kept?.hooks,
        // The report draws payments and revenue per provider from the market after each round.
        onRound(snapshot) {
          snapshots.push(snapshot);
          hooks.onRound?.(snapshot);
        },
      });
      await kept?.saveKeys();
    } finally {
      await new Promise<void>((resolve) =>
        server === undefined ? resolve() : server.close(() => resolve()),
      );
    }
    if (typeof values.report === 'string')
      await writeFile(
        values.report,
        renderReport(result, { version: VERSION, generated: new Date(), snapshots }),
      );
    await write(io.stdout, values.json ? `${JSON.stringify(result)}\n` : formatSummary(result));
    if (kept !== undefined && !values.json)
      await write(
        io.stdout,
        `\nhome ${home}: the run's ledger, agent-0's key (key.json) and every agent's in agents/\n  try: agora agents --home ${home}; agora proposal list --home ${home}\n`,
      );
  },
};
