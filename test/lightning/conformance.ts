import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { ErrorCode, fromHex, type ManualClock, toHex } from '../../src/core/index.js';
import {
  decodeInvoice,
  encodeInvoice,
  type InvoiceStatus,
  type LightningBackend,
  paymentHashOf,
} from '../../src/lightning/index.js';
import { rejectedAgoraError } from '../helpers.js';

/** Two connected nodes of some backend: `payer` has outbound liquidity towards `payee`. */
export interface LightningPair {
  payer: LightningBackend;
  payee: LightningBackend;
  /** Moves time forward (invoice expiry). */
  advanceSeconds(seconds: number): Promise<void>;
  /** Adds blocks (held HTLC deadlines). */
  mineBlocks(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A network whose time and blocks a test drives (sim, and the LDK network). */
export interface DrivenNetwork {
  sweep(): void;
  mineBlocks(count: number): void | Promise<void>;
}

/** A pair on a driven network: time moves on `clock` (then unpaid invoices expire), blocks through the network. */
export function drivenPair(
  parts: { clock: ManualClock; network: DrivenNetwork; payer: LightningBackend; payee: LightningBackend },
  close: () => Promise<void> = async () => {},
): LightningPair {
  const { clock, network, payer, payee } = parts;
  return {
    payer,
    payee,
    advanceSeconds: async (seconds) => {
      clock.advance(seconds * 1000);
      network.sweep();
    },
    mineBlocks: async (count) => network.mineBlocks(count),
    close,
  };
}

export interface LightningSupports {
  /** The backend cancels a held HTLC by itself when blocks bring it near its CLTV expiry. */
  holdDeadline: boolean;
  /** The backend makes, settles and cancels hold invoices (default true). */
  holdInvoices?: boolean;
  /**
   * `balance()` reports the payer's own in-flight HTLCs, fees included (default true; NWC's get_balance is one
   * figure, the backend counts its own payments awaiting a result, without their fees).
   */
  inFlightFees?: boolean;
}

async function collect(
  iterable: AsyncIterable<InvoiceStatus>,
  until: (s: InvoiceStatus) => boolean,
  max = 10,
) {
  const states: string[] = [];
  for await (const status of iterable) {
    states.push(status.state);
    if (until(status) || states.length >= max) break;
  }
  return states;
}

/** Waits until `backend` reports `state` for the invoice (payments travel asynchronously on real backends). */
async function waitForState(
  backend: LightningBackend,
  paymentHash: string,
  state: string,
): Promise<InvoiceStatus> {
  for (let i = 0; i < 200; i++) {
    const status = await backend.lookupInvoice(paymentHash);
    if (status.state === state) return status;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`invoice ${paymentHash} never reached ${state}`);
}

function randomPreimage(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The conformance suite every Lightning backend passes. */
export function lightningConformance(
  name: string,
  factory: () => Promise<LightningPair>,
  supports: LightningSupports,
): void {
  describe(`Lightning conformance: ${name}`, () => {
    /**
     * `it` for a feature the manifest may leave out: a backend without it skips the test with the reason, which the
     * run's closing summary lists (never a silent skip).
     */
    const ifSupported = (supported: boolean, feature: string) =>
      supported
        ? it
        : (title: string, _test: () => Promise<void>) =>
            it(title, (context) =>
              context.skip(`${name} does not support ${feature} (its conformance manifest)`),
            );
    const withPair = (test: (pair: LightningPair) => Promise<void>) => async () => {
      const pair = await factory();
      try {
        await test(pair);
      } finally {
        await pair.close();
      }
    };

    it(
      'creates an invoice any BOLT 11 decoder reads, pays it, and the preimage matches the hash',
      withPair(async ({ payer, payee }) => {
        const info = await payee.info();
        const created = await payee.createInvoice({ amountMsat: 25_000, description: 'conformance' });
        const decoded = decodeInvoice(created.paymentRequest, { network: info.network });
        expect(decoded).toMatchObject({
          amountMsat: 25_000,
          payee: info.nodeKey,
          paymentHash: created.paymentHash,
        });
        expect(decoded.description).toBe('conformance');
        expect(paymentHashOf(created.preimage as string)).toBe(created.paymentHash);
        const before = await payer.balance();
        const paid = await payer.payInvoice(created.paymentRequest);
        expect(toHex(sha256(fromHex(paid.preimage)))).toBe(created.paymentHash);
        expect(paid.amountMsat).toBe(25_000);
        const after = await payer.balance();
        expect(before.spendableMsat - after.spendableMsat).toBe(25_000 + paid.feeMsat);
        const status = await payee.lookupInvoice(created.paymentHash);
        expect(status).toMatchObject({ state: 'SETTLED', amountPaidMsat: 25_000, preimage: paid.preimage });
      }),
    );

    it(
      'refuses to pay the same invoice twice, and a payee refuses an unknown hash',
      withPair(async ({ payer, payee }) => {
        const created = await payee.createInvoice({ amountMsat: 1_000 });
        await payer.payInvoice(created.paymentRequest);
        await rejectedAgoraError(payer.payInvoice(created.paymentRequest), ErrorCode.AlreadySettled);
        if (supports.holdInvoices === false) return;
        const unknownHash = await payee.createHoldInvoice({
          paymentHash: paymentHashOf(randomPreimage()),
          amountMsat: 1_000,
          cltvExpiry: 40,
        });
        await payee.cancelInvoice(decodeInvoice(unknownHash.paymentRequest).paymentHash);
        const before = await payer.balance();
        await rejectedAgoraError(payer.payInvoice(unknownHash.paymentRequest), ErrorCode.PaymentFailed);
        expect(await payer.balance()).toEqual(before);
      }),
    );

    ifSupported(supports.holdInvoices !== false, 'hold invoices')(
      'holds a payment until settled: OPEN -> ACCEPTED -> SETTLED, in order, on the subscription',
      withPair(async ({ payer, payee }) => {
        const preimage = randomPreimage();
        const paymentHash = paymentHashOf(preimage);
        const created = await payee.createHoldInvoice({ paymentHash, amountMsat: 50_000, cltvExpiry: 144 });
        expect(created.preimage).toBeUndefined();
        const events = collect(payee.subscribeInvoice(paymentHash), (s) => s.state === 'SETTLED');
        const before = await payer.balance();
        const payment = payer.payInvoice(created.paymentRequest);
        const accepted = await waitForState(payee, paymentHash, 'ACCEPTED');
        expect(accepted.amountPaidMsat).toBe(50_000);
        expect(accepted.preimage).toBeUndefined();
        const locked = await payer.balance();
        expect(locked.inFlightMsat).toBeGreaterThanOrEqual(50_000);
        if (supports.inFlightFees !== false)
          expect(before.spendableMsat - locked.spendableMsat).toBe(locked.inFlightMsat - before.inFlightMsat);
        await rejectedAgoraError(payee.settleHoldInvoice(randomPreimage()), ErrorCode.UnknownInvoice);
        await payee.settleHoldInvoice(preimage);
        const paid = await payment;
        expect(paid.preimage).toBe(preimage);
        expect(await events).toEqual(['OPEN', 'ACCEPTED', 'SETTLED']);
        expect((await payee.lookupInvoice(paymentHash)).state).toBe('SETTLED');
        expect((await payer.balance()).inFlightMsat).toBe(before.inFlightMsat);
        await payee.settleHoldInvoice(preimage);
        await rejectedAgoraError(payee.cancelInvoice(paymentHash), ErrorCode.InvalidState);
      }),
    );

    ifSupported(supports.holdInvoices !== false, 'hold invoices')(
      'reports each held payment with its own HTLC deadline, at least the CLTV delta its invoice asked for',
      withPair(async ({ payer, payee }) => {
        const held: { paymentHash: string; cltvExpiry: number }[] = [];
        for (const cltvExpiry of [40, 300]) {
          const paymentHash = paymentHashOf(randomPreimage());
          const created = await payee.createHoldInvoice({ paymentHash, amountMsat: 20_000, cltvExpiry });
          payer.payInvoice(created.paymentRequest).catch(() => {});
          held.push({ paymentHash, cltvExpiry });
          await waitForState(payee, paymentHash, 'ACCEPTED');
        }
        const { blockHeight } = await payee.info();
        for (const { paymentHash, cltvExpiry } of held) {
          const status = await payee.lookupInvoice(paymentHash);
          expect(status.htlcExpiryHeight).toBeGreaterThanOrEqual(blockHeight + cltvExpiry);
          await payee.cancelInvoice(paymentHash);
        }
      }),
    );

    ifSupported(supports.holdInvoices !== false, 'hold invoices')(
      'returns the funds of a held payment that is canceled',
      withPair(async ({ payer, payee }) => {
        const paymentHash = paymentHashOf(randomPreimage());
        const created = await payee.createHoldInvoice({ paymentHash, amountMsat: 40_000, cltvExpiry: 144 });
        const events = collect(payee.subscribeInvoice(paymentHash), (s) => s.state === 'CANCELED');
        const before = await payer.balance();
        const payment = payer.payInvoice(created.paymentRequest);
        payment.catch(() => {});
        await waitForState(payee, paymentHash, 'ACCEPTED');
        await payee.cancelInvoice(paymentHash);
        await rejectedAgoraError(payment, ErrorCode.PaymentFailed);
        expect(await payer.balance()).toEqual(before);
        expect(await events).toEqual(['OPEN', 'ACCEPTED', 'CANCELED']);
        await payee.cancelInvoice(paymentHash);
        await rejectedAgoraError(payer.payInvoice(created.paymentRequest), ErrorCode.PaymentFailed);
        expect(await payer.balance()).toEqual(before);
      }),
    );

    ifSupported(supports.holdInvoices !== false, 'hold invoices')(
      'refuses to settle a hold invoice that holds nothing',
      withPair(async ({ payee }) => {
        const preimage = randomPreimage();
        await payee.createHoldInvoice({
          paymentHash: paymentHashOf(preimage),
          amountMsat: 1_000,
          cltvExpiry: 40,
        });
        await rejectedAgoraError(payee.settleHoldInvoice(preimage), ErrorCode.InvalidState);
      }),
    );

    it(
      'expires unpaid invoices: the payer refuses, the payee reports CANCELED',
      withPair(async ({ payer, payee, advanceSeconds }) => {
        const created = await payee.createInvoice({ amountMsat: 1_000, expirySeconds: 2 });
        await advanceSeconds(3);
        await rejectedAgoraError(payer.payInvoice(created.paymentRequest), ErrorCode.InvoiceExpired);
        expect((await payee.lookupInvoice(created.paymentHash)).state).toBe('CANCELED');
      }),
    );

    ifSupported(
      supports.holdDeadline === true && supports.holdInvoices !== false,
      'hold invoices with HTLC deadlines',
    )(
      'cancels a held payment by itself before its CLTV deadline, and the payer gets its funds back',
      withPair(async ({ payer, payee, mineBlocks }) => {
        const paymentHash = paymentHashOf(randomPreimage());
        const created = await payee.createHoldInvoice({ paymentHash, amountMsat: 10_000, cltvExpiry: 40 });
        const before = await payer.balance();
        const payment = payer.payInvoice(created.paymentRequest);
        payment.catch(() => {});
        const accepted = await waitForState(payee, paymentHash, 'ACCEPTED');
        const { blockHeight } = await payee.info();
        expect(accepted.htlcExpiryHeight).toBeGreaterThanOrEqual(blockHeight + 40);
        await mineBlocks((accepted.htlcExpiryHeight as number) - blockHeight);
        await rejectedAgoraError(payment, ErrorCode.PaymentFailed);
        expect((await payee.lookupInvoice(paymentHash)).state).toBe('CANCELED');
        expect(await payer.balance()).toEqual(before);
      }),
    );

    it(
      'gives typed errors on bad input',
      withPair(async ({ payer, payee }) => {
        const info = await payee.info();
        await rejectedAgoraError(payee.createInvoice({ amountMsat: 0 }), ErrorCode.InvalidArgument);
        await rejectedAgoraError(payee.createInvoice({ amountMsat: 1.5 }), ErrorCode.InvalidArgument);
        await rejectedAgoraError(
          payee.createHoldInvoice({ paymentHash: 'zz', amountMsat: 1, cltvExpiry: 40 }),
          ErrorCode.InvalidArgument,
        );
        await rejectedAgoraError(payee.lookupInvoice('00'.repeat(32)), ErrorCode.UnknownInvoice);
        await rejectedAgoraError(payer.payInvoice('lnbc1garbage'), ErrorCode.InvalidInvoice);
        const otherNetwork = info.network === 'bitcoin' ? 'testnet' : 'bitcoin';
        const foreign = encodeInvoice(
          {
            network: otherNetwork,
            amountMsat: 1000,
            timestamp: Math.floor(Date.now() / 1000),
            fields: [
              { tag: 'p', paymentHash: '00'.repeat(32) },
              { tag: 's', paymentSecret: '11'.repeat(32) },
            ],
          },
          fromHex('33'.repeat(32)),
        );
        await rejectedAgoraError(payer.payInvoice(foreign), ErrorCode.WrongNetwork);
        const { spendableMsat } = await payer.balance();
        const tooBig = await payee.createInvoice({ amountMsat: spendableMsat + 1_000_000 });
        const error = await rejectedAgoraError(payer.payInvoice(tooBig.paymentRequest));
        expect([ErrorCode.InsufficientBalance, ErrorCode.NoRoute]).toContain(error.code);
      }),
    );
  });
}
