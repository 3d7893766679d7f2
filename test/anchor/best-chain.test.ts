import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  anchorEventTypes,
  anchorStatus,
  bestChain,
  blockWork,
  type Checkpoint,
  createAnchorCommitted,
  createAnchorConfirmed,
  createAnchorHeaders,
  type HeaderRun,
  parseBlockHeader,
  seedBlocks,
  settledChainTime,
} from '../../src/anchor/index.js';
import { toHex, utf8 } from '../../src/core/index.js';
import { proposalCreatedType } from '../../src/governance/index.js';
import { generateAgentKey } from '../../src/identity/index.js';
import { EventRegistry, Ledger } from '../../src/ledger/index.js';
import { closedProposal, forgedAnchor, NOW } from '../attacks/anchor-fixture.js';
import { electorateTypes } from '../fixtures/electorate.js';
import { mineHeader } from './regtest-chain.js';

const T = 1_231_006_000;
const WORK = blockWork(0x207fffff);
const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('checkpoint'))), T);
const checkpoint: Checkpoint = {
  height: 100,
  hash: parseBlockHeader(top).hash,
  header: top,
  chainWork: 1000n,
};

/** `count` headers mined on `after` (a header), the n-th dated `time(n)`, labeled so forks differ. */
function extend(after: string, count: number, label: string, time = (n: number) => T + 600 * n): string[] {
  const headers: string[] = [];
  for (let n = 1; n <= count; n++) {
    const previous = parseBlockHeader(headers[n - 2] ?? after).hash;
    headers.push(mineHeader(previous, toHex(sha256(utf8(`${label} ${n}`))), time(n)));
  }
  return headers;
}

/** The run from the checkpoint through `headers`. */
const runOf = (headers: readonly string[]): HeaderRun => ({
  height: 100,
  headers: [top, ...headers],
  chainWork: (1000n + BigInt(headers.length) * WORK).toString(),
});
const hashOf = (header: string | undefined) => parseBlockHeader(header as string).hash;

describe('the best chain', () => {
  const a = extend(top, 3, 'a');
  const b = extend(top, 2, 'b');

  it('is the one of most work, whatever forks and shorter runs of it are recorded', () => {
    const chain = bestChain([runOf(b), runOf(a.slice(0, 1)), runOf(a), runOf(a.slice(0, 2))], T);
    expect(chain?.tip).toEqual({ hash: hashOf(a[2]), height: 103, chainWork: 1000n + 3n * WORK });
    expect(chain?.hashAt(101)).toBe(hashOf(a[0]));
    expect(chain?.hashAt(100)).toBe(checkpoint.hash);
    expect(chain?.hashAt(104)).toBeUndefined();
    expect(chain?.confirmations(101)).toBe(3);
    expect(chain?.confirmations(104)).toBe(0);
    expect(bestChain([], T)).toBeUndefined();
  });

  it('counts no block dated more than 2 hours after now, nor any above it, until now reaches it', () => {
    const later = T + 600 * 3 + 50_000;
    // A longer fork whose second block is dated far ahead of the rest.
    const ahead = extend(top, 4, 'ahead', (n) => (n === 2 ? later : T + 600 * n));
    const runs = [runOf(a), runOf(ahead)];
    const now = T + 600 * 4;
    expect(bestChain(runs, now)?.tip.hash).toBe(hashOf(a[2]));
    expect(bestChain(runs, later - 7_201)?.tip.hash).toBe(hashOf(a[2]));
    // Two hours is Bitcoin's tolerance: dated exactly that far ahead, it counts.
    expect(bestChain(runs, later - 7_200)?.tip.hash).toBe(hashOf(ahead[3]));
  });

  it('is the same whatever order its runs came in, ties going to the lowest tip hash', () => {
    // Forks off several blocks, several of equal work (regtest blocks all carry the same work).
    const c = [...a.slice(0, 1), ...extend(a[0] as string, 2, 'c')];
    const d = [...b, ...extend(b[1] as string, 1, 'd')];
    const e = [...a.slice(0, 2), ...extend(a[1] as string, 2, 'e')];
    const f = [...b.slice(0, 1), ...extend(b[0] as string, 3, 'f')];
    const branches = [a, b, c, d, e, f, a.slice(0, 2), e.slice(0, 3)];
    const reference = (chosen: readonly (readonly string[])[]) => {
      const tips = chosen.map((headers) => ({ height: headers.length, hash: hashOf(headers.at(-1)) }));
      return tips.sort((x, y) => y.height - x.height || (x.hash < y.hash ? -1 : 1))[0]?.hash;
    };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: branches.length - 1 }), { minLength: 1, maxLength: 12 }),
        (picks) => {
          const chosen = picks.map((i) => branches[i] as string[]);
          const forward = bestChain(chosen.map(runOf), T);
          const backward = bestChain([...chosen].reverse().map(runOf), T);
          const sorted = bestChain(
            [...new Set(picks)].sort().map((i) => runOf(branches[i] as string[])),
            T,
          );
          expect(forward?.tip.hash).toBe(reference(chosen));
          expect(backward?.tip).toEqual(forward?.tip);
          expect(sorted?.tip).toEqual(forward?.tip);
          for (let height = 100; height <= 104; height++)
            expect(backward?.hashAt(height)).toBe(forward?.hashAt(height));
        },
      ),
    );
  });
});

