import { bytesToNumberBE } from '@noble/curves/utils.js';
import { AgoraError, ErrorCode, taggedHash, utf8 } from '../core/index.js';

/** One agent that may sit on a panel, with its weight (reputation score or locked sats). */
export interface Candidate {
  readonly agent: string;
  readonly weight: bigint;
}

/**
 * The seed of a round's draw: a tagged hash of the Bitcoin block hash (display hex) fixed when the dispute opened, the
 * dispute id and the round. Nobody knows the block hash before the block is mined, and everyone can read it after.
 */
export function drawSeed(blockHash: string, disputeId: string, round: number): Uint8Array {
  return taggedHash('agora402/jury-seed', utf8(`${blockHash}:${disputeId}:${round}`));
}

/**
 * Draws `size` distinct jurors from `candidates`, each pick with probability proportional to weight among those not
 * drawn yet, never one of `excluded`. Pick `i` takes the 256-bit number `H(seed, i)` modulo the remaining total weight
 * and walks the candidates in agent id order: anyone holding the same candidates and seed draws the same panel, in
 * the same order. The modulo bias is below 2^-190 for totals under 2^64. Candidates of zero weight are never drawn.
 * `INVALID_STATE` when fewer than `size` candidates can be drawn.
 */
export function drawPanel(
  candidates: readonly Candidate[],
  seed: Uint8Array,
  size: number,
  excluded: ReadonlySet<string> = new Set(),
): string[] {
  const pool = [...candidates]
    .filter((c) => c.weight > 0n && !excluded.has(c.agent))
    .sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  for (let i = 1; i < pool.length; i++)
    if ((pool[i] as Candidate).agent === (pool[i - 1] as Candidate).agent)
      throw new AgoraError(
        ErrorCode.InvalidArgument,
        `candidate ${(pool[i] as Candidate).agent} is listed twice`,
      );
  if (pool.length < size)
    throw new AgoraError(
      ErrorCode.InvalidState,
      `a panel of ${size} needs ${size} eligible jurors, there are ${pool.length}`,
    );
  let total = pool.reduce((sum, c) => sum + c.weight, 0n);
  const panel: string[] = [];
  for (let pick = 0; pick < size; pick++) {
    const counter = new Uint8Array(4);
    new DataView(counter.buffer).setUint32(0, pick);
    const ticket = bytesToNumberBE(taggedHash('agora402/jury-pick', concat(seed, counter))) % total;
    let cumulative = 0n;
    const index = pool.findIndex((c) => {
      cumulative += c.weight;
      return ticket < cumulative;
    });
    const [chosen] = pool.splice(index, 1) as [Candidate];
    total -= chosen.weight;
    panel.push(chosen.agent);
  }
  return panel;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
