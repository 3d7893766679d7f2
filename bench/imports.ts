import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, report } from './report.js';

const BENCH = 'imports';
const RUNS = 5;
const root = join(import.meta.dirname, '..');

/**
 * The cost of importing each subpath of the built package (dist/), each in a fresh node process so that nothing is
 * cached: the import's wall time and the process's resident memory after it. The CLI's `--help` is timed as a whole
 * process (wall and CPU time of the child), against an empty node process as the baseline measured in the same run.
 */
export default async function importsBench(): Promise<void> {
  if (!existsSync(join(root, 'dist/index.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const subpaths = Object.keys(manifest.exports).filter((key) => !key.endsWith('.json'));
  for (const subpath of subpaths) {
    const specifier = `${manifest.name}${subpath.slice(1)}`;
    // The package imports itself by name (self-reference through "exports"), as a consumer would.
    const script = `const t = performance.now(); const c = process.cpuUsage(); await import(${JSON.stringify(specifier)}); const u = process.cpuUsage(c); const s = (performance.now() - t) / 1000; process.stdout.write(JSON.stringify({ s, cpu: (u.user + u.system) / 1e6, rss: process.memoryUsage().rss }));`;
    const runs = Array.from({ length: RUNS }, () => {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
      return JSON.parse(out.toString()) as { s: number; cpu: number; rss: number };
    });
    report({ bench: BENCH, metric: `${specifier} import`, value: median(runs.map((r) => r.s)), unit: 's' });
    // CPU time as well: on a shared machine the wall time mostly measures the neighbours.
    report({
      bench: BENCH,
      metric: `${specifier} import cpu`,
      value: median(runs.map((r) => r.cpu)),
      unit: 's',
    });
    report({
      bench: BENCH,
      metric: `${specifier} rss`,
      value: median(runs.map((r) => r.rss)) / 2 ** 20,
      unit: 'MB',
    });
  }
  // The child reports its own CPU time on exit (user + system, from process start).
  const cpuOnExit = `process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('cpu ' + (u.user + u.system) / 1e6 + '\\n'); });`;
  const processCost = (args: string[]) => {
    const runs = Array.from({ length: RUNS }, () => {
      const start = performance.now();
      const child = spawnSync(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(cpuOnExit)}`, ...args],
        {
          cwd: root,
          encoding: 'utf8',
        },
      );
      if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${child.stderr}`);
      const cpu = Number(/cpu ([\d.e-]+)/.exec(child.stderr)?.[1]);
      return { s: (performance.now() - start) / 1000, cpu };
    });
    return { s: median(runs.map((r) => r.s)), cpu: median(runs.map((r) => r.cpu)) };
  };
  const empty = processCost(['-e', '']);
  const help = processCost([join(root, 'dist/cli/main.js'), '--help']);
  report({ bench: BENCH, metric: 'agora --help process', value: help.s, unit: 's', baseline: empty.s });
  report({
    bench: BENCH,
    metric: 'agora --help process cpu',
    value: help.cpu,
    unit: 's',
    baseline: empty.cpu,
  });
}
