// An in-memory regtest chain for the chain-backend tests: coins, a mempool with relay-fee and BIP 125 replacement
// rules, and mined blocks with real headers. The loopback servers in chain-servers.ts expose it as bitcoind's
// JSON-RPC and as an Esplora REST server.

import { sha256 } from '@noble/hashes/sha2.js';
import { Address, OutScript, TEST_NETWORK, Transaction } from '@scure/btc-signer';
import { merkleBranch, merkleRootFromBranch, parseBlockHeader } from '../../src/anchor/index.js';
import { fromHex, toHex, utf8 } from '../../src/core/index.js';
import { regtestHeader } from '../../src/sim/regtest-header.js';

const REGTEST = { ...TEST_NETWORK, bech32: 'bcrt' };

/** A node's refusal, with bitcoind's RPC error code. */
export class Rejection extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Coin {
  readonly script: string;
  readonly amount: bigint;
}

interface Block {
  readonly hash: string;
  readonly header: string;
  readonly height: number;
  readonly txids: string[];
}

interface MempoolEntry {
  readonly hex: string;
  readonly fee: bigint;
  readonly spends: string[];
  readonly replaceable: boolean;
}

export class RegtestChain {
  readonly blocks: Block[] = [];
  readonly coins = new Map<string, Coin>();
  readonly mempool = new Map<string, MempoolEntry>();
  /** Raw transactions known (mempool or mined), by txid, with their block when mined. */
  readonly transactions = new Map<string, { hex: string; block?: string }>();
  /** sat/vB. */
  minRelayFee = 1;
  private funded = 0;

  constructor() {
    this.mine(1);
  }

  scriptOf(address: string): string {
    return toHex(OutScript.encode(Address(REGTEST).decode(address)));
  }

  /** Gives `address` a confirmed coin (from a funding transaction the chain does not need to show). */
  fund(address: string, amount: bigint): { txid: string; vout: number } {
    const txid = toHex(sha256(utf8(`funding ${this.funded++}`)));
    this.coins.set(`${txid}:0`, { script: this.scriptOf(address), amount });
    return { txid, vout: 0 };
  }

  submit(hex: string): string {
    let tx: Transaction;
    try {
      tx = Transaction.fromRaw(fromHex(hex), { allowUnknownOutputs: true });
    } catch {
      throw new Rejection(-22, 'TX decode failed');
    }
    const txid = tx.id;
    if (this.mempool.has(txid) || this.transactions.get(txid)?.block !== undefined)
      throw new Rejection(-27, 'Transaction already in block chain');
    let inputs = 0n;
    const spends: string[] = [];
    for (let i = 0; i < tx.inputsLength; i++) {
      const input = tx.getInput(i);
      const outpoint = `${toHex(input.txid as Uint8Array)}:${input.index}`;
      const coin = this.coins.get(outpoint);
      if (coin === undefined) throw new Rejection(-25, 'bad-txns-inputs-missingorspent');
      inputs += coin.amount;
      spends.push(outpoint);
    }
    let outputs = 0n;
    for (let i = 0; i < tx.outputsLength; i++) outputs += tx.getOutput(i).amount as bigint;
    const fee = inputs - outputs;
    const minimum = BigInt(tx.vsize * this.minRelayFee);
    if (fee < minimum) throw new Rejection(-26, `min relay fee not met, ${fee} < ${minimum}`);
    const conflicts = [...this.mempool].filter(([, entry]) => entry.spends.some((s) => spends.includes(s)));
    for (const [, entry] of conflicts) {
      if (!entry.replaceable) throw new Rejection(-26, 'txn-mempool-conflict');
      if (fee <= entry.fee) throw new Rejection(-26, `insufficient fee, rejecting replacement ${txid}`);
    }
    for (const [replaced] of conflicts) {
      this.mempool.delete(replaced);
      this.transactions.delete(replaced);
    }
    let replaceable = false;
    for (let i = 0; i < tx.inputsLength; i++)
      replaceable ||= (tx.getInput(i).sequence ?? 0xffffffff) < 0xfffffffe;
    this.mempool.set(txid, { hex, fee, spends, replaceable });
    this.transactions.set(txid, { hex });
    return txid;
  }

  mine(count: number): void {
    for (let n = 0; n < count; n++) {
      const height = this.blocks.length;
      const coinbase = toHex(sha256(utf8(`coinbase ${height}`)));
      const txids = [coinbase, ...this.mempool.keys()];
      const root = merkleRootFromBranch(coinbase, merkleBranch(txids, 0));
      const header = mineHeader(
        this.blocks.at(-1)?.hash ?? '00'.repeat(32),
        root,
        1_800_000_000 + height * 600,
      );
      const hash = parseBlockHeader(header).hash;
      for (const [txid, entry] of this.mempool) {
        for (const spent of entry.spends) this.coins.delete(spent);
        const tx = Transaction.fromRaw(fromHex(entry.hex), { allowUnknownOutputs: true });
        for (let i = 0; i < tx.outputsLength; i++) {
          const output = tx.getOutput(i);
          this.coins.set(`${txid}:${i}`, {
            script: toHex(output.script as Uint8Array),
            amount: output.amount as bigint,
          });
        }
        this.transactions.set(txid, { hex: entry.hex, block: hash });
      }
      this.mempool.clear();
      this.blocks.push({ hash, header, height, txids });
    }
  }

  block(hash: string): Block | undefined {
    return this.blocks.find((b) => b.hash === hash);
  }

  coinsOf(address: string): { txid: string; vout: number; amount: bigint }[] {
    const script = this.scriptOf(address);
    return [...this.coins]
      .filter(([, coin]) => coin.script === script)
      .map(([outpoint, coin]) => {
        const [txid, vout] = outpoint.split(':') as [string, string];
        return { txid, vout: Number(vout), amount: coin.amount };
      });
  }
}

/** An 80-byte header on top of `previous` (display hash) with this Merkle root (internal order), mined at regtest's
 * difficulty (half the hash space: the hash's top bit clear). */
export function mineHeader(previous: string, merkleRootInternal: string, time: number): string {
  return regtestHeader(previous, merkleRootInternal, time);
}
