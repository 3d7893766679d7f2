import type { BitcoinNetwork } from '../core/index.js';
import { AgoraError, ErrorCode } from '../core/index.js';
import { type BlockHeader, checkProofOfWork, parseBlockHeader, targetFromBits } from './block-header.js';
import { leastMedianTimePast, MEDIAN_TIME_SPAN } from './block-time.js';

// A header that only meets its own proof of work proves little: at difficulty 1 one is about 2^32 hashes to forge,
// and a self-mined regtest header costs nothing. What makes a header expensive is its place in a chain whose every
// difficulty follows Bitcoin's retargeting from a block everyone agrees on. So headers are accepted only as a chain
// from a checkpoint shipped with the library (or configured by the operator), each header's nBits equal to what
// Bitcoin Core's GetNextWorkRequired demands of it.

/** A block every replica agrees on: where a verified header chain starts. */
export interface Checkpoint {
  readonly height: number;
  /** Block hash, display order. */
  readonly hash: string;
  /** The block's 80-byte header (hex): its hash, time and nBits are read from it. */
  readonly header: string;
  /** Cumulative work of the chain up to and including this block (as `getblockheader`'s `chainwork`). */
  readonly chainWork: bigint;
  /**
   * The checkpoint's median time past (`getblockheader`'s `mediantime`: the median time of it and the 10 blocks
   * before it), or any time below it: every block after the checkpoint must be dated after it. Without it, the first
   * blocks after the checkpoint are held only to the median of the headers known (none for the first 5): their
   * predecessors' times are not in the checkpoint.
   */
  readonly medianTimePast?: number;
}

/**
 * Mainnet block 822528 (2023-12-23, the first block of difficulty period 408). The header is mainnet data: its hash
 * and proof of work check from the bytes (test/anchor/header-chain.test.ts). The chain work is taken from
 * bitcoinj's production checkpoints (core/src/main/resources/org.bitcoin.production.checkpoints.txt), and the
 * same test checks it against the previous period's checkpoint there (the difference is 2016 blocks of that
 * period's work). A later checkpoint only shortens the header chains agents must record.
 */
export const MAINNET_CHECKPOINT: Checkpoint = {
  height: 822_528,
  hash: '000000000000000000001daacd23f9cb40c69ba923085618a5f9dbdd4d97e93a',
  header:
    '00e0ff3f82f7aacf60fac3873b0beade61d0701639090ae5f47800000000000000000000acbc1b3381c671b2b7753bb2252d3ebd6900486ec8153ceb10e954a86e3f9e1468788665b3e80317f5171649',
  chainWork: 0x624c5a3c876e3e6fffd9c800n,
  // A lower bound, not the block's exact `mediantime` (its 10 predecessors' headers are not in the repository):
  // mainnet header times of that era follow real time within hours, and 10 blocks span about 100 minutes, so the
  // median of the 11 lies well within a day below the checkpoint's own time (1703311464, 2023-12-23 06:04:24 UTC).
  medianTimePast: 1_703_311_464 - 86_400,
};

/** Blocks per difficulty period. */
export const RETARGET_INTERVAL = 2016;
/** Two weeks: the time a period should take. */
const TARGET_TIMESPAN = 14 * 24 * 60 * 60;

/** A chain's difficulty rules (Bitcoin Core's consensus parameters that matter to headers). */
export interface ChainRules {
  /** The easiest allowed target (`powLimit`), in full: it caps a retarget before the result is made compact. */
  readonly powLimit: bigint;
  /** nBits of `powLimit`: a header claiming less work is not of the chain. */
  readonly powLimitBits: number;
  /** `false` on regtest (`fPowNoRetargeting`): every header keeps its parent's nBits. */
  readonly retargets: boolean;
}

/** Each chain's rules. Testnet's 20-minute minimum-difficulty blocks are not modeled: it takes no checkpoint. */
export const CHAIN_RULES: Record<BitcoinNetwork, ChainRules> = {
  bitcoin: { powLimit: (1n << 224n) - 1n, powLimitBits: 0x1d00ffff, retargets: true },
  testnet: { powLimit: (1n << 224n) - 1n, powLimitBits: 0x1d00ffff, retargets: true },
  signet: { powLimit: 0x0377aen << 216n, powLimitBits: 0x1e0377ae, retargets: true },
  regtest: { powLimit: 0x7fffffn << 232n, powLimitBits: 0x207fffff, retargets: false },
};

/** The work a header of this nBits proves: 2^256 / (target + 1), as Bitcoin Core's GetBlockProof. */
export function blockWork(bits: number): bigint {
  return (1n << 256n) / (targetFromBits(bits) + 1n);
}

/** The compact nBits of a target (Bitcoin Core's `arith_uint256::GetCompact`). */
export function bitsFromTarget(target: bigint): number {
  if (target <= 0n || target >= 1n << 256n)
    throw new AgoraError(ErrorCode.InvalidArgument, 'a target is a positive 256-bit number');
  let size = target.toString(16).length;
  size = Math.ceil(size / 2);
  let compact =
    size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  // The mantissa's top bit is a sign bit: a target that would set it takes one more byte instead.
  if ((compact & 0x00800000) !== 0) {
    compact >>>= 8;
    size++;
  }
  return (compact | (size << 24)) >>> 0;
}

/**
 * The nBits the first block of a new period must carry, from the last period's nBits and the times of its first
 * and last blocks (Bitcoin Core's CalculateNextWorkRequired): the target scales by the period's actual timespan over
 * two weeks, that timespan clamped to a quarter and four times two weeks, the result capped at `powLimit`.
 */
