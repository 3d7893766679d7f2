import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agora } from '../cli/harness.js';

// A ledger file from a peer (or a relay) is attacker text: its bytes must never reach the terminal raw, where escape
// sequences can rewrite what the user sees (clear the screen, fake a success line, set the window title).
describe('attack: terminal escape sequences in an imported file', () => {
  it('comes back escaped in the one-line error, with no control character', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-attack-tty-'));
    try {
      const home = join(dir, 'victim');
      expect((await agora(['init', '--home', home])).code).toBe(0);
      const file = join(dir, 'evil.jsonl');
      // ESC [2J clears the screen; ESC ]0; sets the title; BEL; then a fake success message.
      await writeFile(file, '\u001b[2J\u001b]0;owned\u0007imported 999 new events\n');
      const outcome = await agora(['ledger', 'import', file, '--home', home]);
      expect(outcome.code).toBe(1);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be printed.
      expect(outcome.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(outcome.stderr).toMatch(/\\u001b\[2J/);
      expect(outcome.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
