import { describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock } from '../../src/core/index.js';
import { LndRestBackend, paymentHashOf, SimNetwork } from '../../src/lightning/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { drivenPair, lightningConformance } from './conformance.js';
import { lndCertificate, otherCertificate, startLndRestServer } from './lnd-rest-server.js';

const MACAROON = '0201036c6e6402f801030a10'.padEnd(64, 'a');

async function setup(options: { hang?: boolean; resetFirst?: number } = {}) {
  const clock = new ManualClock(Date.now());
  const network = new SimNetwork({ clock });
  const payerNode = network.createNode('payer');
  const hub = network.createNode('hub');
  const payeeNode = network.createNode('payee');
  network.openChannel(payerNode, hub, { capacitySat: 2_000_000 });
  network.openChannel(hub, payeeNode, { capacitySat: 2_000_000 });
  const payerServer = await startLndRestServer(payerNode, { macaroonHex: MACAROON });
  const payeeServer = await startLndRestServer(payeeNode, { macaroonHex: MACAROON, ...options });
  const client = (url: string, extra: object = {}) =>
    new LndRestBackend(
      { url, macaroon: MACAROON, tlsCertificate: lndCertificate, timeoutMs: 2_000, ...extra },
      { clock },
    );
  const payer = client(payerServer.url);
  const payee = client(payeeServer.url);
  return {
    clock,
    network,
    payer,
    payee,
    payeeServer,
    client,
    close: async () => {
      payer.close();
      payee.close();
      await payerServer.close();
      await payeeServer.close();
    },
  };
}

lightningConformance(
  'lnd (REST, loopback server)',
  async () => {
    const world = await setup();
    return drivenPair(world, world.close);
  },
  { holdDeadline: true },
);

describe('LND REST client', () => {
  it('refuses a server that does not present the pinned certificate, before sending the macaroon', async () => {
    const { payeeServer, client, close } = await setup();
    let macaroonsSeen = 0;
    payeeServer.server.prependListener('request', () => macaroonsSeen++);
    try {
      const impostor = client(payeeServer.url, { tlsCertificate: otherCertificate });
      await rejectedAgoraError(impostor.info(), ErrorCode.Unauthorized);
      expect(macaroonsSeen).toBe(0);
      impostor.close();
    } finally {
      await close();
    }
  });

  it('maps a refused macaroon to UNAUTHORIZED', async () => {
    const { payeeServer, client, close } = await setup();
    try {
      const wrong = client(payeeServer.url, { macaroon: 'ff'.repeat(32) });
      const error = await rejectedAgoraError(wrong.info(), ErrorCode.Unauthorized);
      expect(error.message).toMatch(/verification failed/);
      wrong.close();
    } finally {
      await close();
    }
  });

  it('reports an unreachable node and a silent one as BACKEND_UNREACHABLE', async () => {
    const { payeeServer, client, close } = await setup({ hang: true });
    try {
      const silent = client(payeeServer.url, { timeoutMs: 200, retries: 0 });
      const started = performance.now();
      await rejectedAgoraError(silent.info(), ErrorCode.BackendUnreachable);
      expect(performance.now() - started).toBeLessThan(2_000);
      silent.close();
      const closed = client('https://127.0.0.1:1', { retries: 1 });
      await rejectedAgoraError(closed.balance(), ErrorCode.BackendUnreachable);
    } finally {
      await close();
    }
  });

  it('retries a read after a reset connection', async () => {
    const { payee, close } = await setup({ resetFirst: 2 });
    try {
      expect((await payee.info()).network).toBe('regtest');
    } finally {
      await close();
    }
  });

  it('puts URL-safe base64 with padding in paths and queries', async () => {
    const { payer, payee, close } = await setup();
    try {
      // A payment hash whose standard base64 has '+' or '/': sent as '-' or '_' (with '=' kept), or the
      // server, which decodes the path strictly as URL-safe base64, refuses it.
      let preimage = '';
      for (let i = 0; ; i++) {
        preimage = i.toString(16).padStart(64, '0');
        if (/[+/]/.test(Buffer.from(paymentHashOf(preimage), 'hex').toString('base64'))) break;
      }
      const created = await payee.createInvoice({ amountMsat: 2_000, preimage });
      expect(Buffer.from(created.paymentHash, 'hex').toString('base64url')).toMatch(/[-_]/);
      const subscription = payee.subscribeInvoice(created.paymentHash);
      const first = await subscription.next();
      expect(first.value?.state).toBe('OPEN');
      await payer.payInvoice(created.paymentRequest);
      expect((await subscription.next()).value?.state).toBe('SETTLED');
      expect((await payee.lookupInvoice(created.paymentHash)).preimage).toBe(preimage);
      const stubborn = `ff${'fb'.repeat(31)}`;
      const hold = await payee.createHoldInvoice({
        paymentHash: paymentHashOf(stubborn),
        amountMsat: 1_000,
        cltvExpiry: 40,
      });
      expect((await payee.lookupInvoice(hold.paymentHash)).state).toBe('OPEN');
    } finally {
      await close();
    }
  });

  it('maps LND error bodies to typed errors', async () => {
    const { payee, close } = await setup();
    try {
      const created = await payee.createInvoice({ amountMsat: 1_000, preimage: '11'.repeat(32) });
      await rejectedAgoraError(
        payee.createInvoice({ amountMsat: 1_000, preimage: '11'.repeat(32) }),
        ErrorCode.AlreadyExists,
      );
      await rejectedAgoraError(payee.lookupInvoice('22'.repeat(32)), ErrorCode.UnknownInvoice);
      await rejectedAgoraError(payee.settleHoldInvoice('33'.repeat(32)), ErrorCode.UnknownInvoice);
      expect(created.preimage).toBe('11'.repeat(32));
    } finally {
      await close();
    }
  });
});
