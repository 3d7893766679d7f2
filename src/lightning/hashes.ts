import { AgoraError, ErrorCode, fromHex, isLowerHex, sha256, toHex } from '../core/index.js';

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
