import { createReadStream, type ReadStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { AgoraError, ErrorCode } from '../../core/index.js';
import type { Command } from '../command.js';
import { printable } from '../errors.js';
import { HOME_HELP, withHomeLedger } from '../home.js';
import { Progress, write } from '../io.js';

export const ledgerStatsCommand: Command = {
  name: 'ledger stats',
  summary: 'count the events in the ledger, by type',
  usage: '[--home DIR] [--json]',
  examples: ['agora ledger stats', 'agora ledger stats --home ./bob --json'],
  help: [HOME_HELP, ['--json', 'print as JSON']],
  options: { json: { type: 'boolean' } },
  async run({ io, home, values }) {
    const stats = await withHomeLedger(home, async (ledger) => ledger.stats(), { readOnly: true });
    if (values.json) {
      await write(io.stdout, `${JSON.stringify(stats)}\n`);
      return;
    }
    const rows = Object.entries(stats.types).map(([type, count]) => `  ${type.padEnd(24)} ${count}`);
    await write(io.stdout, [`events ${stats.events}`, ...rows, ''].join('\n'));
  },
};

export const ledgerExportCommand: Command = {
  name: 'ledger export',
  summary: 'write every event as canonical JSON lines, in append order',
  usage: '[--home DIR] [--out FILE]',
  examples: ['agora ledger export > alice.jsonl', 'agora ledger export --home ./alice --out alice.jsonl'],
  help: [HOME_HELP, ['--out FILE', 'write to FILE (replaced whole, atomically) instead of stdout']],
  options: { out: { type: 'string' } },
  async run({ io, home, values }) {
    const out = typeof values.out === 'string' ? resolve(values.out) : undefined;
    // Checked before anything is written, so the error names the path given, never a temporary file.
    if (out !== undefined) await checkOutput(out);
    await withHomeLedger(
      home,
      async (ledger) => {
        const temporary = out === undefined ? undefined : `${out}.${process.pid}.tmp`;
        const file = temporary === undefined ? undefined : await open(temporary, 'wx');
        const stream = file === undefined ? io.stdout : file.createWriteStream();
        const progress = new Progress(io.stderr, 'exported');
        let count = 0;
        try {
          for await (const line of ledger.exportLines()) {
            if (io.signal?.aborted) throw new AgoraError(ErrorCode.Interrupted, 'export interrupted');
            await write(stream, `${line}\n`);
            progress.update(++count);
          }
          if (temporary !== undefined && out !== undefined) {
            stream.end();
            await finished(stream);
            await rename(temporary, out);
          }
        } catch (cause) {
          if (temporary !== undefined) {
            stream.end();
            await unlink(temporary).catch(() => {});
          }
          throw cause;
        } finally {
          progress.done();
        }
      },
      { readOnly: true },
    );
  },
};

/** `--out` names a file in an existing directory: `IO` or `NOT_FOUND` saying which part is wrong. */
async function checkOutput(out: string): Promise<void> {
  const target = await stat(out).catch(() => undefined);
  if (target?.isDirectory())
    throw new AgoraError(ErrorCode.Io, `--out ${out} is a directory: name a file in it`);
  const parent = await stat(dirname(out)).catch(() => undefined);
  if (parent === undefined)
    throw new AgoraError(ErrorCode.NotFound, `--out ${out}: the directory ${dirname(out)} does not exist`);
  if (!parent.isDirectory())
    throw new AgoraError(ErrorCode.Io, `--out ${out}: ${dirname(out)} is not a directory`);
}

/** Opens a file as a stream, reporting a missing, unreadable or directory path as a typed error before reading. */
async function openForReading(path: string): Promise<NodeJS.ReadableStream> {
  const info = await stat(path).catch((cause: NodeJS.ErrnoException) => {
    const code = cause.code === 'ENOENT' ? ErrorCode.NotFound : ErrorCode.Io;
    throw new AgoraError(
      code,
      `cannot read ${path}: ${cause.code === 'ENOENT' ? 'no such file' : cause.code}`,
      {
        cause,
      },
    );
  });
  if (info.isDirectory())
    throw new AgoraError(
      ErrorCode.Io,
      `cannot read ${path}: it is a directory (name the .jsonl files in it)`,
    );
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path);
    stream.once('open', () => resolve(stream));
    stream.once('error', (cause: NodeJS.ErrnoException) =>
      reject(new AgoraError(ErrorCode.Io, `cannot read ${path}: ${cause.code ?? cause.message}`, { cause })),
    );
  });
}

