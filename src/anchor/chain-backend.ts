import { AgoraError, ErrorCode } from '../core/index.js';
import type { Utxo } from './anchor-transaction.js';
import type { BranchStep } from './block-header.js';

/** Where a transaction stands on chain. */
export type TxStatus =
  | { readonly confirmed: false }
  | { readonly confirmed: true; readonly height: number; readonly blockHash: string };

/**
 * A view of the Bitcoin chain for anchoring: broadcast, confirmation, the data of an SPV proof, the wallet's coins and
 * a fee estimate. Implemented over bitcoind's JSON-RPC and over an Esplora REST server. Failures are `AgoraError`s:
 * `TX_REJECTED` (with `details.reason`), `NOT_FOUND`, `BACKEND_UNREACHABLE`, `UNAUTHORIZED`.
 */
export interface ChainBackend {
  tipHeight(): Promise<number>;
  blockHash(height: number): Promise<string>;
  /** The 80-byte header, hex. */
  blockHeader(hash: string): Promise<string>;
  /** Broadcasts a raw transaction; resolves with its txid. */
  broadcast(txHex: string): Promise<string>;
  txStatus(txid: string): Promise<TxStatus>;
  /** The raw transaction, hex. */
  rawTransaction(txid: string): Promise<string>;
  /** The Merkle branch of a confirmed transaction in its block. */
  txBranch(txid: string, blockHash: string): Promise<BranchStep[]>;
  /** Unspent coins of an address. */
  utxos(address: string): Promise<Utxo[]>;
  /** Sats per vbyte to confirm within `blocks`, at least 1. */
  feeRate(blocks: number): Promise<number>;
}

/** Turns a node's rejection message into `TX_REJECTED` with a reason a caller can act on. */
export function txRejected(message: string): AgoraError {
  const reason = /min relay fee not met|insufficient fee|mempool min fee not met|fee not met/i.test(message)
    ? 'fee'
    : /missing inputs|missingorspent|bad-txns-inputs/i.test(message)
      ? 'missing-inputs'
      : /conflict|already in block chain|txn-already-known|txn-mempool-conflict/i.test(message)
        ? 'conflict'
        : 'other';
  return new AgoraError(ErrorCode.TxRejected, `the transaction was refused: ${message}`, {
    details: { reason, message },
  });
}
