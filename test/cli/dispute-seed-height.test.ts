// `agora dispute open` and `appeal` take a seed height whose block must be dated `seedBlockDelay` (4 hours) after the
// event fixing it is public: an earlier one voids a first round and forfeits an appeal's bond. Where the ledger follows
// a chain, a height within 72 blocks of its tip is refused before anything is signed; the help states the rule.
import { sha256 } from '@noble/hashes/sha2.js';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  anchorEventTypes,
  blockWork,
  type Checkpoint,
  createAnchorHeaders,
  parseBlockHeader,
} from '../../src/anchor/index.js';
import { seedHeight } from '../../src/cli/commands/dispute.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger } from '../../src/ledger/index.js';
import { mineHeader } from '../anchor/regtest-chain.js';
import { rejectedAgoraError } from '../helpers.js';
import { agora } from './harness.js';

const T = 1_700_000_000;
const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('seed checkpoint'))), T);
const checkpoint: Checkpoint = {
  height: 900_000,
  hash: parseBlockHeader(top).hash,
  header: top,
  chainWork: 1000n,
};

describe('a dispute seed height', () => {
  it('within 72 blocks of the tip the ledger follows is refused; one beyond, or with no chain followed, is taken', async () => {
    const registry = new EventRegistry(anchorEventTypes({ chain: 'regtest', checkpoint }), {
      chain: 'regtest',
    });
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry });
    try {
      // No header recorded past the checkpoint: its own height is the tip.
      expect((await seedHeight(ledger, { 'seed-height': '900073' })).height).toBe(900_073);
      const headers: string[] = [top];
      for (let n = 1; n <= 10; n++)
        headers.push(
          mineHeader(
            parseBlockHeader(headers[n - 1] as string).hash,
            toHex(sha256(utf8(`b ${n}`))),
            T + 600 * n,
          ),
        );
      await ledger.append(
        createAnchorHeaders(generateAgentKey(), {
          height: 900_000,
          headers,
          chainWork: (1000n + 10n * blockWork(0x207fffff)).toString(),
        }),
      );
      const refused = await rejectedAgoraError(
        seedHeight(ledger, { 'seed-height': '900082' }),
        ErrorCode.InvalidState,
      );
      expect(refused.message).toMatch(
        /within 72 blocks of the tip this ledger knows \(900010\).*name 900083 or more/,
      );
      expect(await seedHeight(ledger, { 'seed-height': '900083' })).toEqual({
        height: 900_083,
        tip: 900_010,
      });
    } finally {
      await ledger.close();
    }
    // A ledger following no chain (regtest without a checkpoint) cannot tell: the height is the caller's.
    const plain = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry(anchorEventTypes('regtest'), { chain: 'regtest' }),
    });
    try {
      expect(await seedHeight(plain, { 'seed-height': '5' })).toEqual({ height: 5, tip: undefined });
    } finally {
      await plain.close();
    }
  });

  it('is explained in the help of open and appeal: 4 hours after publication, the tip plus 72', async () => {
    for (const command of ['open', 'appeal']) {
      const { code, stdout } = await agora(['dispute', command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/mined at least 4 hours after this event is published/);
      expect(stdout).toMatch(/forfeits an appeal's bond/);
      expect(stdout).toMatch(/the tip plus 72 or more/);
    }
    const { stdout } = await agora(['dispute', 'appeal', '--help']);
    expect(stdout).toMatch(/mined a day before the appeal round's voting close/);
  });
});
