import { HEADER_TIME_TOLERANCE } from '../core/index.js';
import type { Ledger } from '../ledger/index.js';
import { parseBlockHeader } from './block-header.js';
import { blockWork, type HeaderRun } from './header-chain.js';

// Every `anchor.headers` run a ledger holds was verified on ingest (links, difficulty, work, median time past), and
// forks are kept: anyone may record a run off any verified block. A fork costs real work but may be short and carry
// any time the median allows, so an anchor counts only on the one chain Bitcoin's nodes would follow: the most
// cumulative work. Which chain that is must not depend on the order runs arrived in, or replicas would disagree:
// it is a function of the set of runs and `now` alone, ties broken by the lowest tip hash.

/** Blocks in Bitcoin's median time past. */
const MEDIAN_SPAN = 11;

/** One verified header, as the best-chain choice needs it. */
interface ChainNode {
  readonly hash: string;
  readonly previous: string;
  readonly height: number;
  readonly time: number;
  /** Cumulative work up to and including this block. */
  readonly work: bigint;
}

/** The heaviest verified header chain at some `now`, from the checkpoint to its tip. */
export interface BestChain {
  readonly tip: { readonly hash: string; readonly height: number; readonly chainWork: bigint };
  /** The hash (display order) of the block at `height` on this chain; undefined off its range. */
  hashAt(height: number): string | undefined;
  /** Blocks from `height` to the tip, both included (0 above the tip). */
  confirmations(height: number): number;
  /**
   * The median of the times of the 11 blocks ending at `height` on this chain (Bitcoin's median time past: every
   * later block is dated after it); undefined off the chain or when fewer than 11 of them are recorded (near the
   * checkpoint).
   */
  medianTimePast(height: number): number | undefined;
}

/** Each run's headers as chain nodes, their cumulative work counted back from the run's verified total. */
function chainNodes(runs: Iterable<HeaderRun>): Map<string, ChainNode> {
  const nodes = new Map<string, ChainNode>();
  const work = new Map<number, bigint>();
  const workOf = (bits: number) => {
    const found = work.get(bits) ?? blockWork(bits);
    work.set(bits, found);
    return found;
  };
  for (const run of runs) {
    let total = BigInt(run.chainWork);
    for (let i = run.headers.length - 1; i >= 0; i--) {
      const header = parseBlockHeader(run.headers[i] as string);
      // Runs from one start that share a block share everything below it (each header names its parent's hash).
      if (nodes.has(header.hash)) break;
      nodes.set(header.hash, {
        hash: header.hash,
        previous: header.previousBlock,
        height: run.height + i,
        time: header.time,
        work: total,
      });
      total -= workOf(header.bits);
    }
  }
  return nodes;
}

/**
 * The chain of most cumulative work among verified header `runs` (ties: the lowest tip hash) counting, at `now`, no
 * block dated more than 2 hours ({@link HEADER_TIME_TOLERANCE}, Bitcoin's MAX_FUTURE_BLOCK_TIME) after `now`, nor any
 * block above one: a node would not accept such a block yet. It may count later: the choice is a function of the runs
 * and `now`, whatever order they came in. Undefined without runs.
 */
export function bestChain(runs: Iterable<HeaderRun>, now: number): BestChain | undefined {
  const nodes = chainNodes(runs);
  const latest = now + HEADER_TIME_TOLERANCE;
  const counted = new Set<string>();
  let tip: ChainNode | undefined;
  for (const node of [...nodes.values()].sort((a, b) => a.height - b.height)) {
    // The lowest node (the checkpoint) has no parent among the nodes; every other one needs its parent counted.
    if (node.time > latest || (nodes.has(node.previous) && !counted.has(node.previous))) continue;
    counted.add(node.hash);
    if (tip === undefined || node.work > tip.work || (node.work === tip.work && node.hash < tip.hash))
      tip = node;
  }
  if (tip === undefined) return undefined;
  const hashes = new Map<number, string>();
  const times = new Map<number, number>();
  for (let node: ChainNode | undefined = tip; node !== undefined; node = nodes.get(node.previous)) {
    hashes.set(node.height, node.hash);
    times.set(node.height, node.time);
  }
  const top = tip;
  return {
    tip: { hash: top.hash, height: top.height, chainWork: top.work },
    hashAt: (height) => hashes.get(height),
    confirmations: (height) => Math.max(0, top.height - height + 1),
    medianTimePast: (height) => {
      const window: number[] = [];
      for (let h = height - MEDIAN_SPAN + 1; h <= height; h++) {
        const time = times.get(h);
        if (time === undefined) return undefined;
        window.push(time);
      }
      return window.sort((a, b) => a - b)[(MEDIAN_SPAN - 1) / 2];
    },
  };
}

/**
 * The hash of the block at a height on `chain` once it has at least `wanted` confirmations there; undefined off the
 * chain, below that depth, or without a chain. What counts a block as settled, for anchors and juror draws alike.
 */
export function settledBlockAt(
  chain: BestChain | undefined,
  wanted: number,
): (height: number) => string | undefined {
  return (height) =>
    chain !== undefined && chain.confirmations(height) >= wanted ? chain.hashAt(height) : undefined;
}

/** {@link bestChain} of the `anchor.headers` runs `ledger` holds, at `now`. */
export async function ledgerBestChain(ledger: Ledger, now: number): Promise<BestChain | undefined> {
  const runs: HeaderRun[] = [];
  for await (const { event } of ledger.events({ type: 'anchor.headers' }))
    runs.push(event.body as unknown as HeaderRun);
  return bestChain(runs, now);
}
