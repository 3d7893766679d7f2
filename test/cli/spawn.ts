import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built CLI (`npm run build`): tests of exit codes and signals run it as people do, as a process. */
export const BUILT_CLI = join(import.meta.dirname, '../../dist/cli/main.js');

/** Fails clearly when the CLI was not built, rather than with a confusing spawn error. */
export function requireBuiltCli(): void {
  if (!existsSync(BUILT_CLI)) throw new Error(`run npm run build first: ${BUILT_CLI} is missing`);
}

/** What one spawned `agora` printed and how it ended. */
export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** How to run `agora`: `asNobody` runs it as the unprivileged user nobody through util-linux's setpriv (root only). */
export interface SpawnOptions {
  env?: Record<string, string>;
  stdin?: string;
  asNobody?: boolean;
}

/** Starts `agora ARGS` as a process; `done` resolves when it exits. */
export function start(
  args: readonly string[],
  options: SpawnOptions = {},
): { child: ChildProcess; done: Promise<Spawned>; output: () => string } {
  const command = [process.execPath, BUILT_CLI, ...args];
  const [file, ...rest] = options.asNobody
    ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...command]
    : command;
  const child = spawn(file as string, rest, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin?.end(options.stdin ?? '');
  const done = new Promise<Spawned>((resolve) => {
    // A missing setpriv is an exit like any other (127, as a shell says), not an unhandled error.
    child.on('error', (error) =>
      resolve({ code: 127, signal: null, stdout, stderr: stderr + error.message }),
    );
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, output: () => stdout + stderr };
}

/** Runs `agora ARGS` to its end. */
export function agoraProcess(args: readonly string[], options: SpawnOptions = {}): Promise<Spawned> {
  return start(args, options).done;
}

/** Resolves once `test` holds on what the process printed so far (polled), or rejects after `ms`. */
export async function waitFor(output: () => string, test: RegExp, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  while (!test.test(output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${test} in: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when a line looks like a JavaScript stack frame. */
export const STACK_FRAME = /^\s+at .+[(:]\d+/m;
