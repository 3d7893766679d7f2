// A proving key whose QAP coefficients point outside the witness or the FFT domain. ffjavascript's QAP routine
// skips such entries, so the key would load (after seconds of table building) and give proofs that do not verify;
// the parser refuses it first, with a message naming the entry.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/index.js';
import { Groth16Prover } from '../../src/zk/groth16-prover.js';
import { loadVoteArtifacts } from '../../src/zk/index.js';
import { parseProvingKey } from '../../src/zk/zkey.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';

/** Offset of the first coefficient entry (section 4, after its count) in a `.zkey` file. */
function firstCoefficient(zkey: Uint8Array): number {
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  let at = 12;
  for (let k = 0; k < view.getUint32(8, true); k++) {
    const type = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    if (type === 4) return at + 12 + 4;
    at += 12 + size;
  }
  throw new Error('no coefficient section');
}

describe('a proving key with coefficients outside its witness or domain', () => {
  it('is refused with INVALID_ARGUMENT, by the parser and by the prover', async () => {
    const { zkey } = await loadVoteArtifacts();
    const key = parseProvingKey(zkey);
    const entry = firstCoefficient(zkey);
    const cases: Array<[offset: number, value: number]> = [
      [entry, 2], // matrix C: only A and B are listed
      [entry + 4, key.domainSize], // constraint past the domain
      [entry + 8, key.nVars], // signal past the witness
      [entry + 8, 0xffffffff],
    ];
    for (const [offset, value] of cases) {
      const tampered = Uint8Array.from(zkey);
      new DataView(tampered.buffer).setUint32(offset, value, true);
      const error = thrownAgoraError(() => parseProvingKey(tampered), ErrorCode.InvalidArgument);
      expect(error.message).toMatch(/coefficient 0 points outside the key/);
    }
    const tampered = Uint8Array.from(zkey);
    new DataView(tampered.buffer).setUint32(entry + 8, key.nVars, true);
    await rejectedAgoraError(Groth16Prover.load(tampered), ErrorCode.InvalidArgument);
  });
});
