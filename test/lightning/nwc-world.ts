// NWC test worlds: sim nodes behind NIP-47 wallet services (agora402's own, or Alby's NWCWalletService) on the local
// relay the sync tests use, reached by NwcBackend clients.
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import WebSocket from 'ws';
import { type Clock, ManualClock, toHex, unixSeconds } from '../../src/core/index.js';
import {
  formatNwcUri,
  type LightningBackend,
  NwcBackend,
  NwcWalletService,
  type NwcWalletServiceOptions,
  nip47ErrorOf,
  SimNetwork,
  transactionOf,
} from '../../src/lightning/index.js';
import { type LocalRelay, startRelay } from '../ledger/nostr-relay.js';

/** Alby's SDK bundles nostr-tools, which reads the global WebSocket when loaded (Node 20 has none). */
export async function loadAlby() {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  return import('@getalby/sdk/nwc');
}

/** Three sim nodes payer - hub - payee, with channels both ways through the hub. */
export function simLine(clock: ManualClock, names: [string, string] = ['payer', 'payee']) {
  const network = new SimNetwork({ clock });
  const payer = network.createNode(names[0]);
  const hub = network.createNode('hub');
  const payee = network.createNode(names[1]);
  network.openChannel(payer, hub, { capacitySat: 2_000_000 });
  network.openChannel(hub, payee, { capacitySat: 2_000_000 });
  return { network, payer, hub, payee };
}

/** One of agora402's wallet services in front of `backend`, and an NwcBackend connected to it. */
export async function ownWallet(
  relay: LocalRelay,
  backend: LightningBackend,
  clock: Clock,
  options: Partial<NwcWalletServiceOptions> = {},
) {
  const service = await NwcWalletService.start({ relays: [relay.url], backend, clock, ...options });
  const uri = service.connect();
  const client = new NwcBackend(uri, { clock, pollIntervalMs: 20, requestTimeoutMs: 5_000 });
  return {
    service,
    uri,
    client,
    close: async () => {
      client.close();
      service.close();
    },
  };
}

/**
 * Alby's `NWCWalletService` in front of `backend` (its handler has no hold-invoice methods and it sends no
 * notifications), with the connection URI of one client.
 */
export async function albyWallet(relay: LocalRelay, backend: LightningBackend, clock: Clock) {
  const { NWCWalletService, NWCWalletServiceKeyPair } = await loadAlby();
  const walletSecret = generateSecretKey();
  const clientSecret = generateSecretKey();
  const service = new NWCWalletService({ relayUrls: [relay.url] });
  const keypair = new NWCWalletServiceKeyPair(toHex(walletSecret), getPublicKey(clientSecret));
  const answer = async <T>(task: () => Promise<T>) => {
    try {
      return { result: await task(), error: undefined };
    } catch (error) {
      return { result: undefined, error: nip47ErrorOf(error) };
    }
  };
  const transaction = async (paymentHash: string) =>
    transactionOf(await backend.lookupInvoice(paymentHash), { now: unixSeconds(clock) }) as never;
  await service.publishWalletServiceInfoEvent(
    toHex(walletSecret),
    ['get_info', 'get_balance', 'make_invoice', 'pay_invoice', 'lookup_invoice'],
    [],
  );
  const unsubscribe = await service.subscribe(keypair, {
    getInfo: () =>
      answer(async () => {
        const info = await backend.info();
        return {
          alias: info.alias,
          color: '#000000',
          pubkey: info.nodeKey,
          network: info.network === 'bitcoin' ? 'mainnet' : info.network,
          block_height: info.blockHeight,
          block_hash: '',
          methods: ['get_info', 'get_balance', 'make_invoice', 'pay_invoice', 'lookup_invoice'],
        };
      }),
    getBalance: () => answer(async () => ({ balance: (await backend.balance()).spendableMsat })),
    makeInvoice: (request) =>
      answer(async () => {
        const created = await backend.createInvoice({
          amountMsat: request.amount,
          ...(request.description === undefined ? {} : { description: request.description }),
          ...(request.expiry === undefined ? {} : { expirySeconds: request.expiry }),
        });
        return transaction(created.paymentHash);
      }),
    payInvoice: (request) =>
      answer(async () => {
        const paid = await backend.payInvoice(request.invoice);
        return { preimage: paid.preimage, fees_paid: paid.feeMsat };
      }),
    lookupInvoice: (request) => answer(() => transaction(request.payment_hash as string)),
  });
  const uri = formatNwcUri({ walletPubkey: keypair.walletPubkey, relays: [relay.url], secret: clientSecret });
  return {
    uri,
    close: async () => {
      unsubscribe();
      // Alby's service publishes its responses without awaiting them: closing under one rejects unhandled.
      await new Promise((resolve) => setTimeout(resolve, 200));
      service.close();
    },
  };
}

/** A relay, a sim line, and one wallet service per end; `alby` picks Alby's service. */
export async function nwcPair(kind: 'own' | 'alby', options: Partial<NwcWalletServiceOptions> = {}) {
  const relay = await startRelay();
  const clock = new ManualClock(Date.now());
  const { network, payer, payee } = simLine(clock);
  const connect = async (node: LightningBackend) => {
    if (kind === 'own') return ownWallet(relay, node, clock, options);
    const wallet = await albyWallet(relay, node, clock);
    const client = new NwcBackend(wallet.uri, { clock, pollIntervalMs: 20, requestTimeoutMs: 5_000 });
    return {
      client,
      uri: wallet.uri,
      close: async () => {
        client.close();
        await wallet.close();
      },
    };
  };
  const payerSide = await connect(payer);
  const payeeSide = await connect(payee);
  return {
    relay,
    clock,
    network,
    payerNode: payer,
    payeeNode: payee,
    payer: payerSide.client,
    payee: payeeSide.client,
    payerUri: payerSide.uri,
    payeeUri: payeeSide.uri,
    close: async () => {
      await payerSide.close();
      await payeeSide.close();
      await relay.close();
    },
  };
}
