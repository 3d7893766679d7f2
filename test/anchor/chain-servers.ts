// Loopback servers speaking bitcoind's JSON-RPC and Esplora's REST API (as documented by Bitcoin Core and
// Blockstream's esplora API.md) in front of a RegtestChain.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { merkleBranch, reverseHex } from '../../src/anchor/index.js';
import { type RegtestChain, Rejection } from './regtest-chain.js';

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const btc = (sats: bigint) => Number(sats) / 1e8;

/** bitcoind's JSON-RPC 1.0: errors as HTTP 500 with `{result: null, error: {code, message}}`, 401 without auth. */
export function startBitcoindServer(chain: RegtestChain, auth: { user: string; password: string }) {
  const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    const { id, method, params } = JSON.parse(await body(req)) as {
      id: number;
      method: string;
      params: unknown[];
    };
    const reply = (status: number, result: unknown, error: { code: number; message: string } | null) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result, error, id }));
    };
    const notFound = (message: string) => reply(500, null, { code: -5, message });
    try {
      const [a, b] = params as [unknown, unknown];
      switch (method) {
        case 'getblockcount':
          return reply(200, chain.blocks.length - 1, null);
        case 'getblockhash': {
          const block = chain.blocks[a as number];
          return block
            ? reply(200, block.hash, null)
            : reply(500, null, { code: -8, message: 'Block height out of range' });
        }
        case 'getblockheader': {
          const block = chain.block(a as string);
          if (!block) return notFound('Block not found');
          return reply(200, b === false ? block.header : { hash: block.hash, height: block.height }, null);
        }
        case 'getblock': {
          const block = chain.block(a as string);
          return block
            ? reply(200, { hash: block.hash, height: block.height, tx: block.txids }, null)
            : notFound('Block not found');
        }
        case 'sendrawtransaction':
          return reply(200, chain.submit(a as string), null);
        case 'getrawtransaction': {
          const tx = chain.transactions.get(a as string);
          if (!tx)
            return notFound(
              'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.',
            );
          if (b !== true) return reply(200, tx.hex, null);
          const block = tx.block === undefined ? undefined : chain.block(tx.block);
          return reply(
            200,
            block === undefined
              ? { txid: a, hex: tx.hex }
              : {
                  txid: a,
                  hex: tx.hex,
                  blockhash: block.hash,
                  confirmations: chain.blocks.length - block.height,
                },
            null,
          );
        }
        case 'scantxoutset': {
          const [descriptor] = b as string[];
          const address = /^addr\((.*)\)$/.exec(descriptor as string)?.[1] as string;
          const unspents = chain
            .coinsOf(address)
            .map((c) => ({ txid: c.txid, vout: c.vout, amount: btc(c.amount) }));
          return reply(200, { success: true, unspents }, null);
        }
        case 'estimatesmartfee':
          return reply(200, { feerate: 0.00012, blocks: a }, null);
        default:
          return reply(404, null, { code: -32601, message: 'Method not found' });
      }
    } catch (error) {
      if (error instanceof Rejection) return reply(500, null, { code: error.code, message: error.message });
      throw error;
    }
  });
  return listen(server);
}

/** Esplora's REST API: text or JSON bodies, 400 with bitcoind's message for a refused transaction, 404 when unknown. */
export function startEsploraServer(chain: RegtestChain) {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const text = (status: number, value: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(value);
    };
    const json = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && path === '/tx') {
      try {
        return text(200, chain.submit((await body(req)).trim()));
      } catch (error) {
        if (!(error instanceof Rejection)) throw error;
        return text(
          400,
          `sendrawtransaction RPC error: ${JSON.stringify({ code: error.code, message: error.message })}`,
        );
      }
    }
    if (path === '/blocks/tip/height') return text(200, String(chain.blocks.length - 1));
    const height = /^\/block-height\/(\d+)$/.exec(path);
    if (height) {
      const block = chain.blocks[Number(height[1])];
      return block ? text(200, block.hash) : text(404, 'Block not found');
    }
    const header = /^\/block\/([0-9a-f]{64})\/header$/.exec(path);
    if (header) {
      const block = chain.block(header[1] as string);
      return block ? text(200, block.header) : text(404, 'Block not found');
    }
    const match = /^\/tx\/([0-9a-f]{64})\/(status|hex|merkle-proof)$/.exec(path);
    if (match) {
      const txid = match[1] as string;
      const tx = chain.transactions.get(txid);
      if (!tx) return text(404, 'Transaction not found');
      const block = tx.block === undefined ? undefined : chain.block(tx.block);
      if (match[2] === 'hex') return text(200, tx.hex);
      if (match[2] === 'status')
        return json(
          block
            ? { confirmed: true, block_height: block.height, block_hash: block.hash }
            : { confirmed: false },
        );
      if (!block) return text(404, 'Transaction not found');
      const pos = block.txids.indexOf(txid);
      // Electrum's get_merkle: siblings as txids are shown (display order), from the leaf up.
      const merkle = merkleBranch(block.txids, pos).map((step) => reverseHex(step.sibling));
      return json({ block_height: block.height, merkle, pos });
    }
    const address = /^\/address\/([a-z0-9]+)\/utxo$/.exec(path);
    if (address)
      return json(
        chain
          .coinsOf(address[1] as string)
          .map((c) => ({ txid: c.txid, vout: c.vout, value: Number(c.amount), status: { confirmed: true } })),
      );
    if (path === '/fee-estimates') return json({ '1': 12.5, '3': 8.1, '6': 4.02, '144': 1.0 });
    return text(404, 'Not Found');
  });
  return listen(server);
}
