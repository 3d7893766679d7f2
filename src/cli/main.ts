#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PARENT_REPORTS_INTERRUPT } from './interrupt.js';

/**
 * `agora`: runs the command in a child process (process.ts) and stays light itself, so that it can keep the contract
 * on a signal: exit 130 within a second. The child stops cleanly when it can (the ledger closed, nothing started
 * after the signal); when it cannot answer in time (a zero-knowledge proof keeps its thread busy for seconds) it is
 * killed, which leaves the ledger consistent too: every write is one atomic LevelDB batch.
 */
const GRACE_MS = 600;

const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
// Help and the version print at once and touch no ledger: they run here, without a second node process to start.
const instant =
  args.length === 0 || ['--help', '-h', 'help', '--version', '-V', 'version'].includes(args[0] as string);
if (instant) {
  const { run } = await import('./run.js');
  process.exitCode = await run(args, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  });
} else startChild();

function startChild(): void {
  const child = spawn(
    process.execPath,
    [...process.execArgv, here.replace(/main\.(ts|js)$/, 'process.$1'), ...process.argv.slice(2)],
    // The child leaves the interrupted line to this process, which prints it once whether the child exits in
    // time or is killed (a child killed just after printing it made two).
    { stdio: 'inherit', env: { ...process.env, [PARENT_REPORTS_INTERRUPT]: '1' } },
  );
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      interrupted = true;
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), GRACE_MS).unref();
    });
  child.on('exit', (code, signal) => {
    if (interrupted) {
      process.stderr.write('agora: interrupted: stopped before finishing [INTERRUPTED]\n');
      process.exit(130);
    }
    process.exit(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
  });
}
