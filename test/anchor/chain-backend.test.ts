import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  anchorWallet,
  BitcoindRpc,
  buildAnchorTransaction,
  bumpAnchorFee,
  type ChainBackend,
  EsploraClient,
  verifyAnchor,
  waitForConfirmations,
} from '../../src/anchor/index.js';
import { ErrorCode, toHex, utf8 } from '../../src/core/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { startBitcoindServer, startEsploraServer } from './chain-servers.js';
import { RegtestChain } from './regtest-chain.js';

const secretKey = sha256(utf8('chain backend wallet'));
const wallet = anchorWallet(secretKey, 'regtest');
const commitment = sha256(utf8('proposal result'));

/** One chain backend over a loopback server in front of a fresh regtest chain. */
interface World {
  chain: RegtestChain;
  backend: ChainBackend;
  close(): Promise<void>;
}

function chainBackendSuite(name: string, factory: (chain: RegtestChain) => Promise<Omit<World, 'chain'>>) {
  const withWorld = (test: (world: World) => Promise<void>) => async () => {
    const chain = new RegtestChain();
    const world = { chain, ...(await factory(chain)) };
    try {
      await test(world);
    } finally {
      await world.close();
    }
  };

  describe(`chain backend: ${name}`, () => {
    it(
      'finds the wallet coins, broadcasts an anchor, watches it confirm and gives what SPV needs',
      withWorld(async ({ chain, backend }) => {
        chain.fund(wallet.address, 60_000n);
        chain.mine(1);
        const utxos = await backend.utxos(wallet.address);
        expect(utxos).toEqual([expect.objectContaining({ amountSat: 60_000n })]);
        const feeRate = await backend.feeRate(3);
        expect(feeRate).toBeGreaterThanOrEqual(1);
        const anchor = buildAnchorTransaction({ secretKey, chain: 'regtest', utxos, commitment, feeRate });
        expect(await backend.broadcast(anchor.hex)).toBe(anchor.txid);
        expect(await backend.txStatus(anchor.txid)).toEqual({ confirmed: false });
        chain.mine(3);
        const status = await backend.txStatus(anchor.txid);
        if (!status.confirmed) throw new Error('not confirmed');
        expect(status.height).toBe((await backend.tipHeight()) - 2);
        expect(await backend.blockHash(status.height)).toBe(status.blockHash);
        const headers: Record<number, string> = {};
        for (let h = status.height; h <= (await backend.tipHeight()); h++)
          headers[h] = await backend.blockHeader(await backend.blockHash(h));
        const proof = {
          commitment: toHex(commitment),
          tx: await backend.rawTransaction(anchor.txid),
          branch: await backend.txBranch(anchor.txid, status.blockHash),
          height: status.height,
        };
        expect(verifyAnchor(proof, headers, { chain: 'regtest' })).toMatchObject({
          txid: anchor.txid,
          confirmations: 3,
        });
        // The change is the wallet's next coin.
        expect((await backend.utxos(wallet.address)).map((u) => u.txid)).toEqual([anchor.txid]);
      }),
    );

    it(
      'watches a transaction until it is deep enough, and gives up on one that never confirms',
      withWorld(async ({ chain, backend }) => {
        const coin = chain.fund(wallet.address, 40_000n);
        const anchor = buildAnchorTransaction({
          secretKey,
          chain: 'regtest',
          utxos: [{ ...coin, amountSat: 40_000n }],
          commitment,
          feeRate: 3,
        });
        await backend.broadcast(anchor.hex);
        const miner = setInterval(() => chain.mine(1), 20);
        try {
          const confirmed = await waitForConfirmations(backend, anchor.txid, {
            confirmations: 3,
            intervalMs: 10,
          });
          expect(confirmed.confirmations).toBeGreaterThanOrEqual(3);
          expect(confirmed.blockHash).toBe(await backend.blockHash(confirmed.height));
        } finally {
          clearInterval(miner);
        }
        const other = buildAnchorTransaction({
          secretKey,
          chain: 'regtest',
          utxos: [{ ...chain.fund(wallet.address, 9_000n), amountSat: 9_000n }],
          commitment,
          feeRate: 3,
        });
        await backend.broadcast(other.hex);
        await rejectedAgoraError(
          waitForConfirmations(backend, other.txid, { intervalMs: 10, timeoutMs: 50 }),
          ErrorCode.BackendUnreachable,
        );
      }),
    );

    it(
      'reports refusals as TX_REJECTED with a reason: min relay fee, missing inputs, a replacement paying too little',
      withWorld(async ({ chain, backend }) => {
        const coin = chain.fund(wallet.address, 40_000n);
        const utxos = [{ ...coin, amountSat: 40_000n }];
        chain.minRelayFee = 5;
        const cheap = buildAnchorTransaction({ secretKey, chain: 'regtest', utxos, commitment, feeRate: 2 });
        const fee = await rejectedAgoraError(backend.broadcast(cheap.hex), ErrorCode.TxRejected);
        expect(fee.details).toMatchObject({ reason: 'fee' });
        expect(fee.message).toMatch(/min relay fee not met/);
        chain.minRelayFee = 1;

        const missing = buildAnchorTransaction({
          secretKey,
          chain: 'regtest',
          utxos: [{ txid: toHex(sha256(utf8('nowhere'))), vout: 0, amountSat: 40_000n }],
          commitment,
          feeRate: 2,
        });
        expect(
          (await rejectedAgoraError(backend.broadcast(missing.hex), ErrorCode.TxRejected)).details,
        ).toMatchObject({
          reason: 'missing-inputs',
        });

        // Fee bumping by replacement: the higher fee replaces, an equal one is refused.
        await backend.broadcast(cheap.hex);
        const bumped = bumpAnchorFee(cheap, { secretKey, chain: 'regtest', commitment, feeRate: 9 });
        const again = buildAnchorTransaction({
          secretKey,
          chain: 'regtest',
          utxos,
          commitment,
          feeRate: 2,
          changeAddress: anchorWallet(sha256(utf8('other')), 'regtest').address,
        });
        expect(
          (await rejectedAgoraError(backend.broadcast(again.hex), ErrorCode.TxRejected)).details,
        ).toMatchObject({ reason: 'fee' });
        expect(await backend.broadcast(bumped.hex)).toBe(bumped.txid);
        chain.mine(1);
        expect((await backend.txStatus(bumped.txid)).confirmed).toBe(true);
        await rejectedAgoraError(backend.txStatus(cheap.txid), ErrorCode.NotFound);
      }),
    );
  });
}

