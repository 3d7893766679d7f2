// npm run bench -- <name> [<name>...]: runs the named benchmarks (all when none is named), JSON lines on stdout.
// Before each benchmark the fixed reference workload (bench/reference.ts) is measured and reported under that
// benchmark's name; its figures without a same-run baseline are then also given as ratios to it.
import { measureReference } from './reference.js';
import { REFERENCE_NAME, report, setReference } from './report.js';

const benches: Record<string, () => Promise<{ default: () => Promise<void> }>> = {
  imports: () => import('./imports.js'),
  ledger: () => import('./ledger.js'),
  lightning: () => import('./lightning.js'),
  l402: () => import('./l402.js'),
  reputation: () => import('./reputation.js'),
  zk: () => import('./zk.js'),
  governance: () => import('./governance.js'),
  disputes: () => import('./disputes.js'),
  simulate: () => import('./simulate.js'),
  purchase: () => import('./purchase.js'),
  sync: () => import('./sync.js'),
};

const names = process.argv.slice(2);
for (const name of names) {
  if (!(name in benches)) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
}
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const module = await (benches[name] as () => Promise<{ default: () => Promise<void> }>)();
  const reference = await measureReference();
  setReference(reference.schnorrPerSecond);
  report({
    bench: name,
    metric: `reference_${REFERENCE_NAME}`,
    value: reference.schnorrPerSecond,
    unit: 'verifications/s',
    note: 'fixed workload: noble schnorr.verify of 64 fixed signatures, median of 5 runs',
  });
  report({
    bench: name,
    metric: 'reference_snarkjs_groth16_verify',
    value: reference.groth16VerifySeconds,
    unit: 's',
    note: 'fixed workload: snarkjs.groth16.verify of bench/fixtures/reference-proof.json, median of 5',
  });
  await module.default();
}
