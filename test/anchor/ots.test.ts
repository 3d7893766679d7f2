import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorToOts,
  type OtsProof,
  otsAttestations,
  readOts,
  verifyAnchor,
  verifyOts,
  writeOts,
} from '../../src/anchor/index.js';
import { AgoraError, ErrorCode, isAgoraError, toHex } from '../../src/core/index.js';
import { thrownAgoraError } from '../helpers.js';
import { needsTool } from '../optional-tool.js';
import { anchoredBlock } from './anchored-block.js';

const dir = join(import.meta.dirname, '../vectors/bitcoin');
const helloOts = new Uint8Array(readFileSync(join(dir, 'ots/hello-world.txt.ots')));
const hello = new Uint8Array(readFileSync(join(dir, 'ots/hello-world.txt')));
const vector = JSON.parse(readFileSync(join(dir, 'btc-mainnet-358391-ots-hello-world-txt.json'), 'utf8'));
const headers = { [vector.height]: vector.header_hex as string };

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] as number) ^ 1;
  return copy;
}

describe('OpenTimestamps proofs', () => {
  it('read the reference hello-world.txt.ots and write it back byte for byte', () => {
    const proof = readOts(helloOts);
    expect(proof.fileHashOp).toBe('sha256');
    expect(toHex(proof.fileDigest)).toBe(vector.ots_file_digest.hex);
    expect(toHex(proof.fileDigest)).toBe(toHex(sha256(hello)));
    const kinds = otsAttestations(proof.timestamp, proof.fileDigest).map((a) => a.attestation);
    expect(kinds).toContainEqual({ kind: 'bitcoin', height: 358391 });
    expect(toHex(writeOts(proof))).toBe(toHex(helloOts));
  });

  it('verify hello-world.txt against the header of block 358391, offline', () => {
    expect(verifyOts(helloOts, sha256(hello), headers)).toEqual({ height: 358391, time: 1432827678 });
  });

  it('refuse another file, a missing or changed header, and a changed operation', () => {
    thrownAgoraError(() => verifyOts(helloOts, sha256(new Uint8Array([1])), headers), ErrorCode.InvalidProof);
    thrownAgoraError(() => verifyOts(helloOts, sha256(hello), {}), ErrorCode.InvalidProof);
    // A changed Merkle root, and a changed nBits (the header's work no longer holds).
    for (const at of [40, 73]) {
      const header = `${vector.header_hex.slice(0, 2 * at)}${(Number.parseInt(vector.header_hex.slice(2 * at, 2 * at + 2), 16) ^ 1).toString(16).padStart(2, '0')}${vector.header_hex.slice(2 * at + 2)}`;
      thrownAgoraError(
        () => verifyOts(helloOts, sha256(hello), { [vector.height]: header }),
        ErrorCode.InvalidProof,
      );
    }
    // The first operation's argument, one byte changed (past the 31-byte magic, version, hash op, 32-byte digest and
    // the operation's tag and length): the path no longer reaches the block's Merkle root.
    const changed = flipByte(helloOts, 31 + 1 + 1 + 32 + 2 + 3);
    expect(() => verifyOts(changed, sha256(hello), headers)).toThrow(AgoraError);
  });

  it('give only INVALID_PROOF on garbage and on mutated proofs (property)', () => {
    const onlyTyped = (bytes: Uint8Array) => {
      try {
        writeOts(readOts(bytes));
        return true;
      } catch (error) {
        return isAgoraError(error, ErrorCode.InvalidProof);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlyTyped), { numRuns: 500 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) =>
        onlyTyped(Uint8Array.from([...helloOts.slice(0, 31), 1, 8, ...tail])),
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.nat(helloOts.length - 1), fc.integer({ min: 1, max: 255 }), (index, xor) => {
        const mutated = Uint8Array.from(helloOts);
        mutated[index] = (mutated[index] as number) ^ xor;
        return onlyTyped(mutated) && onlyTyped(helloOts.slice(0, index));
      }),
      { numRuns: 1_000 },
    );
    thrownAgoraError(() => readOts(helloOts.slice(0, 40)), ErrorCode.InvalidProof);
    thrownAgoraError(() => readOts(Uint8Array.from([...helloOts, 0])), ErrorCode.InvalidProof);
  });

  it('name an unknown attestation and a pending one as not verifiable', () => {
    const unknown: OtsProof = {
      fileHashOp: 'sha256',
      fileDigest: sha256(hello),
      timestamp: {
        attestations: [{ kind: 'unknown', tag: new Uint8Array(8).fill(7), payload: new Uint8Array([1, 2]) }],
        ops: [],
      },
    };
    const bytes = writeOts(unknown);
    expect(readOts(bytes)).toEqual(unknown);
    const error = thrownAgoraError(() => verifyOts(bytes, sha256(hello), headers), ErrorCode.InvalidProof);
    expect(error.message).toMatch(/unknown attestation/);
    const pending = writeOts({
      ...unknown,
      timestamp: { attestations: [{ kind: 'pending', uri: 'https://a.example' }], ops: [] },
    });
    expect(
      thrownAgoraError(() => verifyOts(pending, sha256(hello), headers), ErrorCode.InvalidProof).message,
    ).toMatch(/pending/);
  });
});

