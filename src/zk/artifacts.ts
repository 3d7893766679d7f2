import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { AgoraError, ErrorCode, parseJson, toHex } from '../core/index.js';

/** The committed proving and verifying material of a circuit (the vote circuit's, or the panel circuit's). */
export interface VoteArtifacts {
  readonly wasm: Uint8Array;
  readonly zkey: Uint8Array;
  readonly verificationKey: Record<string, unknown>;
}

/** Where the package keeps the artifacts: `circuits/artifacts/` at its root (two levels above this module). */
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'circuits', 'artifacts');

/**
 * Reads the vote circuit's artifacts and checks each against `checksums.json` (SHA-256): a swapped or damaged file
 * gives `ARTIFACT_MISMATCH`. Nothing is fetched from the network. Pass another directory to use the result of a real
 * multi-party ceremony (docs/ceremony.md).
 */
export function loadVoteArtifacts(dir: string = ARTIFACTS_DIR): Promise<VoteArtifacts> {
  return loadCircuit(dir, 'vote.wasm', 'vote.zkey', 'verification_key.json');
}

/**
 * Reads the panel circuit's artifacts (`panel.wasm`, `panel.zkey`, `panel_verification_key.json`: a juror's seat on
 * a dispute panel), checked as {@link loadVoteArtifacts} checks the vote circuit's.
 */
export function loadPanelArtifacts(dir: string = ARTIFACTS_DIR): Promise<VoteArtifacts> {
  return loadCircuit(dir, 'panel.wasm', 'panel.zkey', 'panel_verification_key.json');
}

async function loadCircuit(dir: string, wasmFile: string, zkeyFile: string, keyFile: string) {
  let checksums: Record<string, string>;
  try {
    checksums = parseJson(await readFile(join(dir, 'checksums.json'), 'utf8')) as Record<string, string>;
  } catch (cause) {
    throw new AgoraError(ErrorCode.NotFound, `no circuit artifacts in ${dir}`, { cause });
  }
  const read = async (name: string): Promise<Uint8Array> => {
    const bytes = new Uint8Array(await readFile(join(dir, name)));
    const expected = checksums[name];
    if (expected === undefined || toHex(sha256(bytes)) !== expected) {
      throw new AgoraError(
        ErrorCode.ArtifactMismatch,
        `${name} in ${dir} does not match its recorded SHA-256`,
      );
    }
    return bytes;
  };
  const [wasm, zkey, key] = await Promise.all([read(wasmFile), read(zkeyFile), read(keyFile)]);
  return {
    wasm,
    zkey,
    verificationKey: JSON.parse(new TextDecoder().decode(key)) as Record<string, unknown>,
  };
}
