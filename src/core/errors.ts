/**
 * Stable error codes. Callers branch on `code`, never on message text, so a code once published is never renamed.
 */
export const ErrorCode = {
  /** Text that is not JSON, or JSON of the wrong shape. */
  InvalidJson: 'INVALID_JSON',
  /** A value that RFC 8785 canonical JSON cannot represent (NaN, BigInt, undefined, lone surrogate, cycle...). */
  NotCanonicalizable: 'NOT_CANONICALIZABLE',
  /** Malformed hex, base64 or base64url. */
  InvalidEncoding: 'INVALID_ENCODING',
  /** A malformed or unusable key. */
  InvalidKey: 'INVALID_KEY',
  /** A key file that is readable by other users. */
  KeyPermissions: 'KEY_PERMISSIONS',
  /** A signature that does not verify against the object and its author. */
  InvalidSignature: 'INVALID_SIGNATURE',
  /** An event whose envelope or body breaks its type's rules. */
  InvalidEvent: 'INVALID_EVENT',
  /** An event type that no verifier was registered for. */
  UnknownEventType: 'UNKNOWN_EVENT_TYPE',
  /** Something that should not exist yet already does (key file, home directory, registered type). */
  AlreadyExists: 'ALREADY_EXISTS',
  /** A circuit artifact whose SHA-256 differs from its recorded checksum. */
  ArtifactMismatch: 'ARTIFACT_MISMATCH',
  /** A statement that cannot be proved (not a member, weight out of range...), or a proof that does not verify. */
  InvalidProof: 'INVALID_PROOF',
  /**
   * Refused to keep an anonymous payer unlinkable: the request would show a provider this payer's pseudonym beside
   * its agent id, or two of its pseudonyms side by side. Nothing was sent or paid.
   */
  WouldLink: 'WOULD_LINK',
  /** A ballot that does not fit its proposal's counting method and options. */
  InvalidBallot: 'INVALID_BALLOT',
  /** A looked-up thing (file, event, agent) is missing. */
  NotFound: 'NOT_FOUND',
  /**
   * An event refers to something this ledger does not hold yet (the event it rates, releases or votes on, the
   * registration that vouches for it): it is not stored now, and may be once that arrives. Importers retry it.
   */
  MissingReference: 'MISSING_REFERENCE',
  /** An import stopped at a bad line; `details.line` names it. */
  ImportFailed: 'IMPORT_FAILED',
  /** The store is closed or could not be opened. */
  StoreUnavailable: 'STORE_UNAVAILABLE',
  /** The process was asked to stop (Ctrl-C, SIGTERM) before the operation finished; nothing half-written. */
  Interrupted: 'INTERRUPTED',
  /** A failure no check anticipated (a bug): reported in one line, with the stack only when asked for. */
  Internal: 'INTERNAL',
  /** A malformed, unsupported or wrongly signed BOLT 11 invoice. */
  InvalidInvoice: 'INVALID_INVOICE',
  /** An invoice for another Bitcoin network than the backend's. */
  WrongNetwork: 'WRONG_NETWORK',
  /** An invoice (or hold) past its expiry. */
  InvoiceExpired: 'INVOICE_EXPIRED',
  /** Not enough outbound balance to pay amount plus fees. */
  InsufficientBalance: 'INSUFFICIENT_BALANCE',
  /** No path with enough liquidity and acceptable fees reaches the payee. */
  NoRoute: 'NO_ROUTE',
  /** The invoice is settled already: paying twice, or settling twice. */
  AlreadySettled: 'ALREADY_SETTLED',
  /** The payee or backend knows no invoice with this payment hash. */
  UnknownInvoice: 'UNKNOWN_INVOICE',
  /** The payment was refused or canceled on its way (a canceled hold invoice, a timeout). */
  PaymentFailed: 'PAYMENT_FAILED',
  /** An operation that the invoice's state forbids (settling an open invoice, canceling a settled one). */
  InvalidState: 'INVALID_STATE',
  /** The Lightning backend (node, REST gateway) cannot be reached or is offline. */
  BackendUnreachable: 'BACKEND_UNREACHABLE',
  /** The backend does not offer this operation (an NWC wallet without hold invoices, say). */
  MethodUnsupported: 'METHOD_UNSUPPORTED',
  /** A malformed macaroon, L402 token, identifier or L402 header. */
  InvalidToken: 'INVALID_TOKEN',
  /** A well-formed token that does not grant this request (signature, preimage, caveat, payment). */
  TokenRefused: 'TOKEN_REFUSED',
  /** A price above the caller's limit, or a payment beyond its budget. */
  BudgetExceeded: 'BUDGET_EXCEEDED',
  /** A bound on open requests is reached (a custodian's open stake offers, per staker or in all): retry later. */
  LimitReached: 'LIMIT_REACHED',
  /** Credentials (a macaroon, a pinned certificate) were refused or do not match. */
  Unauthorized: 'UNAUTHORIZED',
  /**
   * A Bitcoin node or explorer refused a transaction; `details.reason` is `fee` (below the relay fee or the fee to
   * replace), `missing-inputs` (spent or unknown coins), `conflict` or `other`.
   */
  TxRejected: 'TX_REJECTED',
  /** An argument outside its allowed range (zero amount, malformed hash...). */
  InvalidArgument: 'INVALID_ARGUMENT',
  /** A request body above the server's limit, refused before it was read in full; `details.limit` is the limit. */
  BodyTooLarge: 'BODY_TOO_LARGE',
  /** Reading or writing a file failed. */
  Io: 'IO',
  /** A command line that does not parse. */
  Usage: 'USAGE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Extra machine-readable facts about an error (a line number, an event id...). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/**
 * Marks every AgoraError. A registered symbol is the same in every copy of this module, so an error thrown by
 * another copy of agora402 in the same process (two versions installed side by side, a bundled copy) is still
 * recognized, which `instanceof` alone would miss.
 */
const BRAND = Symbol.for('agora402.AgoraError');

/** The one error type agora402 throws on bad input. `code` is stable; `message` is for people. */
export class AgoraError extends Error {
  override readonly name = 'AgoraError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * True when `error` is an {@link AgoraError} (from this or any other copy of agora402: see the brand above), with a
 * known `code`, optionally the given one.
 */
export function isAgoraError(error: unknown, code?: ErrorCode): error is AgoraError {
  if (!(error instanceof Error)) return false;
  const branded =
    error instanceof AgoraError || (error as unknown as Record<symbol, unknown>)[BRAND] === true;
  const claimed = error as Partial<AgoraError>;
  return (
    branded &&
    claimed.name === 'AgoraError' &&
    typeof claimed.code === 'string' &&
    CODES.has(claimed.code) &&
    (code === undefined || claimed.code === code)
  );
}