export function nextWorkRequired(
  lastBits: number,
  firstTime: number,
  lastTime: number,
  powLimit: bigint = CHAIN_RULES.bitcoin.powLimit,
): number {
  const actual = Math.min(Math.max(lastTime - firstTime, TARGET_TIMESPAN / 4), TARGET_TIMESPAN * 4);
  const target = (targetFromBits(lastBits) * BigInt(actual)) / BigInt(TARGET_TIMESPAN);
  return bitsFromTarget(target > powLimit ? powLimit : target);
}

/**
 * A run of headers as agents record it (`anchor.headers`): from `height` on, never across a difficulty period's
 * boundary. It starts at the checkpoint or at the first block of a period, so every difficulty it needs is in it
 * or in the one run before it.
 */
export interface HeaderRun {
  readonly height: number;
  /** 80-byte headers, hex, lowest first. */
  readonly headers: readonly string[];
  /** The chain work up to and including the last header, decimal. */
  readonly chainWork: string;
}

/** Where the run holding block `height` starts, for a chain verified from `checkpoint`. */
export function runStart(height: number, checkpoint: Checkpoint): number {
  const periodStart = height - (height % RETARGET_INTERVAL);
  return Math.max(periodStart, checkpoint.height);
}

/** The last height a run starting at `start` may reach (the end of its difficulty period). */
export function runEnd(start: number): number {
  return start - (start % RETARGET_INTERVAL) + RETARGET_INTERVAL - 1;
}

function refuse(message: string): never {
  throw new AgoraError(ErrorCode.InvalidProof, message);
}

/**
 * Verifies a header run against the run before it (`parent`, already verified; absent for the run starting at the
 * checkpoint): it starts where it must, links to its parent's last header (or begins with the checkpoint's header),
 * each header links to the one before, meets its proof of work, carries exactly the nBits retargeting requires and
 * is dated after the median time of the 11 blocks before it (see {@link leastMedianTimePast} near the checkpoint),
 * and `chainWork` is the parent's plus this run's work. Returns the parsed headers. `INVALID_PROOF` otherwise.
 */
export function verifyHeaderRun(
  run: HeaderRun,
  parent: HeaderRun | undefined,
  chain: BitcoinNetwork,
  checkpoint: Checkpoint,
): BlockHeader[] {
  const rules = CHAIN_RULES[chain];
  const { height } = run;
  if (!Number.isSafeInteger(height) || height < checkpoint.height)
    refuse(`headers below the checkpoint at ${checkpoint.height} cannot be verified`);
  if (height !== runStart(height, checkpoint))
    refuse(`a header run starts at the checkpoint or at a difficulty period's first block, not ${height}`);
  if (run.headers.length === 0 || height + run.headers.length - 1 > runEnd(height))
    refuse('a header run holds 1 to the rest of one difficulty period of headers');
  const headers = run.headers.map((header) => parseBlockHeader(header));
  const first = headers[0] as BlockHeader;
  let work: bigint;
  let expectedBits: number;
  // The times of the headers before the run (its parent's last ones), for the median time past.
  let previousTimes: number[] = [];
  if (height === checkpoint.height) {
    if (first.hash !== checkpoint.hash) refuse(`the header at ${height} is not the checkpoint's`);
    work = checkpoint.chainWork;
    expectedBits = first.bits;
  } else {
    if (parent === undefined) refuse(`no verified headers lead to block ${height}`);
    const before = parent.headers.map((header) => parseBlockHeader(header));
    const last = before[before.length - 1] as BlockHeader;
    if (parent.height + before.length !== height || first.previousBlock !== last.hash)
      refuse(`the headers from ${height} do not follow the verified chain`);
    work = BigInt(parent.chainWork);
    previousTimes = before.slice(-MEDIAN_TIME_SPAN).map((header) => header.time);
    const crossesBoundary = height % RETARGET_INTERVAL === 0;
    expectedBits =
      rules.retargets && crossesBoundary
        ? nextWorkRequired(last.bits, (before[0] as BlockHeader).time, last.time, rules.powLimit)
        : last.bits;
    // A period's first block time must be known to retarget: a retargeting chain's checkpoint opens a period.
    if (rules.retargets && crossesBoundary && parent.height % RETARGET_INTERVAL !== 0)
      refuse('the previous period is not known from its first block');
  }
  const times = [...previousTimes, ...headers.map((header) => header.time)];
  headers.forEach((header, i) => {
    // The difficulty first: a header at the wrong difficulty is refused however much work went into it.
    if (header.bits !== expectedBits)
      refuse(
        `block ${height + i} carries nBits ${header.bits.toString(16)}, retargeting requires ${expectedBits.toString(16)}`,
      );
    if (targetFromBits(header.bits) > rules.powLimit)
      refuse(`block ${header.hash} claims less work than its chain allows`);
    checkProofOfWork(header);
    const previous = headers[i - 1];
    if (previous !== undefined && header.previousBlock !== previous.hash)
      refuse(`block ${height + i} does not follow block ${height + i - 1}`);
    if (i === 0 && height === checkpoint.height) return;
    // A parent run is a whole period or starts at the checkpoint: fewer than 11 times known means the rest of the
    // span lies below the checkpoint.
    const position = previousTimes.length + i;
    const known = times.slice(Math.max(0, position - MEDIAN_TIME_SPAN), position);
    const least = leastMedianTimePast(known, checkpoint.medianTimePast);
    if (least !== undefined && header.time <= least)
      refuse(
        `block ${height + i} is dated ${header.time}, not after the median time ${least} of the blocks before it`,
      );
    work += blockWork(header.bits);
  });
  if (run.chainWork !== work.toString()) refuse(`the chain work up to the run's last block is ${work}`);
  return headers;
}
