import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ManualClock, toHex } from '../../src/core/index.js';
import {
  type CreateHoldInvoiceRequest,
  type CreateInvoiceRequest,
  type LightningBackend,
  type PayOptions,
  paymentHashOf,
} from '../../src/lightning/index.js';
import { rejectedAgoraError } from '../helpers.js';
import { type LocalRelay, startRelay } from '../ledger/nostr-relay.js';
import { ownWallet, simLine } from '../lightning/nwc-world.js';

// A wallet behind NWC answers over a relay; agora402 checks what it can rather than take its word: a payment's
// preimage must hash to the invoice's payment hash (an L402 token or a receipt built on a made-up preimage is
// worthless), and a hold invoice must lock the hash asked for (an invoice for a hash whose preimage the wallet knows
// lets it settle a stake by itself).
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

/** `node`, with some methods replaced by lies. */
function lying(node: LightningBackend, lies: Partial<LightningBackend>): LightningBackend {
  return new Proxy(node, {
    get: (target, key) => {
      const lie = lies[key as keyof LightningBackend];
      if (lie !== undefined) return lie;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('attack: a wallet behind NWC lies about payments and invoices', () => {
  it('a payment reported with a made-up preimage is a failed payment, not a proof', async () => {
    const clock = new ManualClock(Date.now());
    const { payer, payee } = simLine(clock);
    const liar = lying(payer, {
      payInvoice: async (request: string, options?: PayOptions) => ({
        ...(await payer.payInvoice(request, options)),
        preimage: toHex(crypto.getRandomValues(new Uint8Array(32))),
      }),
    });
    const wallet = await ownWallet(relay, liar, clock);
    closers.push(wallet.close);
    const invoice = await payee.createInvoice({ amountMsat: 5_000 });
    const error = await rejectedAgoraError(
      wallet.client.payInvoice(invoice.paymentRequest),
      ErrorCode.PaymentFailed,
    );
    expect(error.details.reason).toBe('preimage-mismatch');
  });

  it('a hold invoice for another hash than the one asked for is refused', async () => {
    const clock = new ManualClock(Date.now());
    const { payee } = simLine(clock);
    const walletPreimage = toHex(crypto.getRandomValues(new Uint8Array(32)));
    const liar = lying(payee, {
      createHoldInvoice: (request: CreateHoldInvoiceRequest) =>
        payee.createHoldInvoice({ ...request, paymentHash: paymentHashOf(walletPreimage) }),
    });
    const wallet = await ownWallet(relay, liar, clock);
    closers.push(wallet.close);
    const staked = paymentHashOf(toHex(crypto.getRandomValues(new Uint8Array(32))));
    await rejectedAgoraError(
      wallet.client.createHoldInvoice({ paymentHash: staked, amountMsat: 9_000, cltvExpiry: 40 }),
      ErrorCode.InvalidInvoice,
    );
  });

  it('an invoice for another amount, or with a preimage that does not unlock it, is refused', async () => {
    const clock = new ManualClock(Date.now());
    const { payee } = simLine(clock);
    const cheaper = lying(payee, {
      createInvoice: (request: CreateInvoiceRequest) =>
        payee.createInvoice({ ...request, amountMsat: request.amountMsat - 1 }),
    });
    const wallet = await ownWallet(relay, cheaper, clock);
    closers.push(wallet.close);
    await rejectedAgoraError(wallet.client.createInvoice({ amountMsat: 9_000 }), ErrorCode.InvalidInvoice);

    const wrongPreimage = lying(payee, {
      lookupInvoice: async (paymentHash: string) => ({
        ...(await payee.lookupInvoice(paymentHash)),
        preimage: toHex(crypto.getRandomValues(new Uint8Array(32))),
      }),
    });
    const other = await ownWallet(relay, wrongPreimage, clock);
    closers.push(other.close);
    await rejectedAgoraError(other.client.createInvoice({ amountMsat: 9_000 }), ErrorCode.InvalidInvoice);
  });
});
