// Development trusted setup for a circuit (npm run ceremony; `--circuit panel` for the jurors' panel circuit, default
// `vote`): compiles it, runs a one-party powers of tau (2^12) and Groth16 phase 2, and writes its files into
// circuits/artifacts/, updating their SHA-256 in checksums.json (other circuits' entries kept). A single party knows the
// toxic waste here: use docs/ceremony.md for a real multi-party ceremony before trusting votes. With `--reuse-phase1`,
// the committed pot12_final.ptau is kept (phase 1 does not depend on the circuit) and only phase 2 runs again.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devPhase2, devSetup } from './dev-setup.js';

const root = join(import.meta.dirname, '..');
const build = join(root, 'circuits', 'build');
const artifacts = join(root, 'circuits', 'artifacts');
const work = join(build, 'ceremony');
const flag = process.argv.indexOf('--circuit');
const circuit = flag === -1 ? 'vote' : (process.argv[flag + 1] ?? 'vote');
execFileSync(
  process.execPath,
  [
    join(import.meta.dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(import.meta.dirname, 'build-circuit.ts'),
    circuit,
  ],
  { stdio: 'inherit' },
);
const setup = process.argv.includes('--reuse-phase1')
  ? (() => {
      mkdirSync(work, { recursive: true });
      const ptau = join(work, 'pot12_final.ptau');
      copyFileSync(join(artifacts, 'pot12_final.ptau'), ptau);
      return devPhase2(join(build, `${circuit}.r1cs`), ptau, work, 'agora402 dev');
    })()
  : devSetup(join(build, `${circuit}.r1cs`), 12, work, 'agora402 dev');

mkdirSync(artifacts, { recursive: true });
// The vote circuit's verifying key keeps its historical name; others are prefixed with the circuit's.
const files: Record<string, string> = {
  [`${circuit}.wasm`]: join(build, `${circuit}.wasm`),
  [`${circuit}.r1cs`]: join(build, `${circuit}.r1cs`),
  [`${circuit}.zkey`]: setup.zkey,
  [circuit === 'vote' ? 'verification_key.json' : `${circuit}_verification_key.json`]: setup.verificationKey,
  'pot12_final.ptau': setup.ptau,
};
const listed = join(artifacts, 'checksums.json');
const checksums: Record<string, string> = existsSync(listed) ? JSON.parse(readFileSync(listed, 'utf8')) : {};
for (const [name, path] of Object.entries(files)) {
  copyFileSync(path, join(artifacts, name));
  checksums[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
}
writeFileSync(join(artifacts, 'checksums.json'), `${JSON.stringify(checksums, null, 2)}\n`);
process.stdout.write(`artifacts written to ${artifacts}\n`);
