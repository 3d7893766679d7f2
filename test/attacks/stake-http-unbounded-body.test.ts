// Review of the custodian's HTTP (POST /v1/stake/claim and its siblings): the handler checks a body's size only after
// `request.text()` has read all of it, and `agora stake serve` gathers every chunk before building the request. An
// unauthenticated caller streams gigabytes at any POST path and the custodian, which holds the network's stakes and
// releases them on its timer, buffers them all before refusing. Open: `it.fails` (it passes while the attack
// works; run as a plain `it`, it fails on the attack assertion).
import { describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode } from '../../src/core/index.js';
import { type StakeCustodianApi, stakeCustodianHandler } from '../../src/stake/index.js';

/** A custodian the refused request must never reach. */
const unreachable: StakeCustodianApi = {
  id: '00'.repeat(32),
  offer: () => Promise.reject(new AgoraError(ErrorCode.InvalidState, 'reached')),
  accept: () => Promise.reject(new AgoraError(ErrorCode.InvalidState, 'reached')),
  payShare: () => Promise.reject(new AgoraError(ErrorCode.InvalidState, 'reached')),
};

describe('a claim body far above the 64 KiB limit', () => {
  it.fails('is refused after reading about the limit, not all of it', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const chunks = 256; // 16 MiB of spaces
    let read = 0;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === chunks) return controller.close();
        sent++;
        read += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await stakeCustodianHandler(unreachable)(
      new Request('http://127.0.0.1/v1/stake/claim', { method: 'POST', body, duplex: 'half' } as RequestInit),
    );
    expect(response.status).toBe(400);
    expect((await response.json()) as unknown).toMatchObject({ error: { code: ErrorCode.InvalidArgument } });
    // The attack: the whole 16 MiB was read (and buffered as one string) before the refusal.
    expect(read).toBeLessThanOrEqual(4 * chunk.length);
  });
});
