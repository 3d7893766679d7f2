// npm run bench -- <name> [<name>...]: runs the named benchmarks (all when none is named), JSON lines on stdout.
const benches: Record<string, () => Promise<{ default: () => Promise<void> }>> = {
  imports: () => import('./imports.js'),
  ledger: () => import('./ledger.js'),
  lightning: () => import('./lightning.js'),
  l402: () => import('./l402.js'),
  reputation: () => import('./reputation.js'),
  zk: () => import('./zk.js'),
  governance: () => import('./governance.js'),
  simulate: () => import('./simulate.js'),
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
  await module.default();
}
