import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLevel } from 'memory-level';
import { Ledger } from '../../src/ledger/index.js';
import { ledgerConformance } from './conformance.js';
import { testRegistry } from './fixtures.js';

ledgerConformance(
  'LevelDB (level)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agora-ledger-'));
    return {
      open: () => Ledger.open(dir, { registry: testRegistry() }),
      destroy: () => rm(dir, { recursive: true, force: true }),
    };
  },
  { reopen: true },
);

ledgerConformance(
  'memory-level',
  async () => {
    const db = new MemoryLevel<string, string>();
    return {
      open: () => Ledger.fromLevel(db, { registry: testRegistry() }),
      destroy: async () => {},
    };
  },
  { reopen: true },
);
