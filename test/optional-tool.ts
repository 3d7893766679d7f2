import type { TestContext } from 'vitest';

/**
 * The environment variable that turns a skip for a missing optional system tool into a failure. `.ci/run` sets it
 * after installing the tools, so CI cannot go green with a check that silently did not run.
 */
export const REQUIRE_OPTIONAL_TOOLS = 'AGORA_REQUIRE_OPTIONAL_TOOLS';

/**
 * Lets a test that needs an optional system tool (a Python library, a browser) run on any machine: without the tool
 * the test is skipped with `reason` (printed in the run's closing summary); with `AGORA_REQUIRE_OPTIONAL_TOOLS=1` the
 * missing tool fails the test instead.
 */
export function needsTool(context: TestContext, available: boolean, reason: string): void {
  if (available) return;
  if (process.env[REQUIRE_OPTIONAL_TOOLS] === '1')
    throw new Error(`${REQUIRE_OPTIONAL_TOOLS}=1 but a required tool is missing: ${reason}`);
  context.skip(reason);
}
