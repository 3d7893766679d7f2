import { randomBytes } from 'node:crypto';
import {
  AgoraError,
  type Clock,
  ErrorCode,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  toHex,
} from '../core/index.js';
import type { AgentKey, SignedObject } from '../identity/index.js';
import { type CustodyMode, checkStakeTerms, openSignedStakeObject, signStakeObject } from './statement.js';

/**
 * What a staker signs to ask a custodian for a hold invoice (type `stake.offer`; not a ledger event). The signature
 * binds who asks (the author), whom (`custodian`) and what (the terms, the payment hash of a non-custodial stake, and
 * `expires`), so nobody can ask in another staker's name, send the offer to another custodian or keep it for later.
 */
export interface StakeOfferBody {
  /** The custodian's agent id. */
  readonly custodian: string;
  readonly mode: CustodyMode;
  /** Whole sats to lock. */
  readonly amountSat: number;
  /** Unix seconds the stake is to stay locked until. */
  readonly until: number;
  /** Non-custodial stakes only (and required there): the hash of the staker's own preimage. */
  readonly paymentHash?: string;
  /** Unix seconds after which the custodian takes neither the offer nor a payment of its invoice. */
  readonly expires: number;
  /**
   * 16 random bytes (hex): two offers with the same terms signed in the same second are two offers, while a replay
   * of one signed offer is recognized by its id and refused.
   */
  readonly nonce: string;
}

/** A verified offer: its id, the staker who signed it, the body. */
export interface VerifiedOffer {
  readonly id: string;
  readonly staker: string;
  readonly body: StakeOfferBody;
  readonly offer: SignedObject;
}

const REQUIRED = ['custodian', 'mode', 'amountSat', 'until', 'expires', 'nonce'];

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidArgument, `stake offer: ${message}`);
}

function checkBody(body: unknown): asserts body is StakeOfferBody {
  if (!isJsonObject(body)) invalid('body must be an object');
  const keys = Object.keys(body);
  const custodial = body.mode === 'custodial';
  // The payment hash is there exactly when the staker drew the preimage: a custodial stake lets the custodian choose.
  const expected = custodial ? REQUIRED : [...REQUIRED, 'paymentHash'];
  if (keys.length !== expected.length || !expected.every((key) => keys.includes(key)))
    invalid(`body has exactly ${expected.join(', ')} (paymentHash for non-custodial stakes only)`);
  checkStakeTerms(body, invalid);
  if (!Number.isSafeInteger(body.expires) || (body.expires as number) < 0) invalid('expires is a unix time');
  if (!isLowerHex(body.nonce, 16)) invalid('nonce is 16 bytes of lower-case hex');
}

/** Signs an offer as the staker, drawing its nonce unless given. `INVALID_ARGUMENT` for a malformed body. */
export function createStakeOffer(
  staker: AgentKey,
  body: Omit<StakeOfferBody, 'nonce'> & { readonly nonce?: string },
  options: { clock?: Clock } = {},
): SignedObject {
  // An absent payment hash is left out, not written as undefined (canonical JSON has no undefined).
  const plain = Object.fromEntries(
    Object.entries({ ...body, nonce: body.nonce ?? toHex(randomBytes(16)) }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as unknown as JsonObject;
  checkBody(plain);
  return signStakeObject(staker, 'stake.offer', plain, options);
}

/** Verifies an offer offline: shape and body (`INVALID_ARGUMENT`), the staker's signature (`INVALID_SIGNATURE`). */
export function verifyStakeOffer(offer: unknown): VerifiedOffer {
  const { signed, ...opened } = openSignedStakeObject<StakeOfferBody>(
    offer,
    'stake.offer',
    checkBody,
    invalid,
  );
  return { ...opened, offer: signed };
}