describe('an anchor on a ledger with a checkpoint', () => {
  it('counts with the network confirmations on the heaviest chain, and stops counting when a reorg moves it', async () => {
    const registry = new EventRegistry(
      [...electorateTypes, proposalCreatedType, ...anchorEventTypes({ chain: 'regtest', checkpoint })],
      { chain: 'regtest', confirmations: 3 },
    );
    const { ledger, proposalId, commitment } = await closedProposal(registry);
    try {
      const agent = generateAgentKey();
      const { tx, branch, headers } = forgedAnchor(commitment, checkpoint.hash, 2);
      const record = (run: readonly string[]) => ledger.append(createAnchorHeaders(agent, runOf(run)));
      const status = () => anchorStatus(ledger, proposalId, NOW, { network: 'regtest' });
      await record(headers);
      const { id: committed } = await ledger.append(
        createAnchorCommitted(agent, { proposal: proposalId, commitment, txid: tx.txid, chain: 'regtest' }),
      );
      await ledger.append(
        createAnchorConfirmed(agent, {
          committed,
          proposal: proposalId,
          proof: { tx: tx.hex, branch, height: 101 },
          headers: { 101: headers[0] as string },
        }),
      );
      // Two blocks of the three the network asks for.
      expect((await status()).state).not.toBe('anchored');
      const honest = [...headers, ...extend(headers[1] as string, 3, 'honest', (n) => T + 1_200 + 600 * n)];
      await record(honest.slice(0, 3));
      expect((await status()).confirmed?.confirmations).toBe(3);
      // A heavier fork without the anchor: the anchor is off the best chain.
      await record(extend(top, 4, 'reorg'));
      expect((await status()).state).not.toBe('anchored');
      // The honest chain overtakes it again.
      await record(honest);
      const back = await status();
      expect(back.state).toBe('anchored');
      expect(back.confirmed?.proof.height).toBe(101);
      expect(back.confirmed?.confirmations).toBe(5);
    } finally {
      await ledger.close();
    }
  });
});

