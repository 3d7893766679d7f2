import { parseArgs } from 'node:util';
import { ErrorCode, isAgoraError } from '../core/index.js';
import type { Command } from './command.js';
import {
  anchorCommitCommand,
  anchorExportOtsCommand,
  anchorStatusCommand,
  anchorVerifyCommand,
} from './commands/anchor.js';
import { votesAnonymityCommand } from './commands/anonymity.js';
import {
  proposalCancelCommand,
  proposalCreateCommand,
  proposalListCommand,
  proposalShowCommand,
  proposalSnapshotCommand,
  tallyCommand,
  voteCommand,
} from './commands/governance.js';
import { idShowCommand } from './commands/id-show.js';
import { initCommand } from './commands/init.js';
import { ledgerExportCommand, ledgerImportCommand, ledgerStatsCommand } from './commands/ledger.js';
import { repShowCommand, repTopCommand } from './commands/rep.js';
import { simulateCommand } from './commands/simulate.js';
import {
  stakeLockCommand,
  stakeReleaseCommand,
  stakeServeCommand,
  stakeStatusCommand,
} from './commands/stake.js';
import { syncCommand } from './commands/sync.js';
import { resolveHome } from './home.js';
import { type CliIo, write } from './io.js';
import { usageError } from './usage-error.js';

/** Every `agora` command. */
export const commands: readonly Command[] = [
  initCommand,
  idShowCommand,
  ledgerStatsCommand,
  ledgerExportCommand,
  ledgerImportCommand,
  repShowCommand,
  repTopCommand,
  proposalCreateCommand,
  proposalListCommand,
  proposalShowCommand,
  proposalSnapshotCommand,
  proposalCancelCommand,
  voteCommand,
  tallyCommand,
  votesAnonymityCommand,
  stakeLockCommand,
  stakeStatusCommand,
  stakeReleaseCommand,
  stakeServeCommand,
  anchorCommitCommand,
  anchorStatusCommand,
  anchorVerifyCommand,
  anchorExportOtsCommand,
  simulateCommand,
  syncCommand,
];

/** Exit codes: 0 success, 1 bad input or failure, 2 a command line that does not parse. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'agora: governance for agents that pay each other over Lightning (L402)',
    '',
    'usage: agora <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run agora <command> --help for its options.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  const width = Math.max(...command.help.map(([flag]) => flag.length), 10);
  return [
    `usage: agora ${command.name} ${command.usage}`,
    '',
    command.summary,
    '',
    'options:',
    ...command.help.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    `  ${'--help'.padEnd(width)}  show this help`,
    '',
  ].join('\n');
}

function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  for (const command of [...commands].sort((a, b) => b.name.length - a.name.length)) {
    const words = command.name.split(' ');
    if (words.every((word, i) => argv[i] === word)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** Runs `agora` with `argv` (without the node and script paths) and returns the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
      await write(io.stdout, overview());
      return ExitCode.Ok;
    }
    const found = findCommand(argv);
    if (found === undefined) {
      const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
      if (group.length > 0 && (argv.length === 1 || argv[1]?.startsWith('-'))) {
        const lines = group.map((c) => `  agora ${c.name.padEnd(16)} ${c.summary}`);
        const asked = argv.includes('--help') || argv.includes('-h');
        await write(asked ? io.stdout : io.stderr, [`agora ${argv[0]} commands:`, ...lines, ''].join('\n'));
        return asked ? ExitCode.Ok : ExitCode.Usage;
      }
      throw usageError(`unknown command: ${argv.slice(0, 2).join(' ')} (run agora --help)`);
    }
    const { command, rest } = found;
    if (rest.includes('--help') || rest.includes('-h')) {
      await write(io.stdout, commandHelp(command));
      return ExitCode.Ok;
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: rest,
        options: { ...command.options, home: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
    } catch (cause) {
      const sentence = (cause as Error).message.split(/(?<=\.) /)[0];
      throw usageError(`${sentence} (run agora ${command.name} --help)`);
    }
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw usageError(
        `agora ${command.name} takes ${min === max ? min : `${min} to ${max}`} argument(s): ${command.usage}`,
      );
    }
    const home = resolveHome(parsed.values.home as string | undefined, io.env);
    await command.run({ io, values: parsed.values, positionals: parsed.positionals, home });
    return ExitCode.Ok;
  } catch (error) {
    if (isAgoraError(error, ErrorCode.Usage)) {
      await write(io.stderr, `agora: ${error.message}\n`);
      return ExitCode.Usage;
    }
    if (isAgoraError(error)) {
      await write(io.stderr, `agora: ${error.message} [${error.code}]\n`);
      return ExitCode.Failure;
    }
    const unexpected = error instanceof Error ? (error.stack ?? error.message) : String(error);
    await write(io.stderr, `agora: unexpected error: ${unexpected}\n`);
    return ExitCode.Failure;
  }
}
