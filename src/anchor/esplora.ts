import { AgoraError, ErrorCode } from '../core/index.js';
import type { Utxo } from './anchor-transaction.js';
import { type BranchStep, reverseHex } from './block-header.js';
import { type ChainBackend, type TxStatus, txRejected } from './chain-backend.js';

/** A {@link ChainBackend} over an Esplora REST server (Blockstream's, mempool.space's, or one's own electrs). */
export class EsploraClient implements ChainBackend {
  private readonly base: string;
  constructor(
    url: string,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (cause) {
      throw new AgoraError(ErrorCode.BackendUnreachable, `Esplora at ${this.base} cannot be reached`, {
        cause,
      });
    }
    if (response.ok) return response;
    const text = (await response.text().catch(() => '')).trim();
    if (response.status === 404)
      throw new AgoraError(ErrorCode.NotFound, `Esplora: ${path}: ${text || 'not found'}`);
    if (response.status === 400 && init.method === 'POST') throw txRejected(text);
    throw new AgoraError(
      ErrorCode.BackendUnreachable,
      `Esplora ${path} answered ${response.status}: ${text}`,
    );
  }

  private async text(path: string): Promise<string> {
    return (await (await this.request(path)).text()).trim();
  }

  private async json<T>(path: string): Promise<T> {
    const response = await this.request(path);
    try {
      return (await response.json()) as T;
    } catch (cause) {
      throw new AgoraError(ErrorCode.BackendUnreachable, `Esplora ${path} did not answer JSON`, { cause });
    }
  }

  async tipHeight(): Promise<number> {
    return Number(await this.text('/blocks/tip/height'));
  }

  blockHash(height: number): Promise<string> {
    return this.text(`/block-height/${height}`);
  }

  blockHeader(hash: string): Promise<string> {
    return this.text(`/block/${hash}/header`);
  }

  async broadcast(txHex: string): Promise<string> {
    return (await (await this.request('/tx', { method: 'POST', body: txHex })).text()).trim();
  }

  async txStatus(txid: string): Promise<TxStatus> {
    const status = await this.json<{ confirmed: boolean; block_height?: number; block_hash?: string }>(
      `/tx/${txid}/status`,
    );
    return status.confirmed && status.block_height !== undefined && status.block_hash !== undefined
      ? { confirmed: true, height: status.block_height, blockHash: status.block_hash }
      : { confirmed: false };
  }

  rawTransaction(txid: string): Promise<string> {
    return this.text(`/tx/${txid}/hex`);
  }

  async txBranch(txid: string, blockHash: string): Promise<BranchStep[]> {
    // Electrum's get_merkle form: sibling txids in display order, leaf first; `pos` gives the sides.
    const proof = await this.json<{ merkle: string[]; pos: number }>(`/tx/${txid}/merkle-proof`);
    const status = await this.txStatus(txid);
    if (!status.confirmed || status.blockHash !== blockHash)
      throw new AgoraError(ErrorCode.NotFound, `transaction ${txid} is not in block ${blockHash}`);
    return proof.merkle.map((sibling, level) => ({
      sibling: reverseHex(sibling),
      side: Math.floor(proof.pos / 2 ** level) % 2 === 1 ? 'left' : 'right',
    }));
  }

  async utxos(address: string): Promise<Utxo[]> {
    const coins = await this.json<{ txid: string; vout: number; value: number }[]>(
      `/address/${address}/utxo`,
    );
    return coins.map(({ txid, vout, value }) => ({ txid, vout, amountSat: BigInt(value) }));
  }

  async feeRate(blocks: number): Promise<number> {
    const estimates = await this.json<Record<string, number>>('/fee-estimates');
    const targets = Object.keys(estimates)
      .map(Number)
      .filter((target) => target >= blocks)
      .sort((a, b) => a - b);
    const rate = targets.length === 0 ? undefined : estimates[String(targets[0])];
    return rate === undefined ? 1 : Math.max(1, Math.ceil(rate));
  }
}
