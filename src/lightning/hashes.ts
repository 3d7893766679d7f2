import { sha256 } from '@noble/hashes/sha2.js';
import { AgoraError, ErrorCode, fromHex, isLowerHex, toHex } from '../core/index.js';

/** Checks that `value` is 32 bytes of lower-case hex; `INVALID_ARGUMENT` otherwise. */
export function checkHash32(value: unknown, what: string): string {
  if (!isLowerHex(value, 32))
    throw new AgoraError(ErrorCode.InvalidArgument, `${what} must be 32 bytes of lower-case hex`);
  return value;
}

/** `sha256(preimage)` in hex: the payment hash a preimage unlocks. */
export function paymentHashOf(preimage: string): string {
  return toHex(sha256(fromHex(checkHash32(preimage, 'preimage'))));
}

/** Checks an amount: a positive safe integer of msat; `INVALID_ARGUMENT` otherwise. */
export function checkAmountMsat(amountMsat: unknown): number {
  if (typeof amountMsat !== 'number' || !Number.isSafeInteger(amountMsat) || amountMsat <= 0) {
    throw new AgoraError(ErrorCode.InvalidArgument, 'an amount is a positive whole number of msat');
  }
  return amountMsat;
}

/** Checks an invoice expiry: a positive whole number of seconds; `INVALID_ARGUMENT` otherwise. */
export function checkExpirySeconds(expirySeconds: unknown): number {
  if (typeof expirySeconds !== 'number' || !Number.isSafeInteger(expirySeconds) || expirySeconds <= 0) {
    throw new AgoraError(ErrorCode.InvalidArgument, 'expirySeconds is a positive whole number');
  }
  return expirySeconds;
}

/** Checks a hold invoice's CLTV delta: whole blocks from 1 to 2016; `INVALID_ARGUMENT` otherwise. */
export function checkCltvExpiry(cltvExpiry: unknown): number {
  if (
    typeof cltvExpiry !== 'number' ||
    !Number.isSafeInteger(cltvExpiry) ||
    cltvExpiry < 1 ||
    cltvExpiry > 2016
  ) {
    throw new AgoraError(
      ErrorCode.InvalidArgument,
      'cltvExpiry is a whole number of blocks between 1 and 2016',
    );
  }
  return cltvExpiry;
}

/** An invoice's expiry when the request gives none: an hour, as LND and NIP-47 wallets default to. */
export const DEFAULT_INVOICE_EXPIRY_SECONDS = 3600;

/**
 * The checked amount and expiry (default {@link DEFAULT_INVOICE_EXPIRY_SECONDS}) of an invoice request, as every
 * backend takes them; `INVALID_ARGUMENT` for a bad one.
 */
export function invoiceTerms(request: { amountMsat: unknown; expirySeconds?: unknown }): {
  amountMsat: number;
  expirySeconds: number;
} {
  return {
    amountMsat: checkAmountMsat(request.amountMsat),
    expirySeconds: checkExpirySeconds(request.expirySeconds ?? DEFAULT_INVOICE_EXPIRY_SECONDS),
  };
}

/** A hold invoice request's checked terms: {@link invoiceTerms}, the payment hash and the CLTV delta. */
export function holdInvoiceTerms(request: {
  paymentHash: unknown;
  amountMsat: unknown;
  cltvExpiry: unknown;
  expirySeconds?: unknown;
}): { paymentHash: string; amountMsat: number; cltvExpiry: number; expirySeconds: number } {
  return {
    paymentHash: checkHash32(request.paymentHash, 'paymentHash'),
    ...invoiceTerms(request),
    cltvExpiry: checkCltvExpiry(request.cltvExpiry),
  };
}
