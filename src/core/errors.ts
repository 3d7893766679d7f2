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
  /** A looked-up thing (file, event, agent) is missing. */
  NotFound: 'NOT_FOUND',
  /** An import stopped at a bad line; `details.line` names it. */
  ImportFailed: 'IMPORT_FAILED',
  /** The store is closed or could not be opened. */
  StoreUnavailable: 'STORE_UNAVAILABLE',
  /** Reading or writing a file failed. */
  Io: 'IO',
  /** A command line that does not parse. */
  Usage: 'USAGE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Extra machine-readable facts about an error (a line number, an event id...). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

/** The one error type agora402 throws on bad input. `code` is stable; `message` is for people. */
export class AgoraError extends Error {
  override readonly name = 'AgoraError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetails } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `error` is an {@link AgoraError}, optionally with the given code. */
export function isAgoraError(error: unknown, code?: ErrorCode): error is AgoraError {
  return error instanceof AgoraError && (code === undefined || error.code === code);
}
