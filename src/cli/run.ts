import { parseArgs } from 'node:util';
import { AgoraError, ErrorCode } from '../core/index.js';
import type { Command } from './command.js';
import { type CommandEntry, commandIndex } from './command-index.js';
import { asAgoraError, errorLine, printable } from './errors.js';
import { PARENT_REPORTS_INTERRUPT } from './interrupt.js';
import { type CliIo, write } from './io.js';
import { trackingLedgers } from './ledger-tracking.js';
import { usageError } from './usage-error.js';
import { VERSION } from './version.js';

/** Exit codes: 0 success, 1 refused or failed, 2 a command line that does not parse, 130 interrupted. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Interrupted: 130 } as const;

function overview(): string {
  const width = Math.max(...commandIndex.map((c) => c.name.length));
  return [
    `agora ${VERSION}: governance for agents that pay each other over Lightning (L402)`,
    '',
    'usage: agora <command> [options]',
    '',
    'commands:',
    ...commandIndex.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run agora help <command> (or agora <command> --help) for its options and examples.',
    'Exit codes: 0 ok, 1 refused or failed, 2 usage, 130 interrupted. Times: unix seconds, ISO 8601 or +3d.',
    '',
  ].join('\n');
}

/** A command's help: usage, summary, options and examples. */
export function commandHelp(command: Command): string {
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
    'examples:',
    ...command.examples.map((example) => `  ${example}`),
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

/** The commands of a group (`agora ledger`), listed. */
function groupHelp(group: readonly CommandEntry[], name: string): string {
  const lines = group.map((c) => `  agora ${c.name.padEnd(16)} ${c.summary}`);
  return [
    `agora ${name} commands:`,
    ...lines,
    '',
    `Run agora help ${name} <command> for one of them.`,
    '',
  ].join('\n');
}

/**
 * `--until -5` is what people type for a negative value, which Node's parser calls ambiguous: an argument that
 * looks like a negative number or duration right after a string option is joined to it (`--until=-5`), so the
 * option's own check answers (a negative count is refused, `-2h` is two hours ago); a bare negative number is an
 * argument.
 */
function joinNegativeValues(args: readonly string[], command: Command): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const option = arg.startsWith('--') ? command.options[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else if (/^-\d+$/.test(arg)) out.push(`${NEGATIVE}${arg}`);
    else out.push(arg);
  }
  return out;
}

/** Marks a negative number given as an argument (`agora rate <id> -2`), which the parser would take for a flag. */
const NEGATIVE = '\u0000';

/** How long an interrupted command may take to finish its step in progress before its ledgers are closed. */
const GRACE_MS = 300;

/** Resolves when `signal` aborts (never when there is none). */
function whenAborted(signal: AbortSignal | undefined): Promise<'interrupted'> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve('interrupted');
    signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    await write(io.stdout, overview());
    return ExitCode.Ok;
  }
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    await write(io.stdout, `agora ${VERSION}\n`);
    return ExitCode.Ok;
  }
  if (argv[0] === 'help') {
    const topic = argv.slice(1);
    if (topic.length === 0) {
      await write(io.stdout, overview());
      return ExitCode.Ok;
    }
    const found = findCommand(topic);
    if (found !== undefined && found.rest.length === 0) {
      await write(io.stdout, commandHelp(await found.entry.load()));
      return ExitCode.Ok;
    }
    const group = commandIndex.filter((c) => c.name.startsWith(`${topic[0]} `));
    if (topic.length === 1 && group.length > 0) {
      await write(io.stdout, groupHelp(group, topic[0] as string));
      return ExitCode.Ok;
    }
    throw usageError(`no command ${printable(topic.join(' '))} (run agora help)`);
  }
  const found = findCommand(argv);
  if (found === undefined) {
    const group = commandIndex.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (group.length > 0 && (argv.length === 1 || argv[1]?.startsWith('-'))) {
      const asked = argv.includes('--help') || argv.includes('-h');
      await write(asked ? io.stdout : io.stderr, groupHelp(group, argv[0] as string));
      return asked ? ExitCode.Ok : ExitCode.Usage;
    }
    throw usageError(`unknown command: ${printable(argv.slice(0, 2).join(' '))} (run agora help)`);
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
      args: joinNegativeValues(rest, command),
      options: { ...command.options, home: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (cause) {
    const sentence = printable((cause as Error).message.split(/(?<=\.) /)[0] ?? '');
    throw usageError(`${sentence} (run agora help ${command.name})`);
  }
  parsed.positionals = parsed.positionals.map((p) => (p.startsWith(NEGATIVE) ? p.slice(1) : p));
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw usageError(
      `agora ${command.name} takes ${min === max ? min : max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min} to ${max}`} argument(s): ${command.usage}`,
    );
  }
  // home.js pulls in the ledger and every event type: loaded with the command, not for `agora --help`.
  const { resolveHome } = await import('./home.js');
  const home = resolveHome(parsed.values.home as string | undefined, io.env);
  await command.run({ io, values: parsed.values, positionals: parsed.positionals, home });
  return ExitCode.Ok;
}

/**
 * Runs `agora` with `argv` (without the node and script paths) and returns the exit code. Every error is printed as
 * one line with its code (the stack only when `AGORA_DEBUG=1`). When `io.signal` aborts, the open ledgers are
 * closed (a write in progress completes, none starts) and 130 is returned at once.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { result: command, close } = trackingLedgers(() => dispatch(argv, io));
  try {
    const outcome = await Promise.race([command, whenAborted(io.signal)]);
    if (outcome !== 'interrupted') return outcome;
    // A command that watches the signal (serve, follow) finishes its step in progress and closes by itself; one that
    // does not answer soon has its ledgers closed under it (a write in progress completes, none starts).
    const settled = command.then(
      () => true,
      () => true,
    );
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref())]);
    await close();
    if (io.env[PARENT_REPORTS_INTERRUPT] !== '1')
      await write(
        io.stderr,
        errorLine(new AgoraError(ErrorCode.Interrupted, 'interrupted: stopped before finishing')),
      );
    return ExitCode.Interrupted;
  } catch (error) {
    const agoraError = asAgoraError(error);
    if (io.env.AGORA_DEBUG === '1' && error instanceof Error && error.stack !== undefined)
      await write(io.stderr, `${error.stack}\n`);
    await write(io.stderr, errorLine(agoraError));
    return agoraError.code === ErrorCode.Usage ? ExitCode.Usage : ExitCode.Failure;
  }
}
