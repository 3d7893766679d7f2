import { parseArgs } from 'node:util';
import { ErrorCode, isAgoraError } from '../core/index.js';
import type { Command } from './command.js';
import { type CommandEntry, commandIndex } from './command-index.js';
import { type CliIo, write } from './io.js';
import { usageError } from './usage-error.js';

/** Exit codes: 0 success, 1 bad input or failure, 2 a command line that does not parse. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

function overview(): string {
  const width = Math.max(...commandIndex.map((c) => c.name.length));
  return [
    'agora: governance for agents that pay each other over Lightning (L402)',
    '',
    'usage: agora <command> [options]',
    '',
    'commands:',
    ...commandIndex.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
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

function findCommand(argv: readonly string[]): { entry: CommandEntry; rest: string[] } | undefined {
  for (const entry of [...commandIndex].sort((a, b) => b.name.length - a.name.length)) {
    const words = entry.name.split(' ');
    if (words.every((word, i) => argv[i] === word)) return { entry, rest: argv.slice(words.length) };
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
      const group = commandIndex.filter((c) => c.name.startsWith(`${argv[0]} `));
      if (group.length > 0 && (argv.length === 1 || argv[1]?.startsWith('-'))) {
        const lines = group.map((c) => `  agora ${c.name.padEnd(16)} ${c.summary}`);
        const asked = argv.includes('--help') || argv.includes('-h');
        await write(asked ? io.stdout : io.stderr, [`agora ${argv[0]} commands:`, ...lines, ''].join('\n'));
        return asked ? ExitCode.Ok : ExitCode.Usage;
      }
      throw usageError(`unknown command: ${argv.slice(0, 2).join(' ')} (run agora --help)`);
    }
    const { rest } = found;
    const command = await found.entry.load();
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
    // home.js pulls in the ledger and every event type: loaded with the command, not for `agora --help`.
    const { resolveHome } = await import('./home.js');
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
