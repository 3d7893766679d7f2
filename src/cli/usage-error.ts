import { AgoraError, ErrorCode } from '../core/index.js';

/** A command line that does not parse: exit code 2. */
export function usageError(message: string): AgoraError {
  return new AgoraError(ErrorCode.Usage, message);
}
