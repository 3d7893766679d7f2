// Compiles circuits/<name>.circom with circom2 (WebAssembly, --O2) into circuits/build/: <name>.r1cs and <name>.wasm,
// for each name given (default: every circuit, `vote` and `panel`). Run from the project root: circom2's sandbox only
// reads files below the working directory.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const out = join(root, 'circuits', 'build');
const names = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
mkdirSync(out, { recursive: true });
const circom = join(root, 'node_modules', 'circom2', 'cli.js');
for (const name of names.length === 0 ? ['vote', 'panel'] : names) {
  for (const file of [`${name}.r1cs`, `${name}.wasm`]) rmSync(join(out, file), { force: true });
  execFileSync(
    process.execPath,
    [
      circom,
      `circuits/${name}.circom`,
      '--r1cs',
      '--wasm',
      '--O2',
      '-l',
      'node_modules',
      '-o',
      'circuits/build',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  copyFileSync(join(out, `${name}_js`, `${name}.wasm`), join(out, `${name}.wasm`));
  rmSync(join(out, `${name}_js`), { recursive: true, force: true });
}
process.stdout.write(`compiled to ${out}\n`);
