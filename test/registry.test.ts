import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../src/cli/home.js';
import { ErrorCode } from '../src/core/index.js';
import type { EventTypeDefinition } from '../src/ledger/index.js';
import { agoraRegistry, defaultEventTypes } from '../src/registry.js';
import { thrownAgoraError } from './helpers.js';

const SRC = join(import.meta.dirname, '..', 'src');

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/**
 * Every event type the source defines, read from the text: an object literal with `type` followed by `auth` (the
 * field only an `EventTypeDefinition` has), its name a literal or a constant declared somewhere in src/.
 */
async function typesInSource(): Promise<Set<string>> {
  const texts = await Promise.all((await sourceFiles(SRC)).map((file) => readFile(file, 'utf8')));
  const constants = new Map<string, string>();
  for (const text of texts)
    for (const [, name, value] of text.matchAll(/const ([A-Z][A-Z0-9_]*) = '([^']+)'/g))
      constants.set(name as string, value as string);
  const types = new Set<string>();
  for (const text of texts)
    for (const [, literal, constant] of text.matchAll(
      /\btype: (?:'([^']+)'|([A-Z][A-Z0-9_]*)),\s*auth: '(?:signature|proof)'/g,
    )) {
      const name = literal ?? constants.get(constant as string);
      expect(name, `the constant ${constant} is declared in src/`).toBeDefined();
      types.add(name as string);
    }
  return types;
}

const isDefinition = (value: unknown): value is EventTypeDefinition =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as EventTypeDefinition).type === 'string' &&
  ((value as EventTypeDefinition).auth === 'signature' || (value as EventTypeDefinition).auth === 'proof') &&
  typeof (value as EventTypeDefinition).verify === 'function';

/** Every event type a layer's entry point exports: definitions, lists of them, and `*Type(s)`/`*TypeFor` factories. */
async function typesExported(): Promise<Set<string>> {
  const types = new Set<string>();
  const barrels = (await sourceFiles(SRC)).filter((file) => file.endsWith(`${sep}index.ts`));
  for (const barrel of barrels) {
    const exports = (await import(barrel)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      const found =
        typeof value === 'function' && /Types?$|TypeFor$/.test(name) && value.length === 0
          ? (value as () => unknown)()
          : value;
      for (const candidate of Array.isArray(found) ? found : [found])
        if (isDefinition(candidate)) types.add(candidate.type);
    }
  }
  return types;
}

describe('the ready-made registry', () => {
  it('holds every event type defined in src/, found in the text and among the exports', async () => {
    const registered = agoraRegistry().types();
    const inSource = await typesInSource();
    const exported = await typesExported();
    // The scans found the types every layer is known to define, so an empty or broken scan cannot pass.
    for (const type of ['agent.registered', 'receipt', 'stake.locked', 'delegation.set', 'proposal.canceled'])
      expect(inSource.has(type) && exported.has(type), type).toBe(true);
    expect(registered).toEqual([...inSource].sort());
    expect(registered).toEqual([...exported].sort());
  }, 60_000);

  it('is what the CLI opens its home ledger with', () => {
    expect(defaultRegistry().types()).toEqual(agoraRegistry().types());
    expect(defaultRegistry('regtest').types()).toEqual(agoraRegistry({ network: 'regtest' }).types());
  });

  it("checks anchors against the configured network's rules", () => {
    // Header runs are recorded only where a checkpoint pins the chain (bitcoin by default); regtest has none.
    expect(agoraRegistry().types()).toContain('anchor.headers');
    expect(agoraRegistry({ network: 'regtest' }).types()).not.toContain('anchor.headers');
    // One definition per type (a registry refuses a second), the same list the registry holds.
    const listed = defaultEventTypes({ network: 'signet' }).map((definition) => definition.type);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(agoraRegistry({ network: 'signet' }).types());
    thrownAgoraError(() => agoraRegistry().get('no.such.type'), ErrorCode.UnknownEventType);
  });
});