describe('the seed blocks of juror draws', () => {
  it("are the heaviest chain's blocks once they have the network's confirmations, a reorg moving them", async () => {
    const registry = new EventRegistry(anchorEventTypes({ chain: 'regtest', checkpoint }), {
      chain: 'regtest',
      confirmations: 3,
    });
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry });
    try {
      const agent = generateAgentKey();
      const record = (run: readonly string[]) => ledger.append(createAnchorHeaders(agent, runOf(run)));
      const seeds = async () =>
        (await seedBlocks(ledger, T + 3_600)) as (height: number) => string | undefined;
      expect((await seeds())(101)).toBeUndefined();
      const a = extend(top, 4, 'seed a');
      await record(a.slice(0, 2));
      // Two blocks from 101 to the tip of the three asked: not settled yet.
      expect((await seeds())(101)).toBeUndefined();
      await record(a.slice(0, 3));
      const settled = await seeds();
      expect([settled(101), settled(102), settled(103)]).toEqual([hashOf(a[0]), undefined, undefined]);
      // A lighter fork changes nothing; a heavier one moves every height it replaces.
      await record(extend(top, 2, 'seed light'));
      expect((await seeds())(101)).toBe(hashOf(a[0]));
      const heavy = extend(top, 4, 'seed heavy');
      await record(heavy);
      expect([(await seeds())(101), (await seeds())(102)]).toEqual([hashOf(heavy[0]), hashOf(heavy[1])]);
      // Blocks dated beyond now + 2 hours are not counted yet, nor the work they would add: with them this fork would
      // be the heaviest.
      await record([...a.slice(0, 3), ...extend(a[2] as string, 2, 'seed future', () => T + 86_400)]);
      expect((await seeds())(101)).toBe(hashOf(heavy[0]));
    } finally {
      await ledger.close();
    }
  });

  it('are not known on a ledger without a checkpoint (any header meeting the least work is taken)', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry(anchorEventTypes('regtest'), { chain: 'regtest' }),
    });
    try {
      expect(await seedBlocks(ledger, T)).toBeUndefined();
    } finally {
      await ledger.close();
    }
  });
});

describe("the settled chain's median time", () => {
  it('is the median of the 11 blocks ending at the settled tip, and minus infinity until 11 are recorded', async () => {
    // Times out of order, as Bitcoin allows: the median, not the tip's own time, bounds every later block.
    const time = (n: number) => T + 600 * n + (n % 3 === 0 ? 3_000 : 0);
    const blocks = extend(top, 16, 'median', time);
    const chain = bestChain([runOf(blocks)], T + 86_400) as NonNullable<ReturnType<typeof bestChain>>;
    const median = (height: number) =>
      Array.from({ length: 11 }, (_, i) => (height - i === 100 ? T : time(height - 100 - i))).sort(
        (x, y) => x - y,
      )[5];
    expect(chain.medianTimePast(116)).toBe(median(116));
    expect(chain.medianTimePast(110)).toBe(median(110));
    // Block 99 is not recorded: no median at 109.
    expect(chain.medianTimePast(109)).toBeUndefined();
    expect(chain.medianTimePast(117)).toBeUndefined();

    const registry = new EventRegistry(anchorEventTypes({ chain: 'regtest', checkpoint }), {
      chain: 'regtest',
      confirmations: 3,
    });
    const ledger = await Ledger.fromLevel(new MemoryLevel(), { registry });
    try {
      const agent = generateAgentKey();
      // Nothing recorded past the checkpoint, then 9 blocks (no 11 up to the settled tip), then 12: the settled tip
      // (3 confirmations) is 110, then 114.
      expect(await settledChainTime(ledger, T + 86_400)).toBe(Number.NEGATIVE_INFINITY);
      await ledger.append(createAnchorHeaders(agent, runOf(blocks.slice(0, 9))));
      expect(await settledChainTime(ledger, T + 86_400)).toBe(Number.NEGATIVE_INFINITY);
      await ledger.append(createAnchorHeaders(agent, runOf(blocks.slice(0, 12))));
      expect(await settledChainTime(ledger, T + 86_400)).toBe(median(110));
      await ledger.append(createAnchorHeaders(agent, runOf(blocks)));
      expect(await settledChainTime(ledger, T + 86_400)).toBe(median(114));
    } finally {
      await ledger.close();
    }
  });

  it('is not known on a ledger without a checkpoint', async () => {
    const ledger = await Ledger.fromLevel(new MemoryLevel(), {
      registry: new EventRegistry(anchorEventTypes('regtest'), { chain: 'regtest' }),
    });
    try {
      expect(await settledChainTime(ledger, T)).toBeUndefined();
    } finally {
      await ledger.close();
    }
  });
});
