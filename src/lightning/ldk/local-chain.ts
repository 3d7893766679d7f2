import { bitcoinMerkleLevels, type Clock, doubleSha256, systemClock, unixSeconds } from '../../core/index.js';

/** A block as LDK's `Confirm` interface wants it. */
export interface LocalBlock {
  readonly height: number;
  /** 80-byte header. */
  readonly header: Uint8Array;
  /** Block hash in internal byte order (SHA256d of the header). */
  readonly hash: Uint8Array;
  readonly transactions: readonly Uint8Array[];
}

/** Something that follows the chain: an LDK node. */
export interface ChainListener {
  blockConnected(block: LocalBlock): void;
}

function txid(tx: Uint8Array): Uint8Array {
  // The txid hashes the transaction without its witness; a segwit transaction must be stripped first.
  if (tx[4] !== 0 || tx[5] !== 1) return doubleSha256(tx);
  return doubleSha256(stripWitness(tx));
}

function readVarInt(bytes: Uint8Array, at: number): [value: number, size: number] {
  const first = bytes[at] as number;
  if (first < 0xfd) return [first, 1];
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 1);
  if (first === 0xfd) return [view.getUint16(0, true), 3];
  return [view.getUint32(0, true), 5];
}

/** The legacy serialization of a segwit transaction (version, inputs, outputs, lock time). */
function stripWitness(tx: Uint8Array): Uint8Array {
  let at = 6;
  const [inputs, inSize] = readVarInt(tx, at);
  at += inSize;
  for (let i = 0; i < inputs; i++) {
    at += 36;
    const [scriptLength, size] = readVarInt(tx, at);
    at += size + scriptLength + 4;
  }
  const [outputs, outSize] = readVarInt(tx, at);
  at += outSize;
  for (let i = 0; i < outputs; i++) {
    at += 8;
    const [scriptLength, size] = readVarInt(tx, at);
    at += size + scriptLength;
  }
  const body = tx.subarray(6, at);
  const out = new Uint8Array(4 + body.length + 4);
  out.set(tx.subarray(0, 4), 0);
  out.set(body, 4);
  out.set(tx.subarray(tx.length - 4), 4 + body.length);
  return out;
}

function merkleRoot(ids: Uint8Array[]): Uint8Array {
  if (ids.length === 0) return new Uint8Array(32);
  return (bitcoinMerkleLevels(ids).at(-1) as Uint8Array[])[0] as Uint8Array;
}

/**
 * A regtest-like chain in memory: it takes broadcast transactions into a mempool and mines blocks with real
 * headers (previous hash, Merkle root of their transactions' txids, clock time), then hands each block to its
 * listeners. No proof of work: nothing here checks it.
 */
export class LocalChain {
  private readonly clock: Clock;
  private readonly listeners = new Set<ChainListener>();
  private readonly mempool: Uint8Array[] = [];
  private tipBlock: LocalBlock;
  /** Every transaction ever mined, by hex txid. */
  readonly confirmed = new Map<string, { tx: Uint8Array; height: number }>();

  constructor(options: { clock?: Clock; startHeight?: number } = {}) {
    this.clock = options.clock ?? systemClock;
    const header = new Uint8Array(80);
    header[0] = 1;
    this.tipBlock = {
      height: options.startHeight ?? 100,
      header,
      hash: doubleSha256(header),
      transactions: [],
    };
  }

  get tip(): LocalBlock {
    return this.tipBlock;
  }

  subscribe(listener: ChainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  broadcast(tx: Uint8Array): void {
    this.mempool.push(Uint8Array.from(tx));
  }

  /** Mines `count` blocks; the first takes the whole mempool. */
  mine(count = 1): void {
    for (let i = 0; i < count; i++) {
      const transactions = this.mempool.splice(0);
      const header = new Uint8Array(80);
      const view = new DataView(header.buffer);
      view.setUint32(0, 0x20000000, true);
      header.set(this.tipBlock.hash, 4);
      header.set(merkleRoot(transactions.map(txid)), 36);
      // Strictly increasing times: LDK expires inbound payments by the highest block time it saw.
      const previousTime = new DataView(this.tipBlock.header.buffer).getUint32(68, true);
      view.setUint32(68, Math.max(unixSeconds(this.clock), previousTime + 1), true);
      view.setUint32(72, 0x207fffff, true);
      const block: LocalBlock = {
        height: this.tipBlock.height + 1,
        header,
        hash: doubleSha256(header),
        transactions,
      };
      this.tipBlock = block;
      for (const tx of transactions)
        this.confirmed.set(Buffer.from(txid(tx)).reverse().toString('hex'), { tx, height: block.height });
      for (const listener of this.listeners) listener.blockConnected(block);
    }
  }
}
