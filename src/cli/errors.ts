import { AgoraError, ErrorCode, isAgoraError } from '../core/index.js';

/** Node's system error codes that mean a file or directory could not be used as asked, in words. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ENOSPC: 'no space left on device',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  ECONNREFUSED: 'connection refused',
  EADDRINUSE: 'address already in use',
};

/** Control characters and invalid text from a file or a peer, shown escaped so they never reach the terminal raw. */
export function printable(text: string, max = 200): string {
  const safe = JSON.stringify(text).slice(1, -1);
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

/**
 * Any error as an {@link AgoraError}: agora's own as they are, a system error (a file that cannot be read or
 * written) as `IO` naming the path, anything else as `INTERNAL` with its first line only.
 */
export function asAgoraError(error: unknown): AgoraError {
  if (isAgoraError(error)) return error;
  const system = error as NodeJS.ErrnoException | undefined;
  const known = typeof system?.code === 'string' ? SYSTEM_ERRORS[system.code] : undefined;
  if (known !== undefined) {
    const path = typeof system?.path === 'string' ? `${system.path}: ` : '';
    const code = system?.code === 'ENOENT' ? ErrorCode.NotFound : ErrorCode.Io;
    return new AgoraError(code, `${path}${known}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AgoraError(
    ErrorCode.Internal,
    `unexpected error: ${printable(message.split('\n')[0] ?? '')} (AGORA_DEBUG=1 prints the stack)`,
    { cause: error },
  );
}

/** The one line an error prints as: `agora: <message> [CODE]`, with no line break inside. */
export function errorLine(error: AgoraError): string {
  return `agora: ${error.message.replace(/[\r\n]+/g, ' ')} [${error.code}]\n`;
}
