import fc from 'fast-check';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgoraError, ErrorCode, ManualClock, toHex } from '../../src/core/index.js';
import {
  errorFromNip47,
  formatNwcUri,
  NwcBackend,
  type NwcNotification,
  parseNwcUri,
  parseTransaction,
  paymentHashOf,
} from '../../src/lightning/index.js';
import { rejectedAgoraError, thrownAgoraError } from '../helpers.js';
import { type LocalRelay, startRelay } from '../ledger/nostr-relay.js';
import { drivenPair, lightningConformance } from './conformance.js';
import { albyWallet, nwcPair, ownWallet, simLine } from './nwc-world.js';

lightningConformance(
  'nwc (agora402 wallet service over a local relay)',
  async () => {
    const world = await nwcPair('own');
    return drivenPair(world, world.close);
  },
  { holdDeadline: true, inFlightFees: false },
);

lightningConformance(
  "nwc (Alby's NWCWalletService over a local relay)",
  async () => {
    const world = await nwcPair('alby');
    return drivenPair(world, world.close);
  },
  { holdDeadline: false, holdInvoices: false, inFlightFees: false },
);

describe('NWC connection URIs', () => {
  const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const relayUrl = fc
    .tuple(
      fc.constantFrom('ws', 'wss'),
      fc.domain(),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    )
    .map(([scheme, host, port]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}/`);

  it('reads back what it writes, for any keys and relays', () => {
    fc.assert(
      fc.property(
        hex32,
        hex32,
        fc.uniqueArray(relayUrl, { minLength: 1, maxLength: 3 }),
        (pub, secret, relays) => {
          const connection = { walletPubkey: toHex(pub), relays, secret };
          const parsed = parseNwcUri(formatNwcUri(connection));
          expect(parsed.walletPubkey).toBe(toHex(pub));
          expect(parsed.relays).toEqual(relays);
          expect(toHex(parsed.secret)).toBe(toHex(secret));
        },
      ),
    );
  });

  it('refuses malformed URIs with INVALID_ARGUMENT, never echoing the secret', () => {
    const secret = 'ab'.repeat(32);
    const good = `nostr+walletconnect://${'cd'.repeat(32)}?relay=wss%3A%2F%2Frelay.example&secret=${secret}`;
    expect(parseNwcUri(good).relays).toEqual(['wss://relay.example']);
    for (const bad of [
      good.replace('nostr+walletconnect', 'nostr+walletauth'),
      good.replace('cd'.repeat(32), 'cd'.repeat(31)),
      good.replace('relay=wss%3A%2F%2Frelay.example&', ''),
      good.replace('wss%3A%2F%2F', 'https%3A%2F%2F'),
      good.replace(secret, 'zz'.repeat(32)),
      `${good}&secret=${secret}`,
    ]) {
      const error = thrownAgoraError(() => parseNwcUri(bad), ErrorCode.InvalidArgument);
      expect(error.message).not.toContain(secret);
    }
  });

  it('never throws anything but an AgoraError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseNwcUri(`nostr+walletconnect://${text}`);
        } catch (error) {
          expect(error).toBeInstanceOf(AgoraError);
        }
      }),
    );
  });
});

describe('NIP-47 messages', () => {
  it('reads transactions, refusing wrong types with INVALID_JSON and nothing else', () => {
    const hash = 'ab'.repeat(32);
    expect(
      parseTransaction({ type: 'incoming', payment_hash: hash, amount: 5, state: 'accepted' }),
    ).toMatchObject({
      payment_hash: hash,
      state: 'accepted',
    });
    thrownAgoraError(
      () => parseTransaction({ type: 'incoming', payment_hash: hash, amount: -1 }),
      ErrorCode.InvalidJson,
    );
    thrownAgoraError(
      () => parseTransaction({ type: 'sideways', payment_hash: hash, amount: 1 }),
      ErrorCode.InvalidJson,
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          parseTransaction(value);
        } catch (error) {
          expect(error).toMatchObject({ code: ErrorCode.InvalidJson });
        }
      }),
    );
  });

  it('maps NIP-47 error codes to typed errors', () => {
    const code = (nwc: string, method = 'get_balance') =>
      errorFromNip47(method, { code: nwc, message: 'm' }).code;
    expect(code('NOT_IMPLEMENTED')).toBe(ErrorCode.MethodUnsupported);
    expect(code('RATE_LIMITED')).toBe(ErrorCode.LimitReached);
    expect(code('INSUFFICIENT_BALANCE')).toBe(ErrorCode.InsufficientBalance);
    expect(code('QUOTA_EXCEEDED')).toBe(ErrorCode.BudgetExceeded);
    expect(code('RESTRICTED')).toBe(ErrorCode.Unauthorized);
    expect(code('UNAUTHORIZED')).toBe(ErrorCode.Unauthorized);
    expect(code('NOT_FOUND')).toBe(ErrorCode.UnknownInvoice);
    expect(code('PAYMENT_FAILED')).toBe(ErrorCode.PaymentFailed);
    expect(code('INTERNAL')).toBe(ErrorCode.BackendUnreachable);
    expect(code('OTHER', 'pay_invoice')).toBe(ErrorCode.PaymentFailed);
    expect(code('OTHER', 'settle_hold_invoice')).toBe(ErrorCode.InvalidState);
    expect(code('SOMETHING_NEW', 'make_invoice')).toBe(ErrorCode.InvalidArgument);
  });
});