/** Where a line of the concatenated input came from. */
interface Source {
  readonly name: string;
  /** Line number (in the concatenation) of its first line, from 1. */
  readonly first: number;
}

/** `file:line` for a line number of the concatenated sources. */
function located(sources: readonly Source[], line: number): string {
  const source = [...sources].reverse().find((s) => s.first <= line) as Source;
  return `${source.name}:${line - source.first + 1}`;
}

export const ledgerImportCommand: Command = {
  name: 'ledger import',
  summary: 'verify and import events from JSON lines (files, or - for stdin)',
  usage: 'FILE|- [FILE|- ...] [--home DIR] [--json]',
  examples: [
    'agora ledger import alice.jsonl carol.jsonl --home ./bob',
    'agora ledger export --home ./alice | agora ledger import - --home ./bob',
  ],
  help: [HOME_HELP, ['--json', 'print the result as JSON (lines numbered across all files)']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  async run({ io, home, values, positionals }) {
    if (positionals.filter((p) => p === '-').length > 1)
      throw new AgoraError(ErrorCode.Usage, 'stdin (-) can be read once');
    // Every file is opened first, in the order named: the first missing one fails the command (the same one on every
    // run, whichever stat answers first) before anything is imported, and the files opened before it are closed.
    const inputs: { name: string; input: NodeJS.ReadableStream }[] = [];
    try {
      for (const name of positionals)
        inputs.push({
          name: name === '-' ? 'stdin' : name,
          input: name === '-' ? io.stdin : await openForReading(name),
        });
    } catch (error) {
      for (const { input } of inputs) if (input !== io.stdin) (input as ReadStream).destroy();
      throw error;
    }
    const sources: Source[] = [];
    const progress = new Progress(io.stderr, 'imported lines');
    // One stream of lines for all files: an event may refer to one in another file, in any order.
    async function* allLines(): AsyncGenerator<string> {
      let line = 0;
      for (const { name, input } of inputs) {
        sources.push({ name, first: line + 1 });
        const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
        try {
          for await (const text of lines) {
            // Interrupted: what is stored stays (each chunk is one atomic batch); nothing more is read.
            if (io.signal?.aborted) return;
            line++;
            yield text;
          }
        } finally {
          lines.close();
        }
      }
    }
    const result = await withHomeLedger(home, (ledger) =>
      ledger.importLines(allLines(), { onProgress: (count) => progress.update(count) }).finally(() => {
        progress.done();
      }),
    );
    const problems = [
      ...result.refused.map((p) => ({ ...p, verdict: 'refused' })),
      ...result.waiting.map((p) => ({ ...p, verdict: 'waits for an event not in the input' })),
    ]
      .sort((a, b) => a.line - b.line)
      .map((p) => ({ ...p, where: located(sources, p.line), message: printable(p.message) }));
    if (values.json) {
      await write(
        io.stdout,
        `${JSON.stringify({
          ...result,
          refused: result.refused.map((p) => ({
            ...p,
            at: located(sources, p.line),
            message: printable(p.message),
          })),
          waiting: result.waiting.map((p) => ({
            ...p,
            at: located(sources, p.line),
            message: printable(p.message),
          })),
        })}\n`,
      );
    } else {
      await write(
        io.stdout,
        `imported ${result.added} new events from ${result.lines} lines (${result.duplicates} already stored${problems.length > 0 ? `, ${problems.length} not imported` : ''})\n`,
      );
    }
    // Every valid line is stored whatever the order; what could not be is named, and the command fails.
    const [first, ...more] = problems;
    if (first !== undefined) {
      for (const problem of more)
        await write(io.stderr, `${problem.where} ${problem.verdict}: ${problem.message}\n`);
      const stored = result.added + result.duplicates;
      throw new AgoraError(
        ErrorCode.ImportFailed,
        `${first.where}: ${first.message}${more.length > 0 ? ` (and ${more.length} more lines not imported)` : ''}; the other ${stored} lines were imported (${result.added} new events)`,
        { details: { line: first.line, reason: first.reason } },
      );
    }
  },
};
