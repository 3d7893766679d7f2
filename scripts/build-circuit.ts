// Compiles circuits/vote.circom with circom2 (WebAssembly, --O2) into circuits/build/: vote.r1cs and vote.wasm.
// Run from the project root: circom2's sandbox only reads files below the working directory.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'circuits', 'build');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const circom = join(root, 'node_modules', 'circom2', 'cli.js');
execFileSync(
  process.execPath,
  [circom, 'circuits/vote.circom', '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', 'circuits/build'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
copyFileSync(join(out, 'vote_js', 'vote.wasm'), join(out, 'vote.wasm'));
rmSync(join(out, 'vote_js'), { recursive: true, force: true });
process.stdout.write(`compiled to ${out}\n`);
