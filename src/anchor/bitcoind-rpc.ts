import { AgoraError, ErrorCode, toBase64, utf8 } from '../core/index.js';
import type { Utxo } from './anchor-transaction.js';
import { type BranchStep, merkleBranch } from './block-header.js';
import { type ChainBackend, type TxStatus, txRejected } from './chain-backend.js';

/** Where bitcoind's JSON-RPC listens and how to authenticate to it. */
export interface BitcoindConnection {
  /** The RPC address, e.g. `http://127.0.0.1:8332`. */
  readonly url: string;
  /** `rpcuser`/`rpcpassword`, or the `__cookie__` user and the `.cookie` file's password. */
  readonly user: string;
  readonly password: string;
  /** Per-call timeout; default 30 s. */
  readonly timeoutMs?: number;
}

// bitcoind's RPC error codes that mean the transaction itself was refused.
const REJECTED = new Set([-25, -26, -27]);
const NOT_FOUND = -5;

/** Whole sats from a BTC amount as bitcoind prints it (a JSON number with up to 8 decimals). */
function satsOf(btc: number): bigint {
  const [whole = '0', fraction = ''] = btc.toFixed(8).split('.');
  return BigInt(whole) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
}

/** A {@link ChainBackend} over bitcoind's JSON-RPC (`getblockcount`, `getblockhash`, `getblockheader`, `getblock`, `sendrawtransaction`, `getrawtransaction`, `scantxoutset`, `estimatesmartfee`). */
export class BitcoindRpc implements ChainBackend {
  private id = 0;
  constructor(private readonly connection: BitcoindConnection) {}

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.connection.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${toBase64(utf8(`${this.connection.user}:${this.connection.password}`))}`,
        },
        body: JSON.stringify({ jsonrpc: '1.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.connection.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `bitcoind at ${this.connection.url} cannot be reached`,
        {
          cause,
        },
      );
    }
    if (response.status === 401 || response.status === 403)
      throw new AgoraError(ErrorCode.Unauthorized, 'bitcoind refused the RPC credentials');
    let body: { result?: T; error?: { code: number; message: string } | null };
    try {
      body = (await response.json()) as typeof body;
    } catch (cause) {
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `bitcoind answered ${response.status} without JSON`,
        { cause },
      );
    }
    const error = body.error;
    if (error !== null && error !== undefined) {
      if (REJECTED.has(error.code)) throw txRejected(error.message);
      if (error.code === NOT_FOUND) throw new AgoraError(ErrorCode.NotFound, `bitcoind: ${error.message}`);
      throw new AgoraError(
        ErrorCode.BackendUnreachable,
        `bitcoind ${method}: ${error.message} (${error.code})`,
      );
    }
    return body.result as T;
  }

  tipHeight(): Promise<number> {
    return this.call('getblockcount');
  }

  blockHash(height: number): Promise<string> {
    return this.call('getblockhash', [height]);
  }

  blockHeader(hash: string): Promise<string> {
    return this.call('getblockheader', [hash, false]);
  }

  broadcast(txHex: string): Promise<string> {
    return this.call('sendrawtransaction', [txHex]);
  }

  async txStatus(txid: string): Promise<TxStatus> {
    const tx = await this.call<{ blockhash?: string; confirmations?: number }>('getrawtransaction', [
      txid,
      true,
    ]);
    if (tx.blockhash === undefined || (tx.confirmations ?? 0) < 1) return { confirmed: false };
    const header = await this.call<{ height: number }>('getblockheader', [tx.blockhash, true]);
    return { confirmed: true, height: header.height, blockHash: tx.blockhash };
  }

  rawTransaction(txid: string): Promise<string> {
    return this.call('getrawtransaction', [txid, false]);
  }

  async txBranch(txid: string, blockHash: string): Promise<BranchStep[]> {
    const block = await this.call<{ tx: string[] }>('getblock', [blockHash, 1]);
    const index = block.tx.indexOf(txid);
    if (index < 0)
      throw new AgoraError(ErrorCode.NotFound, `transaction ${txid} is not in block ${blockHash}`);
    return merkleBranch(block.tx, index);
  }

  async utxos(address: string): Promise<Utxo[]> {
    const scan = await this.call<{ unspents: { txid: string; vout: number; amount: number }[] }>(
      'scantxoutset',
      ['start', [`addr(${address})`]],
    );
    return scan.unspents.map(({ txid, vout, amount }) => ({ txid, vout, amountSat: satsOf(amount) }));
  }

  async feeRate(blocks: number): Promise<number> {
    const estimate = await this.call<{ feerate?: number }>('estimatesmartfee', [blocks]);
    // BTC per 1,000 vbytes -> sat per vbyte; without an estimate (a fresh regtest), the relay minimum.
    return estimate.feerate === undefined
      ? 1
      : Math.max(1, Math.ceil(Number(satsOf(estimate.feerate)) / 1000));
  }
}
