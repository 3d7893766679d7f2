import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/run.js';

/** What one `agora` invocation printed and returned. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured streams. */
export async function agora(
  argv: string[],
  options: { stdin?: string; env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  stdin.end(options.stdin ?? '');
  const code = await run(argv, {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { code, stdout: out, stderr: err };
}
