// The native libsecp256k1 binding (the `secp256k1` package) loaded in the pool's worker threads: its 4.x releases
// kept one process-wide constructor that a closed worker freed, and the process aborted or segfaulted a little
// later (the CI run that lost a whole test file to "Worker exited unexpectedly"). Pools started and closed in a loop
// must leave the process alive and right, in a child process so that a crash fails this test and nothing else.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeSecp256k1Path } from '../../src/identity/ecdsa-recover.js';

const child = fileURLToPath(new URL('./schnorr-pool-restart-child.ts', import.meta.url));

describe('signature pools started and closed many times', () => {
  it('leave the process alive, with the right keys recovered on every thread', async () => {
    // The binding is what this test is about: the machines this project runs on have its prebuilt binary.
    expect(nativeSecp256k1Path).toBeDefined();
    const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
      (resolve) => {
        const running = spawn(process.execPath, ['--import', 'tsx', child, '20'], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        running.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        running.on('exit', (code, signal) => resolve({ code, signal, stderr }));
      },
    );
    expect(outcome).toEqual({ code: 0, signal: null, stderr: '' });
  }, 60_000);
});
