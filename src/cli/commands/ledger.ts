import { createReadStream, createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { AgoraError, ErrorCode } from '../../core/index.js';
import type { Command } from '../command.js';
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
    const stats = await withHomeLedger(home, async (ledger) => ledger.stats());
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
    const out = values.out as string | undefined;
    await withHomeLedger(home, async (ledger) => {
      const temporary = out === undefined ? undefined : `${out}.${process.pid}.tmp`;
      const stream = temporary === undefined ? io.stdout : createWriteStream(temporary, { flags: 'wx' });
      const progress = new Progress(io.stderr, 'exported');
      let count = 0;
      try {
        for await (const line of ledger.exportLines()) {
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
    });
  },
};

/** Opens a file as a stream, reporting a missing or unreadable file as a typed error before reading starts. */
function openForReading(path: string): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path);
    stream.once('open', () => resolve(stream));
    stream.once('error', (cause: NodeJS.ErrnoException) => {
      const code = cause.code === 'ENOENT' ? ErrorCode.NotFound : ErrorCode.Io;
      reject(new AgoraError(code, `cannot read ${path}: ${cause.message}`, { cause }));
    });
  });
}

export const ledgerImportCommand: Command = {
  name: 'ledger import',
  summary: 'verify and import events from JSON lines (a file, or - for stdin)',
  usage: 'FILE|- [--home DIR] [--json]',
  examples: [
    'agora ledger import alice.jsonl carol.jsonl --home ./bob',
    'agora ledger export --home ./alice | agora ledger import - --home ./bob',
  ],
  help: [HOME_HELP, ['--json', 'print the result as JSON']],
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run({ io, home, values, positionals }) {
    const source = positionals[0] as string;
    const input = source === '-' ? io.stdin : await openForReading(source);
    const progress = new Progress(io.stderr, 'imported lines');
    const result = await withHomeLedger(home, (ledger) => {
      // readline emits lines as soon as it exists: create it only when the ledger is ready to consume them.
      const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
      return ledger.importLines(lines, { onProgress: (count) => progress.update(count) }).finally(() => {
        lines.close();
        progress.done();
      });
    });
    if (values.json) {
      await write(io.stdout, `${JSON.stringify(result)}\n`);
    } else {
      await write(
        io.stdout,
        `imported ${result.added} new events from ${result.lines} lines (${result.duplicates} already stored)\n`,
      );
    }
    // Every valid line is stored whatever the order; what could not be is named, and the command fails.
    const problems = [
      ...result.refused.map((p) => ({ ...p, verdict: 'refused' })),
      ...result.waiting.map((p) => ({ ...p, verdict: 'waits for an event not in the file' })),
    ].sort((a, b) => a.line - b.line);
    const [first, ...more] = problems;
    if (first !== undefined) {
      for (const problem of more)
        await write(io.stderr, `line ${problem.line} ${problem.verdict}: ${problem.message}\n`);
      throw new AgoraError(
        ErrorCode.ImportFailed,
        `line ${first.line}: ${first.message}${more.length > 0 ? ` (and ${more.length} more lines not imported)` : ''}`,
        { details: { line: first.line, reason: first.reason } },
      );
    }
  },
};
