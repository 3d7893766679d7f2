// The binary depth-20 vote circuit (circuits/baseline/vote-binary.circom) the zk benchmark compares with: compiled
// and given a development setup (2^13 powers of tau) on first use, then cached in circuits/baseline/build/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { devSetup } from '../scripts/dev-setup.js';
import { getPoseidon } from '../src/identity/index.js';

const root = join(import.meta.dirname, '..');
const out = join(root, 'circuits', 'baseline', 'build');
export const BINARY_DEPTH = 20;

/** Paths of the baseline's witness calculator and proving key, built if missing. */
export function binaryBaseline(): { wasm: string; zkey: string } {
  const wasm = join(out, 'vote-binary.wasm');
  const zkey = join(out, 'vote-binary.zkey');
  if (existsSync(wasm) && existsSync(zkey)) return { wasm, zkey };
  process.stderr.write('zk bench: building the binary depth-20 baseline circuit once (a few minutes)\n');
  mkdirSync(out, { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules', 'circom2', 'cli.js'),
      'circuits/baseline/vote-binary.circom',
      '--r1cs',
      '--wasm',
      '--O2',
      '-l',
      'node_modules',
      '-o',
      'circuits/baseline/build',
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  copyFileSync(join(out, 'vote-binary_js', 'vote-binary.wasm'), wasm);
  const setup = devSetup(join(out, 'vote-binary.r1cs'), 13, join(out, 'setup'), 'agora402 baseline');
  copyFileSync(setup.zkey, zkey);
  return { wasm, zkey };
}

/** Circuit input for one member placed first in an otherwise empty binary tree. */
export async function binaryInput(
  secret: bigint,
  commitment: bigint,
  weight: bigint,
  scope: bigint,
): Promise<Record<string, string | string[]>> {
  const poseidon = await getPoseidon();
  let node = poseidon.hash([commitment, weight]);
  let empty = 0n;
  const siblings: bigint[] = [];
  for (let level = 0; level < BINARY_DEPTH; level++) {
    siblings.push(empty);
    node = poseidon.hash([node, empty]);
    empty = poseidon.hash([empty, empty]);
  }
  return {
    root: node.toString(),
    scope: scope.toString(),
    vote: '7',
    votingWeight: weight.toString(),
    secret: secret.toString(),
    weight: weight.toString(),
    pathIndices: siblings.map(() => '0'),
    siblings: siblings.map(String),
  };
}
