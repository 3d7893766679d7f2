import {
  AgoraError,
  type Clock,
  ErrorCode,
  hasExactKeys,
  isJsonObject,
  isLowerHex,
  type JsonObject,
  systemClock,
  toHex,
  unixSeconds,
} from '../core/index.js';
import {
  type AgentKey,
  defaultSchnorr,
  type SignedObject,
  signObject,
  verifyObject,
} from '../identity/index.js';

/** Who can end a stake. */
export type CustodyMode = 'custodial' | 'non-custodial';

/**
 * What a staker signs when it locks sats with a custodian. `sequence` numbers the staker's stakes: two statements
 * with one sequence and different content are a double-signing, the slashing offence of custodial stakes.
 */
export interface StakeStatementBody {
  /** The custodian's agent id. */
  readonly custodian: string;
  /**
   * `custodial`: the custodian chose the preimage and can settle the hold invoice (slash). `non-custodial`: the staker
   * chose it and gave only its hash, so the custodian can only cancel.
   */
  readonly mode: CustodyMode;
  /** The hold invoice's payment hash. */
  readonly paymentHash: string;
  /** Whole sats locked. */
  readonly amountSat: number;
  /** Unix seconds the staker promises to keep the stake locked until. */
  readonly until: number;
  readonly sequence: number;
}

/** A verified statement: its id, the staker, the body. */
export interface VerifiedStatement {
  readonly id: string;
  readonly staker: string;
  readonly body: StakeStatementBody;
  readonly statement: SignedObject;
}

/** Largest stake: 21 million BTC in sats, so sums of weights stay exact. */
export const MAX_STAKE_SAT = 2_100_000_000_000_000;
const MODES: readonly CustodyMode[] = ['custodial', 'non-custodial'];
const FIELDS = ['custodian', 'mode', 'paymentHash', 'amountSat', 'until', 'sequence'];

function invalid(message: string): never {
  throw new AgoraError(ErrorCode.InvalidEvent, `stake statement: ${message}`);
}

const isCount = (value: unknown, max = Number.MAX_SAFE_INTEGER): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;

/**
 * Checks the terms a statement and an offer share (custodian, mode, amountSat, until, and paymentHash when present);
 * `fail` throws. For the stake's own modules.
 */
export function checkStakeTerms(body: JsonObject, fail: (message: string) => never): void {
  if (!isLowerHex(body.custodian, 32)) fail('custodian is an agent id');
  if (!MODES.includes(body.mode as CustodyMode)) fail(`mode is one of ${MODES.join(', ')}`);
  if ('paymentHash' in body && !isLowerHex(body.paymentHash, 32)) fail('paymentHash is 32 bytes of hex');
  if (!isCount(body.amountSat, MAX_STAKE_SAT) || body.amountSat === 0)
    fail('amountSat is a positive whole number of sats');
  if (!isCount(body.until)) fail('until is a whole number');
}

function checkBody(body: unknown): asserts body is StakeStatementBody {
  if (!isJsonObject(body)) invalid('body must be an object');
  if (!hasExactKeys(body, FIELDS)) invalid(`body has exactly ${FIELDS.join(', ')}`);
  checkStakeTerms(body, invalid);
  if (!isCount(body.sequence)) invalid('sequence is a whole number');
}

/**
 * Opens a signed stake object of `type` (`{v: 1, type, created, author, body, sig}`): the envelope, then `check` on
 * the body, then the author's signature. Shape errors go through `fail`; a bad signature is `INVALID_SIGNATURE`.
 */
export function openSignedStakeObject<B>(
  value: unknown,
  type: string,
  check: (body: unknown) => void,
  fail: (message: string) => never,
): { id: string; staker: string; body: B; signed: SignedObject } {
  if (!isJsonObject(value)) fail('it is an object');
  const { v, type: actual, created, author, body, sig, ...rest } = value;
  if (v !== 1 || actual !== type || !isCount(created) || Object.keys(rest).length > 0)
    fail(`it is {v: 1, type: "${type}", created, author, body, sig}`);
  check(body);
  const id = toHex(verifyObject(value as unknown as SignedObject));
  return { id, staker: author as string, body: body as B, signed: value as unknown as SignedObject };
}

/** Signs a stake object of `type` (a statement, an offer) over a checked `body` as the staker. */
export function signStakeObject(
  staker: AgentKey,
  type: string,
  body: JsonObject,
  options: { clock?: Clock; auxRand?: Uint8Array },
): SignedObject {
  const { auxRand } = options;
  // A signature inside another event is part of that event's id: a simulation fixes its aux randomness to stay seeded.
  const backend =
    auxRand === undefined
      ? defaultSchnorr
      : {
          ...defaultSchnorr,
          sign: (message: Uint8Array, key: Uint8Array) => defaultSchnorr.sign(message, key, auxRand),
        };
  return signObject(
    staker,
    { v: 1, type, created: unixSeconds(options.clock ?? systemClock), body },
    backend,
  );
}

/** Signs a stake statement as the staker. */
export function createStakeStatement(
  staker: AgentKey,
  body: StakeStatementBody,
  options: { clock?: Clock; auxRand?: Uint8Array } = {},
): SignedObject {
  const plain = { ...body } as unknown as JsonObject;
  try {
    checkBody(plain);
  } catch (cause) {
    throw new AgoraError(ErrorCode.InvalidArgument, (cause as Error).message, { cause });
  }
  return signStakeObject(staker, 'stake.statement', plain, options);
}

/**
 * Verifies a statement offline: shape, body and the staker's signature. Throws `INVALID_EVENT` or
 * `INVALID_SIGNATURE`.
 */
export function verifyStakeStatement(statement: unknown): VerifiedStatement {
  const { signed, ...opened } = openSignedStakeObject<StakeStatementBody>(
    statement,
    'stake.statement',
    checkBody,
    invalid,
  );
  return { ...opened, statement: signed };
}

/** True when two verified statements are a double-signing: one staker, one sequence, different content. */
export function isDoubleSigning(a: VerifiedStatement, b: VerifiedStatement): boolean {
  return a.staker === b.staker && a.body.sequence === b.body.sequence && a.id !== b.id;
}