describe('NwcBackend against wallet services on a local relay', () => {
  let relay: LocalRelay;
  let closers: (() => Promise<void> | void)[];
  beforeEach(async () => {
    relay = await startRelay();
    closers = [];
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    await relay.close();
  });

  const world = () => {
    const clock = new ManualClock(Date.now());
    return { clock, ...simLine(clock) };
  };

  it('falls back to NIP-04 when the wallet advertises nothing else', async () => {
    const { clock, payer, payee } = world();
    const a = await ownWallet(relay, payer, clock, { encryptions: ['nip04'] });
    const b = await ownWallet(relay, payee, clock);
    closers.push(a.close, b.close);
    expect(await a.client.client.encryption()).toBe('nip04');
    expect(await b.client.client.encryption()).toBe('nip44_v2');
    const invoice = await b.client.createInvoice({ amountMsat: 3_000 });
    const paid = await a.client.payInvoice(invoice.paymentRequest);
    expect(paymentHashOf(paid.preimage)).toBe(invoice.paymentHash);
  });

  it('says clearly, without asking, that a wallet lacks a method', async () => {
    const { clock, payee } = world();
    const wallet = await albyWallet(relay, payee, clock);
    const backend = new NwcBackend(wallet.uri, { clock });
    closers.push(wallet.close, () => backend.close());
    const error = await rejectedAgoraError(
      backend.createHoldInvoice({ paymentHash: 'ab'.repeat(32), amountMsat: 1_000, cltvExpiry: 40 }),
      ErrorCode.MethodUnsupported,
    );
    expect(error.message).toContain('make_hold_invoice');
    await rejectedAgoraError(backend.settleHoldInvoice('ab'.repeat(32)), ErrorCode.MethodUnsupported);
  });

  it("maps a wallet's NOT_IMPLEMENTED answer to METHOD_UNSUPPORTED", async () => {
    const { clock, payee } = world();
    // The service advertises make_hold_invoice in its info event, yet refuses it: a wallet whose info is stale.
    const wallet = await ownWallet(relay, payee, clock, { methods: ['get_info', 'make_invoice'] });
    closers.push(wallet.close);
    const capabilities = await wallet.client.client.capabilities();
    (capabilities.methods as Set<string>).add('make_hold_invoice');
    await rejectedAgoraError(
      wallet.client.createHoldInvoice({ paymentHash: 'ab'.repeat(32), amountMsat: 1_000, cltvExpiry: 40 }),
      ErrorCode.MethodUnsupported,
    );
  });

  it('pays from a wallet that offers no get_info (its node checks the network), and says info() is unsupported', async () => {
    const { clock, payer, payee } = world();
    const a = await ownWallet(relay, payer, clock, { methods: ['pay_invoice', 'get_balance'] });
    closers.push(a.close);
    const invoice = await payee.createInvoice({ amountMsat: 6_000 });
    const paid = await a.client.payInvoice(invoice.paymentRequest);
    expect(paymentHashOf(paid.preimage)).toBe(invoice.paymentHash);
    await rejectedAgoraError(a.client.info(), ErrorCode.MethodUnsupported);
  });

  it('times out with BACKEND_UNREACHABLE when the wallet stops answering', async () => {
    const { clock, payee } = world();
    const wallet = await ownWallet(relay, payee, clock);
    const backend = new NwcBackend(wallet.uri, { clock, requestTimeoutMs: 2_000 });
    closers.push(() => backend.close());
    await backend.balance();
    await wallet.close();
    const started = Date.now();
    const error = await rejectedAgoraError(backend.balance(), ErrorCode.BackendUnreachable);
    expect(error.message).toContain('get_balance');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('reconnects after the relay drops its connections, and keeps answering', async () => {
    const { clock, payer, payee } = world();
    const a = await ownWallet(relay, payer, clock);
    const b = await ownWallet(relay, payee, clock);
    closers.push(a.close, b.close);
    await a.client.balance();
    relay.dropConnections();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const invoice = await b.client.createInvoice({ amountMsat: 2_000 });
    const paid = await a.client.payInvoice(invoice.paymentRequest);
    expect((await b.client.lookupInvoice(invoice.paymentHash)).preimage).toBe(paid.preimage);
  });

  it('delivers notifications: payment_received to the payee, payment_sent to the payer', async () => {
    const { clock, payer, payee } = world();
    const a = await ownWallet(relay, payer, clock);
    const b = await ownWallet(relay, payee, clock);
    closers.push(a.close, b.close);
    const received: NwcNotification[] = [];
    const sent: NwcNotification[] = [];
    await b.client.client.onNotification((n) => received.push(n));
    await a.client.client.onNotification((n) => sent.push(n));
    const invoice = await b.client.createInvoice({ amountMsat: 4_000 });
    await a.client.payInvoice(invoice.paymentRequest);
    for (let i = 0; i < 100 && (received.length === 0 || sent.length === 0); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toMatchObject([
      { type: 'payment_received', transaction: { payment_hash: invoice.paymentHash, state: 'settled' } },
    ]);
    expect(sent).toMatchObject([
      { type: 'payment_sent', transaction: { payment_hash: invoice.paymentHash } },
    ]);
  });

  it('refuses a client the wallet never connected, and a wallet that published no info event', async () => {
    const { clock, payee } = world();
    const wallet = await ownWallet(relay, payee, clock);
    closers.push(wallet.close);
    const stranger = parseNwcUri(wallet.uri);
    const intruder = new NwcBackend({ ...stranger, secret: generateSecretKey() }, { clock });
    closers.push(() => intruder.close());
    await rejectedAgoraError(intruder.balance(), ErrorCode.Unauthorized);
    const nobody = new NwcBackend(
      { ...stranger, walletPubkey: getPublicKey(generateSecretKey()) },
      { clock, connectTimeoutMs: 1_000 },
    );
    closers.push(() => nobody.close());
    const error = await rejectedAgoraError(nobody.balance(), ErrorCode.BackendUnreachable);
    expect(error.message).toContain('no info event');
  });
});
