// Development trusted setup for the vote circuit (npm run ceremony): compiles the circuit, runs a one-party powers of
// tau (2^12) and Groth16 phase 2, and writes circuits/artifacts/ with SHA-256 checksums. A single party knows the
// toxic waste here: use docs/ceremony.md for a real multi-party ceremony before trusting votes. With `--reuse-phase1`,
// the committed pot12_final.ptau is kept (phase 1 does not depend on the circuit) and only phase 2 runs again.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devPhase2, devSetup } from './dev-setup.js';

const root = join(import.meta.dirname, '..');
const build = join(root, 'circuits', 'build');
const artifacts = join(root, 'circuits', 'artifacts');
const work = join(build, 'ceremony');
execFileSync(
  process.execPath,
  [
    join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(import.meta.dirname, 'build-circuit.ts'),
  ],
  { stdio: 'inherit' },
);
const setup = process.argv.includes('--reuse-phase1')
  ? (() => {
      mkdirSync(work, { recursive: true });
      const ptau = join(work, 'pot12_final.ptau');
      copyFileSync(join(artifacts, 'pot12_final.ptau'), ptau);
      return devPhase2(join(build, 'vote.r1cs'), ptau, work, 'agora402 dev');
    })()
  : devSetup(join(build, 'vote.r1cs'), 12, work, 'agora402 dev');

mkdirSync(artifacts, { recursive: true });
const files: Record<string, string> = {
  'vote.wasm': join(build, 'vote.wasm'),
  'vote.r1cs': join(build, 'vote.r1cs'),
  'vote.zkey': setup.zkey,
  'verification_key.json': setup.verificationKey,
  'pot12_final.ptau': setup.ptau,
};
const checksums: Record<string, string> = {};
for (const [name, path] of Object.entries(files)) {
  copyFileSync(path, join(artifacts, name));
  checksums[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
}
writeFileSync(join(artifacts, 'checksums.json'), `${JSON.stringify(checksums, null, 2)}\n`);
process.stdout.write(`artifacts written to ${artifacts}\n`);
