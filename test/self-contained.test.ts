import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && existsSync(join(root, file)));
const text = (file: string) => readFileSync(join(root, file), 'utf8');

describe('the repository is self-contained', () => {
  it('every relative link in its Markdown files leads to a file inside it', () => {
    const broken: string[] = [];
    for (const file of tracked.filter((f) => f.endsWith('.md'))) {
      for (const [, target] of text(file).matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        if (target === undefined || /^[a-z]+:/i.test(target)) continue;
        const path = resolve(root, dirname(file), target);
        if (relative(root, path).startsWith('..') || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('no file cites design notes kept outside it', () => {
    const citing = tracked
      .filter((f) => /\.(md|ts|json|sh)$/.test(f) && f !== 'test/self-contained.test.ts')
      .filter((f) => text(f).includes('DESIGN.md'));
    expect(citing).toEqual([]);
  });
});