chainBackendSuite('bitcoind JSON-RPC', async (chain) => {
  const server = await startBitcoindServer(chain, { user: 'agora', password: 'secret' });
  return {
    backend: new BitcoindRpc({ url: server.url, user: 'agora', password: 'secret' }),
    close: server.close,
  };
});

chainBackendSuite('Esplora REST', async (chain) => {
  const server = await startEsploraServer(chain);
  return { backend: new EsploraClient(server.url), close: server.close };
});

describe('bitcoind JSON-RPC', () => {
  it('refuses wrong credentials as UNAUTHORIZED and a dead address as BACKEND_UNREACHABLE', async () => {
    const chain = new RegtestChain();
    const server = await startBitcoindServer(chain, { user: 'agora', password: 'secret' });
    try {
      await rejectedAgoraError(
        new BitcoindRpc({ url: server.url, user: 'agora', password: 'wrong' }).tipHeight(),
        ErrorCode.Unauthorized,
      );
    } finally {
      await server.close();
    }
    await rejectedAgoraError(
      new BitcoindRpc({ url: server.url, user: 'a', password: 'b', timeoutMs: 1_000 }).tipHeight(),
      ErrorCode.BackendUnreachable,
    );
    await rejectedAgoraError(
      new EsploraClient(server.url, { timeoutMs: 1_000 }).tipHeight(),
      ErrorCode.BackendUnreachable,
    );
  });
});
