import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const MARKER = '// README snippet:\n';

describe('README snippets', () => {
  it('each TypeScript snippet is the tail of a file in examples/readme/ (which the type-check compiles), and back', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    const dir = join(root, 'examples/readme');
    const files = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => {
        const text = readFileSync(join(dir, file), 'utf8');
        const at = text.indexOf(MARKER);
        expect(at, `${file} has no "${MARKER.trim()}" line`).toBeGreaterThanOrEqual(0);
        return text.slice(at + MARKER.length);
      });
    expect(snippets.length).toBeGreaterThan(0);
    expect([...snippets].sort()).toEqual([...files].sort());
  });
});
