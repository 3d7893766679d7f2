import { defineConfig } from 'vitest/config';

/**
 * Whole-system runs that take minutes on a 2-core machine: the simulator's runs (its stories, the pinned result, the
 * dispute phase, gated providers, the report in Chromium), the CLI flows between three homes, the end-to-end
 * governance story, the replicas' order-independence property, replication between two homes over a local Nostr
 * relay, and the ledger killed mid-batch in child processes. `npm test` leaves them out to stay under five
 * minutes; `npm run test:slow` runs exactly these (the property at 200 runs), and CI runs both.
 */
export const SLOW_FILES = [
  'test/sim/simulation.test.ts',
  'test/sim/determinism.test.ts',
  'test/sim/disputes.test.ts',
  'test/sim/gated.test.ts',
  'test/sim/report.test.ts',
  'test/cli/flows.test.ts',
  'test/governance/end-to-end.test.ts',
  'test/governance/replicas.property.test.ts',
  'test/governance/replication-nostr.test.ts',
  'test/ledger/crash.test.ts',
  // Open attacks of the time rule's review that need vote or juror proofs (npm test has no margin for more).
  'test/attacks/dispute-appeal-late.test.ts',
  'test/attacks/governance-withheld-after-grace.test.ts',
];

const slow = process.env.AGORA_TEST_SET === 'slow';

/**
 * Files that run LDK in-process: each keeps its own process. Run in a worker shared with other files, one ran for
 * over ten minutes in a fresh clone (vitest's file order without its results cache) instead of seconds.
 */
const OWN_PROCESS_FILES = [
  'test/lightning/ldk.test.ts',
  'test/lightning/nwc-ldk.test.ts',
  'test/stake/stake-ldk.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Builds dist/ when it is missing or stale: some tests run the built CLI as a process.
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    // Two files at a time even on two cores: most files wait on LevelDB, sockets or the prover's worker threads
    // for much of their time, and vitest's default (cores - 1) would run them one by one.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: slow
      ? [{ extends: true, test: { name: 'slow', include: SLOW_FILES } }]
      : [
          {
            extends: true,
            test: {
              name: 'shared',
              include: ['test/**/*.test.ts'],
              exclude: ['**/node_modules/**', ...SLOW_FILES, ...OWN_PROCESS_FILES],
              // Files share their worker's modules: each file no longer imports the library and loads the circuits
              // again (import time went from 115 s to 16 s, and `npm test` from 7 min 58 s to 3 min 50 s wall in
              // back-to-back runs on the same loaded 2-core machine). No test mocks modules or stubs globals, and
              // shared provers are owned by test/fixtures/zk.ts, never closed by a file.
              isolate: false,
            },
          },
          { extends: true, test: { name: 'own-process', include: OWN_PROCESS_FILES } },
        ],
  },
});
