import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends the run with the plain line "Tests: N passed, N failed, N skipped" that any CI log reader understands, after
 * listing every skipped test with its reason. A file that failed outside its tests (it threw while loading) and an
 * unhandled error count as failures too: the line must never read "0 failed" on a run that exits non-zero.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
  ): void {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    const skips: string[] = [];
    let failedFiles = 0;
    // A file whose worker died (a crash, a kill, process.exit) never finishes: name it, or the log cannot say which.
    const unfinished: string[] = [];
    for (const module of testModules) {
      const state = module.state();
      if (state === 'queued' || state === 'pending')
        unfinished.push(`  ${module.moduleId.replace(`${process.cwd()}/`, '')} (${state})`);
      // Errors outside any test: the file threw while loading, or a suite's hook failed.
      const suites = [module, ...module.children.allSuites()];
      if (suites.some((suite) => suite.errors().length > 0)) failedFiles += 1;
      for (const test of module.children.allTests()) {
        const result = test.result();
        counts[result.state] += 1;
        if (result.state === 'skipped')
          skips.push(
            `  ${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}: ${result.note ?? 'skipped'}`,
          );
      }
    }
    if (skips.length > 0) process.stdout.write(`\nSkipped:\n${skips.join('\n')}\n`);
    if (unfinished.length > 0)
      process.stdout.write(`\nFiles that did not finish:\n${unfinished.join('\n')}\n`);
    const failed = counts.failed + failedFiles + unhandledErrors.length;
    const causes = [
      failedFiles > 0 ? `${failedFiles} file${failedFiles === 1 ? '' : 's'} failed outside tests` : '',
      unhandledErrors.length > 0
        ? `${unhandledErrors.length} unhandled error${unhandledErrors.length === 1 ? '' : 's'}`
        : '',
    ].filter((cause) => cause !== '');
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped${causes.length > 0 ? ` (${causes.join(', ')})` : ''}\n`,
    );
  }
}
