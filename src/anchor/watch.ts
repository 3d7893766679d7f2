import { AgoraError, ErrorCode } from '../core/index.js';
import type { ChainBackend } from './chain-backend.js';

/** A transaction confirmed deep enough. */
export interface Confirmation {
  readonly height: number;
  readonly blockHash: string;
  readonly confirmations: number;
}

/**
 * Polls `backend` until `txid` has `confirmations` blocks (default 1), every `intervalMs` (default 30 s). Rejects with
 * `NOT_FOUND` when the transaction is gone (replaced or dropped), `BACKEND_UNREACHABLE` after `timeoutMs` without
 * enough confirmations, or the signal's reason when aborted.
 */
export async function waitForConfirmations(
  backend: ChainBackend,
  txid: string,
  options: { confirmations?: number; intervalMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Confirmation> {
  const wanted = options.confirmations ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    options.signal?.throwIfAborted();
    const status = await backend.txStatus(txid);
    if (status.confirmed) {
      const confirmations = (await backend.tipHeight()) - status.height + 1;
      if (confirmations >= wanted)
        return { height: status.height, blockHash: status.blockHash, confirmations };
    }
    if (Date.now() >= deadline)
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `${txid} did not reach ${wanted} confirmations in time`,
      );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(
        resolve,
        Math.min(options.intervalMs ?? 30_000, Math.max(0, deadline - Date.now())),
      );
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
