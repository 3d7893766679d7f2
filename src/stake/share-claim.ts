import { AgoraError, type Clock, ErrorCode, hasExactKeys, isJsonObject, isLowerHex } from '../core/index.js';
import type { AgentKey, SignedObject } from '../identity/index.js';
import { openSignedStakeObject, signStakeObject } from './statement.js';

/** Body of a share claim: the payee asks the custodian to pay its share of `settlement` to `paymentRequest`. */
export interface ShareClaimBody {
  /** The `stake.settled` event id. */
  readonly settlement: string;
  /** A BOLT 11 invoice of the payee's node, for the share's amount exactly. */
  readonly paymentRequest: string;
}

/** A verified claim: the payee (the key that signed it) and what it asks. */
export interface VerifiedShareClaim {
  readonly payee: string;
  readonly body: ShareClaimBody;
}

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidArgument, `share claim: ${message}`);
}

function checkBody(body: unknown): asserts body is ShareClaimBody {
  if (
    !isJsonObject(body) ||
    !hasExactKeys(body, ['settlement', 'paymentRequest']) ||
    !isLowerHex(body.settlement, 32) ||
    typeof body.paymentRequest !== 'string' ||
    body.paymentRequest.length === 0 ||
    body.paymentRequest.length > 4_000
  )
    invalid('body is {settlement (an event id), paymentRequest (a BOLT 11 invoice)}');
}

/**
 * Signs a claim to a share of a settled stake with the key the share names (an agent's key, or a juror's one-time
 * payout key): only its holder can have the share paid, and only to the invoice it signs.
 */
export function createShareClaim(
  payee: AgentKey,
  body: ShareClaimBody,
  options: { clock?: Clock } = {},
): SignedObject {
  checkBody(body);
  return signStakeObject(payee, 'stake.claim', { ...body }, options);
}

/** Verifies a claim offline: shape and the payee's signature (`INVALID_ARGUMENT`, `INVALID_SIGNATURE`). */
export function verifyShareClaim(claim: unknown): VerifiedShareClaim {
  const opened = openSignedStakeObject<ShareClaimBody>(claim, 'stake.claim', checkBody, invalid);
  return { payee: opened.staker, body: opened.body };
}
