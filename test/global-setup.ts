import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const builtCli = join(root, 'dist/cli/main.js');

/** The newest modification time of any file under `dir`, in ms. */
function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return newest;
}

/**
 * Builds dist/ once before the run when it is missing or older than src/: the CLI's contract, signal and exit-code
 * tests run the built CLI as a process, so `npm ci && npm test` on a fresh clone needs it, and a stale build would
 * test yesterday's code. About 10 s; nothing when dist/ is current (CI builds it first).
 */
export default function setup(): void {
  if (existsSync(builtCli) && statSync(builtCli).mtimeMs >= newestUnder(join(root, 'src'))) return;
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
