import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  bitsFromTarget,
  blockWork,
  type Checkpoint,
  checkProofOfWork,
  MAINNET_CHECKPOINT,
  nextWorkRequired,
  parseBlockHeader,
  RETARGET_INTERVAL,
  targetFromBits,
  verifyHeaderRun,
} from '../../src/anchor/index.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';
import { mineHeader } from './regtest-chain.js';

// Mainnet block 820512 (the first block of period 407) and its chain work, from bitcoinj's production checkpoints
// (core/src/main/resources/org.bitcoin.production.checkpoints.txt), to check the shipped checkpoint's chain work.
const BLOCK_820512 = {
  header:
    '00c00920fd0b1e4d949abbf9ddecb9acd61dd453a6ba5a36ab25010000000000000000005764eb5c54ba2927c2fd3318df1765a57f3e825ee0d4014ec56981b0aeedb63024377565952e04176a354c74',
  chainWork: 0x606a43eac9e249da94454ce3n,
};

describe('the mainnet checkpoint', () => {
  it('is a real header: its bytes hash to it with their proof of work, at a period boundary', () => {
    const header = parseBlockHeader(MAINNET_CHECKPOINT.header);
    expect(header.hash).toBe(MAINNET_CHECKPOINT.hash);
    checkProofOfWork(header);
    expect(MAINNET_CHECKPOINT.height % RETARGET_INTERVAL).toBe(0);
  });

  it("carries the chain work of the period before it plus that period's 2015 blocks and its own", () => {
    const before = parseBlockHeader(BLOCK_820512.header);
    checkProofOfWork(before);
    const checkpoint = parseBlockHeader(MAINNET_CHECKPOINT.header);
    expect(MAINNET_CHECKPOINT.chainWork - BLOCK_820512.chainWork).toBe(
      2015n * blockWork(before.bits) + blockWork(checkpoint.bits),
    );
  });
});

describe('retargeting', () => {
  it("gives Bitcoin Core's results (src/test/pow_tests.cpp)", () => {
    expect(nextWorkRequired(0x1d00ffff, 1261130161, 1262152739)).toBe(0x1d00d86a); // 30240..32255
    expect(nextWorkRequired(0x1d00ffff, 1231006505, 1233061996)).toBe(0x1d00ffff); // 0..2015: the pow limit
    expect(nextWorkRequired(0x1c05a3f4, 1279008237, 1279297671)).toBe(0x1c0168fd); // 66528..68543: 4x harder at most
    expect(nextWorkRequired(0x1c387f6f, 1263163443, 1269211443)).toBe(0x1d00e1fd); // 4x easier at most
  });

  it('writes targets back as the nBits they came from', () => {
    for (const bits of [0x1d00ffff, 0x1d00d86a, 0x1c0168fd, 0x1703e8b3, 0x17042e95, 0x207fffff, 0x1e0377ae])
      expect(bitsFromTarget(targetFromBits(bits))).toBe(bits);
    expect(blockWork(0x1d00ffff)).toBe(0x100010001n);
  });
});

describe('header runs', () => {
  const top = mineHeader('00'.repeat(32), toHex(sha256(utf8('checkpoint'))), 1_300_000_000);
  const checkpoint: Checkpoint = { height: 10, hash: parseBlockHeader(top).hash, header: top, chainWork: 5n };
  const next = (previous: string, i: number) =>
    mineHeader(parseBlockHeader(previous).hash, toHex(sha256(utf8(`block ${i}`))), 1_300_000_000 + 600 * i);
  const chain = [top];
  for (let i = 1; i < 4; i++) chain.push(next(chain[i - 1] as string, i));
  const work = (n: number) => (5n + BigInt(n) * blockWork(0x207fffff)).toString();

  it('accept a chain from the checkpoint, and a run extending it', () => {
    const first = { height: 10, headers: chain.slice(0, 2), chainWork: work(1) };
    expect(verifyHeaderRun(first, undefined, 'regtest', checkpoint)).toHaveLength(2);
    const later = { height: 10, headers: chain, chainWork: work(3) };
    expect(verifyHeaderRun(later, undefined, 'regtest', checkpoint)).toHaveLength(4);
  });

  it('refuse a wrong start, a gap, a wrong chain work, headers below the checkpoint, a foreign first header', () => {
    const bad = [
      { height: 10, headers: [chain[0], chain[2]], chainWork: work(2) },
      { height: 10, headers: chain, chainWork: work(4) },
      { height: 5, headers: chain, chainWork: work(3) },
      { height: 11, headers: chain.slice(1), chainWork: work(3) },
      { height: 10, headers: chain.slice(1), chainWork: work(3) },
    ];
    for (const run of bad)
      thrownAgoraError(
        () => verifyHeaderRun(run as never, undefined, 'regtest', checkpoint),
        ErrorCode.InvalidProof,
      );
  });

  it('on mainnet, take the shipped checkpoint and nothing self-mined after it', () => {
    const run = { height: MAINNET_CHECKPOINT.height, headers: [MAINNET_CHECKPOINT.header], chainWork: '' };
    verifyHeaderRun(
      { ...run, chainWork: MAINNET_CHECKPOINT.chainWork.toString() },
      undefined,
      'bitcoin',
      MAINNET_CHECKPOINT,
    );
    const cheap = mineHeader(MAINNET_CHECKPOINT.hash, toHex(sha256(utf8('cheap'))), 1_703_312_000);
    const parent = { ...run, chainWork: MAINNET_CHECKPOINT.chainWork.toString() };
    const forged = {
      height: MAINNET_CHECKPOINT.height,
      headers: [MAINNET_CHECKPOINT.header, cheap],
      chainWork: '0',
    };
    expect(
      thrownAgoraError(
        () => verifyHeaderRun(forged, undefined, 'bitcoin', MAINNET_CHECKPOINT),
        ErrorCode.InvalidProof,
      ).message,
    ).toMatch(/less work|nBits/);
    thrownAgoraError(
      () =>
        verifyHeaderRun(
          { ...forged, height: MAINNET_CHECKPOINT.height + 1, headers: [cheap] },
          parent,
          'bitcoin',
          MAINNET_CHECKPOINT,
        ),
      ErrorCode.InvalidProof,
    );
  });
});
