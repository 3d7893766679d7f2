import { readFileSync } from 'node:fs';

/** This build's version, from its package.json (two levels up from src/cli and from dist/cli alike). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