describe('anchor proofs as .ots', () => {
  it('verify with our verifier and SPV alike, and fail on a tampered commitment', async () => {
    const { proof, headers: chain } = anchoredBlock();
    const regtest = { chain: 'regtest' } as const;
    expect(verifyAnchor(proof, chain, regtest)).toMatchObject({ height: proof.height, confirmations: 3 });
    // Regtest work is not main-chain work: the same headers do not pass for Bitcoin.
    expect(thrownAgoraError(() => verifyAnchor(proof, chain), ErrorCode.InvalidProof).message).toMatch(
      /less work/,
    );
    const ots = writeOts(anchorToOts(proof));
    const digest = Buffer.from(proof.commitment, 'hex');
    expect(verifyOts(ots, digest, chain, regtest)).toMatchObject({ height: proof.height });
    thrownAgoraError(() => verifyOts(ots, digest, chain), ErrorCode.InvalidProof);
    thrownAgoraError(() => verifyOts(ots, sha256(digest), chain, regtest), ErrorCode.InvalidProof);
    thrownAgoraError(
      () => verifyAnchor({ ...proof, commitment: toHex(sha256(hello)) }, chain, regtest),
      ErrorCode.InvalidProof,
    );
    // A chain with a gap: the block after the anchor's replaced by an unrelated one.
    const gap = { ...chain, [proof.height + 1]: chain[proof.height + 2] as string };
    thrownAgoraError(() => verifyAnchor(proof, gap, regtest), ErrorCode.InvalidProof);
    thrownAgoraError(
      () => verifyAnchor(proof, chain, { ...regtest, minConfirmations: 4 }),
      ErrorCode.InvalidProof,
    );
  });

  const python = '/usr/bin/python3';
  // A python3 without the module exits non-zero: that is "not installed", not a failure of this file.
  const hasReference = () => {
    try {
      return (
        existsSync(python) &&
        execFileSync(python, ['-c', 'import opentimestamps.core.timestamp, bitcoin.core; print("ok")'], {
          stdio: ['ignore', 'pipe', 'ignore'],
        })
          .toString()
          .trim() === 'ok'
      );
    } catch {
      return false;
    }
  };
  const reference = hasReference();

  it('verify with the reference OpenTimestamps library (python3-opentimestamps) against the block header', (context) => {
    needsTool(
      context,
      reference,
      'needs /usr/bin/python3 with the opentimestamps module (Debian: python3-opentimestamps)',
    );
    const { proof, headers: chain } = anchoredBlock();
    const work = mkdtempSync(join(tmpdir(), 'agora-ots-'));
    try {
      const file = join(work, 'anchor.ots');
      writeFileSync(file, writeOts(anchorToOts(proof)));
      const script = [
        'import sys',
        'from opentimestamps.core.serialize import BytesDeserializationContext',
        'from opentimestamps.core.timestamp import DetachedTimestampFile',
        'from opentimestamps.core.notary import BitcoinBlockHeaderAttestation',
        'from bitcoin.core import CBlockHeader',
        "ots = DetachedTimestampFile.deserialize(BytesDeserializationContext(open(sys.argv[1], 'rb').read()))",
        'assert ots.file_digest.hex() == sys.argv[2], "another digest"',
        'header = CBlockHeader.deserialize(bytes.fromhex(sys.argv[4]))',
        'found = [(msg, a) for msg, a in ots.timestamp.all_attestations() if isinstance(a, BitcoinBlockHeaderAttestation)]',
        'assert [a.height for _, a in found] == [int(sys.argv[3])], found',
        'print(found[0][1].verify_against_blockheader(found[0][0], header))',
      ].join('\n');
      const run = (header: string) =>
        execFileSync(python, ['-c', script, file, proof.commitment, String(proof.height), header], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
          .toString()
          .trim();
      const header = chain[proof.height] as string;
      expect(run(header)).toBe(String(Buffer.from(header, 'hex').readUInt32LE(68)));
      // The reference refuses the proof against another block's header.
      expect(() => run(chain[proof.height + 1] as string)).toThrow();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
