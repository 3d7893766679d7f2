// Development trusted setup for the vote circuit (npm run ceremony): compiles the circuit, runs a one-party powers of
// tau (2^12) and Groth16 phase 2, and writes circuits/artifacts/ with SHA-256 checksums. A single party knows the
// toxic waste here: use docs/ceremony.md for a real multi-party ceremony before trusting votes.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const build = join(root, 'circuits', 'build');
const artifacts = join(root, 'circuits', 'artifacts');
const work = join(build, 'ceremony');
const snarkjs = join(root, 'node_modules', 'snarkjs', 'build', 'cli.cjs');
const run = (...args: string[]) => {
  process.stderr.write(`$ snarkjs ${args.join(' ')}\n`);
  execFileSync(process.execPath, [snarkjs, ...args], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
};

execFileSync(
  process.execPath,
  [
    join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(import.meta.dirname, 'build-circuit.ts'),
  ],
  { stdio: 'inherit' },
);
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const entropy = () => randomBytes(32).toString('hex');
run('powersoftau', 'new', 'bn128', '12', 'pot_0000.ptau');
run(
  'powersoftau',
  'contribute',
  'pot_0000.ptau',
  'pot_0001.ptau',
  '--name=agora402 dev phase 1',
  `-e=${entropy()}`,
);
run('powersoftau', 'prepare', 'phase2', 'pot_0001.ptau', 'pot_final.ptau');
run('groth16', 'setup', join(build, 'vote.r1cs'), 'pot_final.ptau', 'vote_0000.zkey');
run('zkey', 'contribute', 'vote_0000.zkey', 'vote.zkey', '--name=agora402 dev phase 2', `-e=${entropy()}`);
run('zkey', 'export', 'verificationkey', 'vote.zkey', 'verification_key.json');
run('zkey', 'verify', join(build, 'vote.r1cs'), 'pot_final.ptau', 'vote.zkey');

mkdirSync(artifacts, { recursive: true });
const files: Record<string, string> = {
  'vote.wasm': join(build, 'vote.wasm'),
  'vote.r1cs': join(build, 'vote.r1cs'),
  'vote.zkey': join(work, 'vote.zkey'),
  'verification_key.json': join(work, 'verification_key.json'),
  'pot12_final.ptau': join(work, 'pot_final.ptau'),
};
const checksums: Record<string, string> = {};
for (const [name, path] of Object.entries(files)) {
  copyFileSync(path, join(artifacts, name));
  checksums[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
}
writeFileSync(join(artifacts, 'checksums.json'), `${JSON.stringify(checksums, null, 2)}\n`);
process.stdout.write(`artifacts written to ${artifacts}\n`);
