// Run as a child process by schnorr-pool-restart.test.ts: starts and closes signature pools many times, sending each
// ECDSA recoveries (the native libsecp256k1 binding in every worker), then recovers on this thread. Exits 0 when all
// of it gave the expected keys; a crash in the binding shows as a signal or an abort code instead.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { recoverPublicKey, SchnorrPool } from '../../src/identity/index.js';

const rounds = Number(process.argv[2] ?? 20);
const jobs = Array.from({ length: 128 }, (_, i) => {
  const secret = sha256(new Uint8Array([i, 1]));
  const hash = sha256(new Uint8Array([i, 2]));
  const signature = secp256k1.sign(hash, secret, { prehash: false, format: 'recovered' });
  return {
    job: { hash, signature: signature.subarray(1), recoveryId: signature[0] as 0 | 1 | 2 | 3 },
    key: secp256k1.getPublicKey(secret, true),
  };
});
const same = (a: Uint8Array | null, b: Uint8Array) => a !== null && Buffer.from(a).equals(Buffer.from(b));

for (let round = 0; round < rounds; round++) {
  const pool = new SchnorrPool(2);
  const found = await pool.recoverMany(jobs.map(({ job }) => job));
  if (!found.every((key, i) => same(key, (jobs[i] as (typeof jobs)[number]).key))) process.exit(2);
  await pool.close();
  for (const { job, key } of jobs) if (!same(recoverPublicKey(job), key)) process.exit(3);
}
process.exit(0);
