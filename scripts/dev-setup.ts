// A one-party Groth16 setup with snarkjs's CLI: powers of tau of 2^power, phase 2 for one r1cs. Used by
// `npm run ceremony` (the committed development artifacts) and by the zk benchmark's baseline circuit. One party knows
// the toxic waste: docs/ceremony.md describes a real multi-party ceremony.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const snarkjs = join(root, 'node_modules', 'snarkjs', 'build', 'cli.cjs');

/** Files a development setup leaves in its work directory. */
export interface DevSetup {
  readonly zkey: string;
  readonly verificationKey: string;
  readonly ptau: string;
}

/** Runs the setup for `r1cs` in `work` (emptied first); each snarkjs command is echoed on stderr. */
export function devSetup(r1cs: string, power: number, work: string, label: string): DevSetup {
  const run = runner(work);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  run('powersoftau', 'new', 'bn128', String(power), 'pot_0000.ptau');
  run(
    'powersoftau',
    'contribute',
    'pot_0000.ptau',
    'pot_0001.ptau',
    `--name=${label} phase 1`,
    `-e=${entropy()}`,
  );
  run('powersoftau', 'prepare', 'phase2', 'pot_0001.ptau', 'pot_final.ptau');
  return devPhase2(r1cs, join(work, 'pot_final.ptau'), work, label);
}

/**
 * Phase 2 only, on a phase 1 already prepared (`ptau`, which does not depend on the circuit): what a changed circuit
 * needs when the committed powers of tau are large enough. `work` must exist.
 */
export function devPhase2(r1cs: string, ptau: string, work: string, label: string): DevSetup {
  const run = runner(work);
  run('groth16', 'setup', r1cs, ptau, 'circuit_0000.zkey');
  run(
    'zkey',
    'contribute',
    'circuit_0000.zkey',
    'circuit.zkey',
    `--name=${label} phase 2`,
    `-e=${entropy()}`,
  );
  run('zkey', 'export', 'verificationkey', 'circuit.zkey', 'verification_key.json');
  run('zkey', 'verify', r1cs, ptau, 'circuit.zkey');
  return {
    zkey: join(work, 'circuit.zkey'),
    verificationKey: join(work, 'verification_key.json'),
    ptau,
  };
}

const entropy = () => randomBytes(32).toString('hex');

const runner =
  (work: string) =>
  (...args: string[]) => {
    process.stderr.write(`$ snarkjs ${args.join(' ')}\n`);
    execFileSync(process.execPath, [snarkjs, ...args], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  };
