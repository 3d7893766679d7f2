import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/cli/command.js';
import { commandIndex } from '../../src/cli/command-index.js';

const dir = join(import.meta.dirname, '../../src/cli/commands');

function isCommand(value: unknown): value is Command {
  return (
    typeof value === 'object' && value !== null && 'run' in value && 'name' in value && 'summary' in value
  );
}

describe('the CLI command index', () => {
  it('names every command the modules in commands/ export, once, with its own summary', async () => {
    const exported: Command[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const module = (await import(join(dir, file))) as Record<string, unknown>;
      exported.push(...Object.values(module).filter(isCommand));
    }
    const byName = (list: readonly { name: string; summary: string }[]) =>
      list.map(({ name, summary }) => ({ name, summary })).sort((a, b) => a.name.localeCompare(b.name));
    expect(byName(commandIndex)).toEqual(byName(exported));
    expect(new Set(commandIndex.map((c) => c.name)).size).toBe(commandIndex.length);
  });

  it('loads, for each entry, the command it lists', async () => {
    for (const entry of commandIndex) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({
        name: entry.name,
        summary: entry.summary,
      });
    }
  });
});
