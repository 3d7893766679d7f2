import { AgoraError, ErrorCode, isAgoraError } from '../../core/index.js';
import type { Nip47ErrorBody } from './nip47.js';

/**
 * A wallet's NIP-47 error as a typed error. The standard codes map one to one; `OTHER` (and codes this version does
 * not know) depend on the method: a refused payment, a hold invoice in the wrong state, a refused argument.
 */
export function errorFromNip47(method: string, error: Nip47ErrorBody): AgoraError {
  const details = { nwcCode: error.code, method };
  const say = (code: ErrorCode, text: string) =>
    new AgoraError(code, `NWC ${method}: ${text}${error.message === '' ? '' : ` (${error.message})`}`, {
      details,
    });
  switch (error.code) {
    case 'NOT_IMPLEMENTED':
      return say(ErrorCode.MethodUnsupported, 'the wallet does not implement this method');
    case 'RATE_LIMITED':
      return say(ErrorCode.LimitReached, 'the wallet is rate limiting this connection, retry later');
    case 'INSUFFICIENT_BALANCE':
      return say(ErrorCode.InsufficientBalance, 'the wallet lacks the funds');
    case 'QUOTA_EXCEEDED':
      return say(ErrorCode.BudgetExceeded, "the connection's spending budget is exhausted");
    case 'RESTRICTED':
    case 'UNAUTHORIZED':
      return say(ErrorCode.Unauthorized, 'the wallet refuses this connection');
    case 'NOT_FOUND':
      return say(ErrorCode.UnknownInvoice, 'the wallet knows no such invoice');
    case 'PAYMENT_FAILED':
      return say(ErrorCode.PaymentFailed, 'the payment failed');
    case 'UNSUPPORTED_ENCRYPTION':
      return say(ErrorCode.MethodUnsupported, 'the wallet refuses the encryption');
    case 'INTERNAL':
      return say(ErrorCode.BackendUnreachable, "the wallet's node failed");
    default:
      if (method === 'pay_invoice') return say(ErrorCode.PaymentFailed, 'the payment failed');
      if (method === 'settle_hold_invoice' || method === 'cancel_hold_invoice')
        return say(ErrorCode.InvalidState, "the invoice's state forbids this");
      return say(ErrorCode.InvalidArgument, 'the wallet refused the request');
  }
}

/**
 * The NIP-47 error a wallet service answers for a failure: the closest standard code (NIP-47 has no code for a
 * state conflict or a bad argument: `OTHER`, which {@link errorFromNip47} reads by method).
 */
export function nip47ErrorOf(error: unknown): Nip47ErrorBody {
  if (!isAgoraError(error)) return { code: 'INTERNAL', message: 'internal error' };
  const code = (() => {
    switch (error.code) {
      case ErrorCode.InsufficientBalance:
        return 'INSUFFICIENT_BALANCE';
      case ErrorCode.UnknownInvoice:
      case ErrorCode.NotFound:
        return 'NOT_FOUND';
      case ErrorCode.PaymentFailed:
      case ErrorCode.NoRoute:
      case ErrorCode.InvoiceExpired:
      case ErrorCode.AlreadySettled:
        return 'PAYMENT_FAILED';
      case ErrorCode.LimitReached:
        return 'RATE_LIMITED';
      case ErrorCode.BudgetExceeded:
        return 'QUOTA_EXCEEDED';
      case ErrorCode.Unauthorized:
        return 'UNAUTHORIZED';
      case ErrorCode.MethodUnsupported:
        return 'NOT_IMPLEMENTED';
      case ErrorCode.BackendUnreachable:
        return 'INTERNAL';
      default:
        return 'OTHER';
    }
  })();
  return { code, message: error.message };
}
